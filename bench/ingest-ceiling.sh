#!/usr/bin/env bash
# Ingestion at the embedding ceiling (docs/onnx.md, "Ingestion against the embedding ceiling"): the SQuAD trial
# contexts (one text file each) synced through the real service with the real all-MiniLM-L6-v2, then the same stored
# passages (header + text, as ingestion embedded them) embedded by `rag bench-embed` with the same model and thread
# settings: once per document (ingestion's batching) and all at once (length-sorted batches across documents, the ORT
# ceiling on these token lengths), with ORT's intra-op spinning on and off. Prints chunks/s of each and the ratio of
# ingestion to the best ceiling.
# usage: bench/ingest-ceiling.sh [DATA.json]   (default ../shared/data/squad_v1.1_dev_trial.json; CONTEXTS=N takes the
# first N contexts only; WARMUP=N: contexts from the end of the file synced into another collection before the measured
# sync, default 40, 0 for a cold service; RAG_BENCH_SERVICE_ARGS="--Rag:X=Y ..." adds service settings; PERF_DATA=FILE
# records `perf record -F 499 -g -a` into FILE during the measured sync, run with DOTNET_PerfMapEnabled=1 for .NET names)
# CPU time is the service's and its extraction workers' (bench/lib/service.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(realpath "${1:-$ROOT/../shared/data/squad_v1.1_dev_trial.json}")
MODEL=${RAG_EMBEDDING_MODEL:-$ROOT/.models/all-MiniLM-L6-v2}
read -r -a SERVICE_ARGS <<< "${RAG_BENCH_SERVICE_ARGS:-}"
. "$ROOT/bench/lib/service.sh"

python3 - "$DATA" "$WORK" "${CONTEXTS:-0}" "${WARMUP:-40}" <<'PY'
import json, os, sys
rows, work, limit, warmup = json.load(open(sys.argv[1], encoding="utf-8")), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
every = list({r["context_id"]: r["context_text"] for r in rows}.items())
for name, contexts in (("docs", every[:limit or None]), ("warmup", every[len(every) - warmup:] if warmup else [])):
    for cid, text in contexts:
        folder = os.path.join(work, name, cid.rsplit("_", 1)[0])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, cid + ".txt"), "w", encoding="utf-8") as f:
            f.write(text)
print(f"{min(limit or len(every), len(every))} contexts from {sys.argv[1]} (warm-up: the last {warmup})")
PY

# The collection's fusion calibration (a background task after writes, embedding some 600 texts) is held off: it is
# not ingestion, and when it runs would decide the CPU time more than ingestion does.
bench_service_start --Rag:Sync:MaxEntries=100000 --Rag:Embedding:ModelDirectory="$MODEL" \
  --Rag:Retrieval:Calibration:DebounceDelay=01:00:00 --Rag:Retrieval:Calibration:MaxDelay=01:00:00 "${SERVICE_ARGS[@]}"
echo "== load average at start $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; service settings: ${SERVICE_ARGS[*]:-defaults}"
# A fresh process spends a third of its CPU compiling code (tiered JIT) during its first few hundred chunks; the
# ceiling below is measured after a warm-up call too, so the service first syncs the warm-up contexts elsewhere.
if [ -d "$WORK/warmup" ]; then
  dotnet "$RAG" sync "$WORK/warmup" --collection warmup --create --url "$URL" >"$WORK/warmup.txt" 2>&1 || { cat "$WORK/warmup.txt" "$WORK/service.log"; exit 1; }
fi
cpu0=$(bench_service_cpu_seconds)
if [ -n "${PERF_DATA:-}" ]; then
  perf record -F 499 -g -a -o "$PERF_DATA" >"$WORK/perf.txt" 2>&1 &
  perf_pid=$!
fi
dotnet "$RAG" sync "$WORK/docs" --collection bench --create --url "$URL" >"$WORK/sync.txt" 2>&1 || { cat "$WORK/sync.txt" "$WORK/service.log"; exit 1; }
job=$(bench_job_seconds)
if [ -n "${PERF_DATA:-}" ]; then
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
fi
cpu1=$(bench_service_cpu_seconds)
read -r docs chunks < <(curl -fs -H "X-Api-Key: $RAG_API_KEY" "$URL/v1/collections/bench" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["documents"], s["chunks"])')
bench_service_stop
read -r api api_cpu < <(python3 -c "print(f'{$chunks / $job:.1f} {$chunks / ($cpu1 - $cpu0):.1f}')")
echo "ingestion through the API (sync job): $docs documents, $chunks chunks in $job s (server-side job time) = $api chunks/s wall, $api_cpu per CPU second of the service and its extraction workers"

# The ceiling is ORT's best on these texts: measured with its intra-op threads spinning (ORT's default) and not (the
# service's default for the embedder); each figure below divides by the higher of the two.
ceiling=""
for spinning in on off; do
  ceiling+="spinning $spinning: $(dotnet "$RAG" bench-embed --db "$WORK/rag.db" --collection bench --embedding-model "$MODEL" --intra-op-spinning "$spinning")"$'\n'
done
echo "$ceiling"
python3 - "$api" "$api_cpu" "$ceiling" <<'PY'
import re, sys
for label, api, unit in (("wall", float(sys.argv[1]), "chunks/s wall"), ("per CPU second", float(sys.argv[2]), "per CPU second")):
    per_doc, together = (max(float(v) for v in re.findall(rf"{k}.*?([0-9.]+) {unit}", sys.argv[3])) for k in ("per document", "all at once"))
    print(f"{label}: ingestion / ORT ceiling {api / together:.2f}; ingestion / embedding per document {api / per_doc:.2f}; per document / ceiling {per_doc / together:.2f}")
PY
echo "== load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
