#!/usr/bin/env bash
# Search latency with and without the runtime settings that ingestion wants off (docs/onnx.md, "Ingestion against the
# embedding ceiling"): .NET runtime knobs (DOTNET_TieredPGO, DOTNET_TieredCompilation, ...) and ORT's intra-op spinning
# for query embedding (rag bench-scale --intra-op-spinning). Runs bench/million.sh's per-mode step (a fresh process
# each: first answer, p50/p99 of one caller, QPS per CPU second of 4 callers) for each combination in turn, ROUNDS
# times interleaved (A B C D A B C D ...), so load drift shows as spread between rounds of the same combination. Needs
# the store that bench/million.sh CHUNKS filled (it runs the prepare step first, which loads it). Prints the load
# average per row. COMBINATIONS: space-separated KNOB=V[,KNOB=V...]:on|off (DOTNET_ knobs : spinning), default the
# four of TieredPGO 1/0 x spinning on/off, e.g. COMBINATIONS="TieredPGO=0:off TieredCompilation=0,TieredPGO=0:off".
# usage: bench/search-runtime-settings.sh [CHUNKS] [ROUNDS]     (default 100000 3; QUERIES, CONCURRENT_QUERIES as million.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHUNKS=${1:-100000}
ROUNDS=${2:-3}
DIR=${RAG_MILLION_DIR:-/tmp/rag-million}/$CHUNKS
MODEL=${RAG_EMBEDDING_MODEL:-$ROOT/.models/all-MiniLM-L6-v2}
[ -f "$DIR/store.db" ] || { echo "no store in $DIR: run bench/million.sh $CHUNKS first" >&2; exit 1; }
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q >/dev/null
RAG=(dotnet "$ROOT/src/RagService.Cli/bin/Release/net10.0/rag.dll" bench-scale --db "$DIR/store.db" --chunks "$CHUNKS" --embedding-model "$MODEL"
  --bm25-engine "${BM25_ENGINE:-lucene}")
"${RAG[@]}" --step prepare >/dev/null

echo "== $CHUNKS chunks; $(nproc) cores; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| round | DOTNET_ knobs | ORT spinning | mode | first answer after restart, wall (process CPU) | p50 ms | p99 ms | QPS wall / per CPU s, 4 callers | RSS MiB (peak) | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for combination in ${COMBINATIONS:-TieredPGO=1:on TieredPGO=1:off TieredPGO=0:on TieredPGO=0:off}; do
    knobs=${combination%:*}
    spinning=${combination##*:}
    knob_env=()
    IFS=, read -r -a settings <<< "$knobs"
    for setting in "${settings[@]}"; do knob_env+=("DOTNET_$setting"); done
    for step in bm25 dense hybrid hybrid+neighbours; do
      row=$(env "${knob_env[@]}" "${RAG[@]}" --step "$step" --intra-op-spinning "$spinning" --queries "${QUERIES:-200}" \
        --concurrent-queries "${CONCURRENT_QUERIES:-400}" | grep '^|')
      echo "| $round | $knobs | $spinning $row $(cut -d' ' -f1 /proc/loadavg) |"
    done
  done
done
echo "== load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
