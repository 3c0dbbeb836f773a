#!/usr/bin/env bash
# Ingestion at the embedding ceiling (docs/ingestion.md, "Ingestion against the embedding ceiling"): the SQuAD trial
# contexts (one text file each) synced through the real service with the real all-MiniLM-L6-v2, then the same stored
# passages (header + text, as ingestion embedded them) embedded by `rag bench-embed` with the same model and thread
# settings: once per document (ingestion's batching) and all at once (length-sorted batches across documents, the ORT
# ceiling on these token lengths). Prints chunks/s of each and the ratio of ingestion to the ceiling.
# usage: bench/ingest-ceiling.sh [DATA.json]   (default ../shared/data/squad_v1.1_dev_trial.json; CONTEXTS=N takes the
# first N contexts only)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(realpath "${1:-$ROOT/../shared/data/squad_v1.1_dev_trial.json}")
MODEL=${RAG_EMBEDDING_MODEL:-$ROOT/.models/all-MiniLM-L6-v2}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Api" -c Release -v q -nologo >/dev/null
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q -nologo >/dev/null
API="$ROOT/src/RagService.Api/bin/${RAG_BENCH_CONFIGURATION:-Release}/net10.0/RagService.Api.dll"
RAG="$ROOT/src/RagService.Cli/bin/${RAG_BENCH_CONFIGURATION:-Release}/net10.0/rag.dll"
WORK=$(mktemp -d)
SERVICE_PID=""
cleanup() { [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

python3 - "$DATA" "$WORK/docs" "${CONTEXTS:-0}" <<'PY'
import json, os, sys
rows, root, limit = json.load(open(sys.argv[1], encoding="utf-8")), sys.argv[2], int(sys.argv[3])
contexts = {r["context_id"]: r["context_text"] for r in rows}
contexts = dict(list(contexts.items())[:limit or None])
for cid, text in contexts.items():
    folder = os.path.join(root, cid.rsplit("_", 1)[0])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, cid + ".txt"), "w", encoding="utf-8") as f:
        f.write(text)
print(f"{len(contexts)} contexts from {sys.argv[1]}")
PY

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
export RAG_API_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
dotnet "$API" --urls "$URL" --Rag:DatabasePath="$WORK/rag.db" --Rag:Sync:MaxEntries=100000 --Rag:Sync:MaxSynchronousItems=0 \
  --Serilog:MinimumLevel:Default=Warning --Rag:Auth:BootstrapKey="$RAG_API_KEY" --Rag:RateLimits:PerKey:PermitLimit=0 \
  --Rag:RateLimits:PerIp:PermitLimit=0 --Rag:Embedding:ModelDirectory="$MODEL" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 600); do curl -fs "$URL/health/live" >/dev/null && break; sleep 0.1; done

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SERVICE_PID/stat"; }
echo "== load average at start $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
cpu0=$(cpu_seconds)
dotnet "$RAG" sync "$WORK/docs" --collection bench --create --url "$URL" >"$WORK/sync.txt" 2>&1 || { cat "$WORK/sync.txt" "$WORK/service.log"; exit 1; }
job=$(curl -fs -H "X-Api-Key: $RAG_API_KEY" "$URL/v1/jobs?limit=1" | python3 -c 'import json,sys,datetime as d
j=json.load(sys.stdin)[0]; p=lambda s: d.datetime.fromisoformat(s)
print("%.2f" % (p(j["finishedAt"])-p(j["createdAt"])).total_seconds())')
cpu1=$(cpu_seconds)
read -r docs chunks < <(curl -fs -H "X-Api-Key: $RAG_API_KEY" "$URL/v1/collections/bench" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["documents"], s["chunks"])')
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""
read -r api api_cpu < <(python3 -c "print(f'{$chunks / $job:.1f} {$chunks / ($cpu1 - $cpu0):.1f}')")
echo "ingestion through the API (sync job): $docs documents, $chunks chunks in $job s (server-side job time) = $api chunks/s wall, $api_cpu per service CPU second"

ceiling=$(dotnet "$RAG" bench-embed --db "$WORK/rag.db" --collection bench --embedding-model "$MODEL")
echo "$ceiling"
python3 - "$api" "$api_cpu" "$ceiling" <<'PY'
import re, sys
for label, api, unit in (("wall", float(sys.argv[1]), "chunks/s wall"), ("per CPU second", float(sys.argv[2]), "per CPU second")):
    per_doc, together = (float(re.search(rf"{k}.*?([0-9.]+) {unit}", sys.argv[3]).group(1)) for k in ("per document", "all at once"))
    print(f"{label}: ingestion / ORT ceiling {api / together:.2f}; ingestion / embedding per document {api / per_doc:.2f}; per document / ceiling {per_doc / together:.2f}")
PY
echo "== load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
