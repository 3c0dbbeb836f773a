#!/usr/bin/env bash
# Starts RagService on http://127.0.0.1:5080 with the embedded store and the demo knowledge base.
# Extra arguments are passed to the service, e.g. ./run.sh --urls http://127.0.0.1:8080
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
deploy/setup.sh --runtime-only
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run --project src/RagService.Api -c Release -- --urls http://127.0.0.1:5080 --Rag:Demo=true "$@"
