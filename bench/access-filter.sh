#!/usr/bin/env bash
# Search latency under per-document access filters: CHUNKS synthetic chunks in the embedded store (documents spread
# over 100 access groups), timed per mode (bm25, dense, hybrid) for the unfiltered admin and for callers who may read
# 1 %, 10 % and 100 % of the documents, with a MiniLM-sized embedding model (L6 H384, random weights: the same FLOPs
# as the real one) built by bench/make-minilm-model.sh. Prints p50 / p99 and the p50 ratio to the unfiltered search;
# asserts nothing (the issue's goal is <= 1.5x).
# ENGINE is the BM25 engine timed (bm25 and hybrid rows): memory or lucene.
# usage: bench/access-filter.sh [CHUNKS] [QUERIES] [VISIBLE] [ENGINE]     (default 100000 200 1,10,100 memory)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODEL=$(mktemp -d)
trap 'rm -rf "$MODEL"' EXIT
"$ROOT/bench/make-minilm-model.sh" "$MODEL"
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q >/dev/null
dotnet "$ROOT/src/RagService.Cli/bin/Release/net10.0/rag.dll" bench-search --embedding-model "$MODEL" \
  --chunks "${1:-100000}" --queries "${2:-200}" --visible "${3:-1,10,100}" --bm25-engine "${4:-memory}"
