# Shared by the benches that drive the real service over HTTP (bench/sync-throughput.sh, bench/ingest-ceiling.sh).
# Source it after setting ROOT; it sets API and RAG (the Release builds, built unless RAG_BENCH_NO_BUILD is set), WORK
# (a temp folder removed at exit, with the service stopped) and defines:
#   bench_service_start ARGS...  starts the service on a free loopback port with its database in $WORK, a throwaway admin
#                                key (exported as RAG_API_KEY), rate limits off, every sync a job; sets URL and SERVICE_PID
#   bench_service_stop           stops it and waits
#   bench_job_seconds            the newest job's server-side duration (created -> finished), seconds
#   bench_service_cpu_seconds    user + system CPU time so far of the service and the processes it started (extraction workers
#                                and the tools they run; live, or ended and reaped), seconds
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Api" -c Release -v q -nologo >/dev/null
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q -nologo >/dev/null
API="$ROOT/src/RagService.Api/bin/${RAG_BENCH_CONFIGURATION:-Release}/net10.0/RagService.Api.dll"
RAG="$ROOT/src/RagService.Cli/bin/${RAG_BENCH_CONFIGURATION:-Release}/net10.0/rag.dll"
WORK=$(mktemp -d)
SERVICE_PID=""
bench_cleanup() { [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null; rm -rf "$WORK"; }
trap bench_cleanup EXIT

bench_service_start() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  URL="http://127.0.0.1:$port"
  RAG_API_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export RAG_API_KEY
  dotnet "$API" --urls "$URL" --Rag:DatabasePath="$WORK/rag.db" --Rag:Sync:MaxSynchronousItems=0 \
    --Serilog:MinimumLevel:Default=Warning --Rag:Auth:BootstrapKey="$RAG_API_KEY" --Rag:RateLimits:PerKey:PermitLimit=0 \
    --Rag:RateLimits:PerIp:PermitLimit=0 "$@" >"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 600); do curl -fs "$URL/health/live" >/dev/null && return 0; sleep 0.1; done
  echo "the service did not answer at $URL; its log:" >&2
  cat "$WORK/service.log" >&2
  return 1
}

bench_service_stop() {
  kill "$SERVICE_PID"
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
}

bench_job_seconds() {
  curl -fs -H "X-Api-Key: $RAG_API_KEY" "$URL/v1/jobs?limit=1" | python3 -c 'import json,sys,datetime as d
j=json.load(sys.stdin)[0]; p=lambda s: d.datetime.fromisoformat(s)
print("%.2f" % (p(j["finishedAt"])-p(j["createdAt"])).total_seconds())'
}

bench_service_cpu_seconds() {
  python3 - "$SERVICE_PID" <<'PY2'
import os, sys
# Fields after the command name in /proc/PID/stat: utime, stime, cutime, cstime are the 12th to 15th.
def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15])
def children(pid):
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += f.read().split()
    return found
total, pending = 0, [sys.argv[1]]
while pending:
    pid = pending.pop()
    try:
        total += cpu(pid)
        pending += children(pid)
    except (FileNotFoundError, ProcessLookupError):
        pass  # ended meanwhile: its parent counts it once reaped
print(f"{total / os.sysconf('SC_CLK_TCK'):.2f}")
PY2
}
