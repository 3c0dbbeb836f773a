#!/usr/bin/env bash
# Runs every benchmark script of bench/ once at tiny sizes (seconds each), so that a benchmark that no longer starts
# (a new mandatory setting, a renamed option, a missing key) is noticed by ./test.sh instead of by the next person who
# needs its numbers. It checks only that each one runs to the end and prints its summary line; timings are never
# judged. Helpers (make-minilm-model.sh, add_cross_encoder_head.py, compare_lucene.py, ort-node-bench.js, load/*.py)
# run inside the benchmarks that use them.
# A benchmark whose prerequisite lives outside this repository (../shared/anchors, Debian's liblucene8-java) is
# reported as skipped with that reason; any other failure fails, with the benchmark's last lines.
# The last line has the shape of a test project's result, which ./test.sh adds to its totals:
#   "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T - bench/smoke.sh"
# usage: bench/smoke.sh [NAME...]   (default: all; RAG_BENCH_SMOKE_TIMEOUT per benchmark, default 600 s)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LIMIT=${RAG_BENCH_SMOKE_TIMEOUT:-600}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0; skipped=0

# A small QA set in the CMRC 2018 / SQuAD trial format (both names, as eval-fusion.sh reads them): 40 passages of
# mixed Chinese and English, one question each whose answer is in its passage.
mkdir -p "$WORK/data"
python3 - "$WORK/data" <<'PY'
import json, random, sys
rng = random.Random(7)
zh = "披萨 菜单 优惠 外卖 营业 时间 会员 积分 烤箱 清洁 故障 代码 门店 套餐 饮料 甜品 配送 价格".split()
en = "oven seal fan thermostat delivery coupon member points menu store hours promotion cleaning".split()
items = []
for i in range(40):
    code = f"XK-{100 + i}"
    text = " ".join("".join(rng.choice(zh) for _ in range(6)) + "。" + " ".join(rng.choice(en) for _ in range(8)) + "." for _ in range(4))
    text += f" 第{i}号门店的故障代码是{code}。 Store {i} reports error {code}."
    items.append({"context_id": f"c{i}", "title": f"门店 {i} Store {i}", "context_text": text,
                  "qas": [{"query_id": f"q{i}", "query_text": f"第{i}号门店的故障代码是什么？ Which error does store {i} report?", "answers": [code]}]})
for name in ("cmrc2018_trial", "squad_v1.1_dev_trial"):
    json.dump(items, open(f"{sys.argv[1]}/{name}.json", "w", encoding="utf-8"), ensure_ascii=False)
PY

# The service and the CLI are built once here; the benchmarks skip their own build (RAG_BENCH_NO_BUILD).
if ! dotnet build src/RagService.Api -c Release -v q -nologo >"$WORK/build.log" 2>&1 || ! dotnet build src/RagService.Cli -c Release -v q -nologo >>"$WORK/build.log" 2>&1; then
  echo "bench smoke: building src/RagService.Api and src/RagService.Cli failed:"; tail -n 20 "$WORK/build.log" | sed 's/^/    /'
  echo "Failed!  - Failed: 1, Passed: 0, Skipped: 0, Total: 1 - bench/smoke.sh"
  exit 1
fi
export RAG_BENCH_NO_BUILD=1

# name | the line its summary prints (extended regex, no '|') | command
BENCHES=(
  "auth-overhead|Rag:Auth:Mode=none +p50|bench/auth-overhead.sh 20"
  "load-fault|file check: ok|bench/load-fault.sh 30 2 1"
  "sync-throughput|full sync, end to end|bench/sync-throughput.sh 40"
  "search-latency|queries per mode|env RERANK_CANDIDATES=10 bench/search-latency.sh 300 5"
  "onnx-throughput|load average at end|bench/onnx-throughput.sh --rounds 1 --only tiny --tiny-seconds 1"
  "eval-fusion|CMRC: +hybrid R@1|env RAG_EVAL_CACHE=$WORK/eval-cache bench/eval-fusion.sh $WORK/data"
  "eval-vs-lucene|Lucene query throughput|bench/eval-vs-lucene.sh $WORK/data/cmrc2018_trial.json"
  "calibration-burst|calibrated .* after it|python3 bench/calibration-burst.py 40 0 $WORK/data/squad_v1.1_dev_trial.json"
  "qdrant-breaker-latency|ready: vectors|bench/qdrant-breaker-latency.sh"
  "store-compare|^database bytes|env RAG_BENCH_DATA=$WORK/data/cmrc2018_trial.json bench/store-compare.sh 100 5 5"
  "floor-stopwords|^ +9 [^0-9]|python3 bench/floor-stopwords.py $WORK/data/squad_v1.1_dev_trial.json $WORK/data/cmrc2018_trial.json 3,9"
)

# Why a benchmark cannot run here for a reason outside this repository, or nothing.
missing_prerequisite() {
  case "$1" in
    eval-vs-lucene)
      [ -x "$ROOT/../shared/anchors/lucene-bm25/run.sh" ] || { echo "needs the Lucene anchor at ../shared/anchors/lucene-bm25 (outside this repository)"; return; }
      compgen -G "/usr/share/java/lucene-core-8*.jar" >/dev/null || echo "needs Debian's liblucene8-java (apt-get install liblucene8-java)" ;;
  esac
}

for entry in "${BENCHES[@]}"; do
  IFS='|' read -r name summary command <<<"$entry"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  reason=$(missing_prerequisite "$name")
  if [ -n "$reason" ]; then
    echo "bench smoke: $name skipped: $reason"
    skipped=$((skipped + 1)); continue
  fi
  started=$(date +%s)
  # shellcheck disable=SC2086 # the command's words are split on purpose
  timeout "$LIMIT" $command >"$WORK/$name.log" 2>&1
  rc=$?
  took=$(( $(date +%s) - started ))
  if [ $rc -eq 0 ] && grep -Eq "$summary" "$WORK/$name.log"; then
    echo "bench smoke: $name ok (${took} s): $(grep -E "$summary" "$WORK/$name.log" | head -1 | cut -c1-160)"
    passed=$((passed + 1))
  else
    why=$([ $rc -eq 124 ] && echo "timed out after $LIMIT s" || echo "exit $rc")
    echo "bench smoke: $name FAILED ($why, ${took} s; no line matching '$summary' or a failing exit): $command"
    tail -n 15 "$WORK/$name.log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done

outcome=$([ $failed -eq 0 ] && echo "Passed!" || echo "Failed!")
echo "$outcome  - Failed: $failed, Passed: $passed, Skipped: $skipped, Total: $((passed + failed + skipped)) - bench/smoke.sh"
[ $failed -eq 0 ]
