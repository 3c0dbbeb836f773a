#!/usr/bin/env bash
# Issue 11's "Done when": bm25, dense and the default (calibrated) hybrid side by side on the Chinese and the English
# trial sets with all-MiniLM-L6-v2 (anchor chunking, contextual headers as a new collection), then the check.
# Embeddings are cached in $RAG_EVAL_CACHE (default /tmp/rag-eval-cache-*.bin): the first run embeds ~5,000 chunks and
# ~6,000 questions (tens of minutes on a loaded 2-core machine), later runs only the calibration's pseudo-queries.
# usage: bench/eval-fusion.sh [DATA_DIR]   (default ../shared/data)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(realpath "${1:-$ROOT/../shared/data}")
CACHE=${RAG_EVAL_CACHE:-/tmp/rag-eval-cache}
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q >/dev/null
RAG="dotnet $ROOT/src/RagService.Cli/bin/Release/net10.0/rag.dll"
for set in cmrc2018_trial squad_v1.1_dev_trial; do
  $RAG eval "$DATA/$set.json" --mode all --headers --embedding-model "$ROOT/.models/all-MiniLM-L6-v2" \
    --embedding-cache "$CACHE-$set.bin" --json > "$CACHE-$set.json"
done
python3 - "$CACHE-cmrc2018_trial.json" "$CACHE-squad_v1.1_dev_trial.json" <<'PY'
import json, sys
cmrc, squad = (json.load(open(p))["modes"] for p in sys.argv[1:3])
for name, modes in (("cmrc2018_trial", cmrc), ("squad_v1.1_dev_trial", squad)):
    for mode, m in modes.items():
        print(f"{name:22} {mode:8} R@1 {m['recall@1']:.3f}  R@5 {m['recall@5']:.3f}  R@20 {m['recall@20']:.3f}  MRR@10 {m['mrr@10']:.3f}")
h, b = cmrc["hybrid"], cmrc["bm25"]
print(f"CMRC:  hybrid R@1 {h['recall@1']:.3f} >= bm25 R@1 - 0.01 ({b['recall@1'] - 0.01:.3f}): {h['recall@1'] >= b['recall@1'] - 0.01};"
      f" hybrid R@20 {h['recall@20']:.3f} >= bm25 R@20 ({b['recall@20']:.3f}): {h['recall@20'] >= b['recall@20']}")
h = squad["hybrid"]
for k in ("recall@1", "recall@20"):
    best = max(squad["bm25"][k], squad["dense"][k])
    print(f"SQuAD: hybrid {k} {h[k]:.3f} >= best single + 0.03 ({best + 0.03:.3f}): {h[k] >= best + 0.03 - 1e-9}")
PY
