#!/usr/bin/env bash
# Issue 32's "Done when": context recall of the prompt's sources block (gold answer inside one source) at 500, 1,000 and
# 2,000 tokens of the embedding model's tokenizer, the hits as retrieved ("today") against the assembled context stage,
# per mode, beside R@5, on the Chinese and the English trial sets, from the top 5 hits (ask's default topK) and the top 20.
# Same indexing as bench/eval-fusion.sh (anchor chunking, contextual headers, all-MiniLM-L6-v2, calibrated hybrid) and
# the same embedding cache ($RAG_EVAL_CACHE): the first run embeds everything (tens of minutes on a loaded 2-core machine).
# usage: bench/eval-context.sh [DATA_DIR]   (default ../shared/data)
set -euo pipefail
data=$(realpath "${1:-$(dirname "$0")/../../shared/data}")
cd "$(dirname "$0")/.."
out=${RAG_EVAL_CACHE:-/tmp/rag-eval-cache}
dotnet build src/RagService.Cli -c Release -v q >/dev/null
for name in cmrc2018_trial squad_v1.1_dev_trial; do
  dotnet src/RagService.Cli/bin/Release/net10.0/rag.dll eval "$data/$name.json" --mode all --headers --embedding-model .models/all-MiniLM-L6-v2 \
    --embedding-cache "$out-$name.bin" --context-budget 500,1000,2000 --context-hits 5,20 --json > "$out-$name-context.json"
done
python3 - "$out-cmrc2018_trial-context.json" "$out-squad_v1.1_dev_trial-context.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    report = json.load(open(path))
    name = path.rsplit("/", 1)[-1].replace("-context.json", "")
    print(f"{name}: tokens by {report['context']['counter']}")
    print("mode     hits budget   R@5  | today recall tokens sources | assembled recall tokens(max) sources")
    for mode, depths in report["context"]["modes"].items():
        r5 = report["modes"][mode]["recall@5"]
        for hits, budgets in depths.items():
            for budget, a in budgets.items():
                t, n = a["today"], a["assembled"]
                print(f"{mode:8} {hits:>4} {budget:>6} {r5:.3f} | {t['context_recall']:.3f} {t['mean_tokens']:6.0f} {t['mean_sources']:5.2f}"
                      f" | {n['context_recall']:.3f} {n['mean_tokens']:6.0f}({n['max_tokens']:4}) {n['mean_sources']:5.2f}")
        a = depths["5"]["1000"]["assembled"]
        print(f"  check {mode}: 5 hits, 1,000 tokens: assembled {a['context_recall']:.3f} >= R@5 {r5:.3f}: {a['context_recall'] >= r5};"
              f" above today at every budget and depth: {all(b['assembled']['context_recall'] > b['today']['context_recall'] for d in depths.values() for b in d.values())}")
PY
