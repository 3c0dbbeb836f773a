#!/usr/bin/env bash
# Starts RagService on http://127.0.0.1:5080 with the embedded store, the demo knowledge base and Swagger UI.
# Extra arguments are passed to the service, e.g. ./run.sh --urls http://127.0.0.1:8080
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
deploy/setup.sh --runtime-only
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# API keys are enforced here as in production: the first run writes a random admin key to data/bootstrap-admin.key
# (readable by you only) and the service takes it as its bootstrap key. Use it with -H "X-Api-Key: $(cat data/bootstrap-admin.key)".
KEY_FILE="$ROOT/data/bootstrap-admin.key"
if [ ! -s "$KEY_FILE" ]; then
  mkdir -p "$ROOT/data"
  ( umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$KEY_FILE"; echo >> "$KEY_FILE" )
fi
echo "run: admin key in data/bootstrap-admin.key: $(cat "$KEY_FILE")"
exec dotnet run --project src/RagService.Api -c Release -- --urls http://127.0.0.1:5080 --Rag:Demo=true \
  --Rag:Auth:BootstrapKeyFile="$KEY_FILE" --Rag:Swagger:Enabled=true "$@"
