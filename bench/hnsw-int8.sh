#!/usr/bin/env bash
# The HNSW bench once per vector quantisation (float32, int8), each in its own process so that the anonymous RSS
# growth over the build is that index's alone, then the summary rows together. Extra arguments go to both runs
# (e.g. --hnswlib for the float run's anchor table, --ef 64,128). Usage:
#   bench/hnsw-int8.sh DATA_DIR [bench options]      (DATA_DIR from ../shared/anchors/ann/gen.py)
set -euo pipefail
data=${1:?usage: bench/hnsw-int8.sh DATA_DIR [bench options]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build "$root/bench/RagService.Vectors.Hnsw.Bench" -c Release -v q >&2
dll="$root/bench/RagService.Vectors.Hnsw.Bench/bin/Release/net10.0/RagService.Vectors.Hnsw.Bench.dll"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for q in none int8; do
    echo "[hnsw-int8] $q: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    dotnet "$dll" "$data" --quantization "$q" --float-dir "$out" "$@" | tee "$out/$q.md"
done
echo
echo "Summary ($(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)):"
echo
grep -h -m1 '^| index ' "$out/none.md"
grep -h -m1 '^|---|---:|---:|---:|---:|---:|---|' "$out/none.md"
for q in none int8; do grep -h '^| RagService HNSW' "$out/$q.md" | tail -1; done
