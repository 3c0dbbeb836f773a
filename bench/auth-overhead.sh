#!/usr/bin/env bash
# What checking an API key costs per request: N sequential BM25 searches on the demo collection over one keep-alive
# connection, once with a stored reader key (one SQLite lookup + SHA-256 per request) and once with Rag:Auth:Mode=none.
# Loopback only; prints p50 / p99 for each. Usage: bench/auth-overhead.sh [N]   (default 1000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Api" -c Release -v q -nologo >/dev/null
API="$ROOT/src/RagService.Api/bin/Release/net10.0/RagService.Api.dll"
ADMIN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
WORK=$(mktemp -d)
SERVICE_PID=""
cleanup() { [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

for mode in keys none; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$WORK/db"; mkdir -p "$WORK/db"
  dotnet "$API" --urls "http://127.0.0.1:$PORT" --Rag:DatabasePath="$WORK/db/rag.db" --Rag:Demo=true --Rag:Auth:Mode=$mode \
    --Rag:Auth:BootstrapKey="$ADMIN" --Rag:RateLimits:PerKey:PermitLimit=0 --Rag:RateLimits:PerIp:PermitLimit=0 \
    --Serilog:MinimumLevel:Default=Warning >"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.1; done
  KEY=-
  if [ $mode = keys ]; then
    KEY=$(curl -fs "http://127.0.0.1:$PORT/v1/keys" -H "X-Api-Key: $ADMIN" -H 'content-type: application/json' \
      -d '{"client":"bench","role":"reader"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  fi
  python3 - "$PORT" "$KEY" "$N" "Rag:Auth:Mode=$mode" <<'PY'
import http.client, json, sys, time
port, key, n, label = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"content-type": "application/json"}
if key != "-":
    headers["X-Api-Key"] = key
body = json.dumps({"query": "XYZ-123", "topK": 3, "mode": "bm25"})
times = []
for i in range(n + 50):  # the first 50 warm up
    t = time.perf_counter()
    conn.request("POST", "/v1/collections/demo/search", body, headers)
    r = conn.getresponse(); r.read()
    assert r.status == 200, r.status
    if i >= 50:
        times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{label:<22} p50 {times[len(times) // 2]:.2f} ms   p99 {times[int(len(times) * 0.99)]:.2f} ms   ({n} sequential searches)")
PY
  kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""
done
