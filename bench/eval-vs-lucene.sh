#!/usr/bin/env bash
# Runs the Lucene BM25 anchor and `rag eval` on the same data and chunks, plain and with title/contextual headers,
# and prints both side by side. Needs Java 17 and liblucene8-java (apt-get install -y liblucene8-java).
# usage: bench/eval-vs-lucene.sh [DATA.json]   (default ../shared/data/cmrc2018_trial.json)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(realpath "${1:-$ROOT/../shared/data/cmrc2018_trial.json}")
ANCHOR="$ROOT/../shared/anchors/lucene-bm25"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q >/dev/null
RAG="dotnet $ROOT/src/RagService.Cli/bin/Release/net10.0/rag.dll"

( cd "$ANCHOR" && ./run.sh "$DATA" "$OUT/lucene-plain.json" "$OUT/plain" >/dev/null \
  && LUCENE_TITLE_HEADER=1 ./run.sh "$DATA" "$OUT/lucene-title.json" "$OUT/title" >/dev/null )
$RAG eval "$DATA" --ranks "$OUT/ours-plain.tsv"
$RAG eval "$DATA" --headers --ranks "$OUT/ours-headers.tsv"

echo; echo "== plain chunks: Lucene SmartCn vs RagService"
python3 "$ROOT/bench/compare_lucene.py" "$DATA" "$OUT/plain" "$OUT/ours-plain.tsv"
echo; echo "== headers: Lucene SmartCn with title header vs RagService with contextual headers"
python3 "$ROOT/bench/compare_lucene.py" "$DATA" "$OUT/title" "$OUT/ours-headers.tsv"
echo; echo "== Lucene query throughput (chunk level, smartcn): QPS wall / CPU"
python3 - "$OUT/lucene-plain.json" "$OUT/lucene-title.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    for r in json.load(open(f))["runs"]:
        if r["granularity"] == "chunk" and r["analyzer"] == "smartcn":
            print(f"{f.rsplit('/', 1)[-1]}: {r['qps']:.0f} / {r['qps_cpu']:.0f}")
PY
