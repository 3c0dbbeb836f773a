#!/usr/bin/env bash
# Query latency per mode with N chunks in the embedded store and a MiniLM-sized embedding model (L6 H384, random
# weights: same FLOPs as the real one) and a MiniLM-sized cross-encoder, built by bench/make-minilm-model.sh.
# hybrid+rerank is timed per candidate count (RERANK_CANDIDATES, default 10,20,30,50) with pairs bounded to
# RERANKER_MAX_TOKENS (default: the model's 128).
# usage: bench/search-latency.sh [CHUNKS] [QUERIES]     (default 100000 200)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODEL=$(mktemp -d)
RERANKER=$(mktemp -d)
trap 'rm -rf "$MODEL" "$RERANKER"' EXIT
"$ROOT/bench/make-minilm-model.sh" "$MODEL"
"$ROOT/bench/make-minilm-model.sh" "$RERANKER" --cross-encoder
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q >/dev/null
dotnet "$ROOT/src/RagService.Cli/bin/Release/net10.0/rag.dll" bench-search --embedding-model "$MODEL" --reranker-model "$RERANKER" --chunks "${1:-100000}" --queries "${2:-200}" \
  --rerank-candidates "${RERANK_CANDIDATES:-10,20,30,50}" ${RERANKER_MAX_TOKENS:+--reranker-max-tokens "$RERANKER_MAX_TOKENS"}
