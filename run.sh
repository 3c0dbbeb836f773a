#!/usr/bin/env bash
# Starts RagService on http://127.0.0.1:5080 with the embedded store, the demo knowledge base, the web console (/) and Swagger UI.
# Extra arguments are passed to the service, e.g. ./run.sh --urls http://127.0.0.1:8080
# The database is ./data/ragservice.db under the repository (Rag:DatabasePath / RAG_DB move it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
START=$SECONDS
step() { echo "run.sh [$((SECONDS - START)) s] $*"; }

step "1/4 setup: checking system packages (deploy/setup.sh --runtime-only)"
deploy/setup.sh --runtime-only
step "2/4 restore: NuGet packages (first time: downloads, then cached)"
dotnet restore src/RagService.Api --verbosity quiet
step "3/4 build: Release, one line per project built (first time 1-3 minutes on 2 cores, then seconds)"
dotnet build src/RagService.Api -c Release --no-restore --nologo --verbosity minimal -clp:NoSummary
# API keys are enforced here as in production: the first run writes a random admin key to data/bootstrap-admin.key
# (readable by you only) and the service takes it as its bootstrap key. Use it with -H "X-Api-Key: $(cat data/bootstrap-admin.key)".
KEY_FILE="$ROOT/data/bootstrap-admin.key"
if [ ! -s "$KEY_FILE" ]; then
  mkdir -p "$ROOT/data"
  ( umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$KEY_FILE"; echo >> "$KEY_FILE" )
fi
echo "run.sh admin key in data/bootstrap-admin.key: $(cat "$KEY_FILE")"
step "4/4 start: ready when it logs 'Now listening on' (default http://127.0.0.1:5080, web console at /, Swagger UI at /swagger)"
exec dotnet run --project src/RagService.Api -c Release --no-build -- --urls http://127.0.0.1:5080 --Rag:Demo=true \
  --Rag:Auth:BootstrapKeyFile="$KEY_FILE" --Rag:Swagger:Enabled=true "$@"
