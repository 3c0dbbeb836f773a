#!/usr/bin/env bash
# Embedding throughput of the service's ONNX path (Microsoft.ML.OnnxRuntime) vs onnxruntime-node on the same models and
# inputs (random-weight MiniLM and BERT-base graphs, the real all-MiniLM-L6-v2, a tiny graph for per-call overhead).
# onnxruntime-node is a benchmark-only dependency: installed here from npm into .tools/ort-node, never by setup or run.
#   bench/onnx-throughput.sh [--rounds N] [--only tiny|minilm|all-minilm|bert] [--no-spin]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ORT_NODE_VERSION=1.30.0
"$ROOT/deploy/setup.sh"
if [ ! -f "$ROOT/.tools/ort-node/node_modules/onnxruntime-node/package.json" ]; then
  echo "bench: installing onnxruntime-node@$ORT_NODE_VERSION from npm (benchmark only)"
  mkdir -p "$ROOT/.tools/ort-node"
  ( cd "$ROOT/.tools/ort-node"
    [ -f package.json ] || echo '{"name":"ragservice-ort-bench","private":true}' > package.json
    npm install --no-audit --no-fund --ignore-scripts --loglevel=error "onnxruntime-node@$ORT_NODE_VERSION" >/dev/null )
fi
exec dotnet run -c Release --project "$ROOT/bench/RagService.Onnx.Bench" -- "$@"
