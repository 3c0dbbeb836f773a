#!/usr/bin/env bash
# Load and fault benchmark on loopback, bounded in time and requests:
#   1. seed: a collection synced from a folder of DOCS markdown files (revision revA);
#   2. baseline: THREADS concurrent searchers for SECONDS, nothing else running;
#   3. under ingestion: the same searchers while a sync job re-indexes every file (revB) — search throughput, p50/p99
#      and errors, and on the ingestion side documents/s and time per document p50/p99;
#   4. fault: a third sync (revC) is killed with SIGKILL part-way, the service restarted, the job resumes; then the SQLite
#      file is checked: every file is one document, none lost, each whole (chunk rows = chunk_count, one revision only).
# Usage: bench/load-fault.sh [DOCS=1000] [THREADS=4] [SECONDS=15] [extra service arguments...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000}; THREADS=${2:-4}; SECONDS_PER_PHASE=${3:-15}; shift $(( $# < 3 ? $# : 3 ))
EXTRA=("$@")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Api" -c Release -v q -nologo >/dev/null
API="$ROOT/src/RagService.Api/bin/Release/net10.0/RagService.Api.dll"
WORK=$(mktemp -d)
SERVICE_PID=""
cleanup() { [ -n "$SERVICE_PID" ] && kill -9 "$SERVICE_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
trap "exit 143" TERM INT
# Every route needs a key: the service starts with this one as its bootstrap admin key, and every request sends it.
export RAG_API_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
AUTH=(-H "X-Api-Key: $RAG_API_KEY")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"

start_service() {
  dotnet "$API" --urls "$URL" --Rag:DatabasePath="$WORK/rag.db" --Rag:Sync:MaxEntries=$((N + 100)) \
    --Rag:Sync:MaxSynchronousItems=0 --Rag:Auth:BootstrapKey="$RAG_API_KEY" --Rag:RateLimits:PerKey:PermitLimit=0 \
    --Rag:RateLimits:PerIp:PermitLimit=0 --Serilog:MinimumLevel:Default=Warning "${EXTRA[@]}" >>"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 600); do curl -fs "$URL/health/live" >/dev/null && return; sleep 0.1; done
  echo "service did not start"; cat "$WORK/service.log"; exit 1
}

make_archive() {  # $1 = revision word; writes $WORK/$1.tar.gz
  python3 - "$WORK/$1" "$N" "$1" <<'PY'
import os, sys, random
root, n, rev = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(42)
zh = "披萨 菜单 优惠 外卖 营业 时间 会员 积分 烤箱 清洁 故障 代码 门店 套餐 饮料 甜品 配送 价格".split()
en = "oven seal fan thermostat delivery coupon member points menu store hours promotion cleaning".split()
for i in range(n):
    d = os.path.join(root, f"section-{i % 20:02d}")
    os.makedirs(d, exist_ok=True)
    parts = [f"# 文档 {i} Document {i} {rev} \n"]
    for s in range(4):
        parts.append(f"\n## 第{s}节 Section {s} {rev} \n\n")
        for _ in range(5):
            parts.append("".join(rng.choice(zh) for _ in range(8)) + " " + " ".join(rng.choice(en) for _ in range(8)) + f" {rev} code XK-{rng.randint(100, 999)}. ")
    with open(os.path.join(d, f"doc-{i:05d}.md"), "w", encoding="utf-8") as f:
        f.write("".join(parts))
PY
  tar -czf "$WORK/$1.tar.gz" -C "$WORK/$1" .
}

submit_sync() {  # prints the job id, or stops the benchmark with the service's answer
  curl -s "${AUTH[@]}" -X POST "$URL/v1/collections/bench/sync" -H 'content-type: application/gzip' --data-binary "@$WORK/$1.tar.gz" >"$WORK/submit.json"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/submit.json" 2>/dev/null \
    || { echo "sync $1 refused: $(head -c 500 "$WORK/submit.json")" >&2; kill -9 "$SERVICE_PID"; exit 1; }
}

wait_job() {
  [ -n "$1" ] || exit 1
  for _ in $(seq 1 6000); do
    state=$(curl -fs "${AUTH[@]}" "$URL/v1/jobs/$1?lists=false" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["state"] if j.get("finishedAt") else "")')
    [ -n "$state" ] && { echo "$state"; return; }
    sleep 0.1
  done
  echo "timeout"
}

for rev in revA revB revC; do make_archive $rev; done
start_service
curl -sS --fail-with-body "${AUTH[@]}" -X POST "$URL/v1/collections" -H 'content-type: application/json' -d '{"name":"bench"}' -o "$WORK/create.json" \
  || { echo "load-fault: could not create the collection: $(head -c 500 "$WORK/create.json" 2>/dev/null)"; exit 1; }
seed_job=$(submit_sync revA) || exit 1
seed_state=$(wait_job "$seed_job")
[ "$seed_state" = succeeded ] || { echo "seed sync: $seed_state"; exit 1; }

LOAD=(python3 "$ROOT/bench/load/loadgen.py" --port "$PORT" --threads "$THREADS" --seconds "$SECONDS_PER_PHASE")
baseline=$("${LOAD[@]}")
job=$(submit_sync revB) || exit 1
during=$("${LOAD[@]}" --until-job "$job" --seconds 600)
revb_state=$(wait_job "$job")

# Fault: SIGKILL while the revC sync is part-way, restart, let the job resume, stop cleanly, check the file.
job=$(submit_sync revC) || exit 1
for _ in $(seq 1 600); do
  done_count=$(curl -fs "${AUTH[@]}" "$URL/v1/jobs/$job?lists=false" | python3 -c 'import json,sys; print(json.load(sys.stdin)["progress"]["done"])')
  [ "$done_count" -ge $((N / 3)) ] && break
  sleep 0.05
done
kill -9 "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
start_service
revc_state=$(wait_job "$job")
kill -TERM "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""
verify=$(python3 "$ROOT/bench/load/verify.py" "$WORK/rag.db" bench "$N" revC) && verified=ok || verified=FAILED

python3 - "$N" "$THREADS" "$baseline" "$during" "$revb_state" "$done_count" "$revc_state" "$verify" "$verified" "$(nproc)" "${EXTRA[*]:-}" <<'PY'
import json, sys
n, threads = sys.argv[1], sys.argv[2]
base, during = json.loads(sys.argv[3]), json.loads(sys.argv[4])
revb, killed_at, revc, verify, verified, cores, extra = sys.argv[5:12]
drop = 100 * (1 - during["throughput_rps"] / base["throughput_rps"]) if base["throughput_rps"] else 0
print(f"load-fault: {n} documents, {threads} concurrent searchers (bm25, topK 5), {cores} cores, service args: {extra or '-'}")
print(f"  search, idle:            {base['throughput_rps']:8.1f} req/s  p50 {base['p50_ms']:6.1f} ms  p99 {base['p99_ms']:6.1f} ms  errors {base['errors']}/{base['requests']}")
print(f"  search, during sync:     {during['throughput_rps']:8.1f} req/s  p50 {during['p50_ms']:6.1f} ms  p99 {during['p99_ms']:6.1f} ms  errors {during['errors']}/{during['requests']}  ({drop:.0f}% lower throughput)")
j = during.get("job", {})
print(f"  sync of {n} updates:      {j.get('docs_per_s', 0):8.1f} docs/s  per document p50 {j.get('ms_per_doc_p50', 0):.1f} ms  p99 {j.get('ms_per_doc_p99', 0):.1f} ms  state {revb}")
print(f"  kill -9 at {killed_at}/{n} done, restart, resumed job: {revc}; file check: {verified} {verify}")
for e in base["error_samples"] + during["error_samples"]:
    print("  error sample:", e)
PY
[ "$verified" = ok ] && [ "$revb_state" = succeeded ] && [ "$revc_state" = succeeded ] \
  && [ "$(echo "$baseline" | python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"])')" = 0 ] \
  && [ "$(echo "$during" | python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"])')" = 0 ]
