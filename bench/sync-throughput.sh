#!/usr/bin/env bash
# Ingestion throughput through the real service and `rag sync`: a synthetic folder of N markdown documents
# (mixed Chinese/English, ~2 KB, several chunks each) synced in full, then again after changing 1% of the files.
# Prints documents/s and chunks/s of the full sync (server-side job time and end-to-end CLI time) and the 1% sync time.
# Usage: bench/sync-throughput.sh [DOCS] [--minilm]   (default 10000; --minilm embeds every chunk with a MiniLM-sized
# model built by bench/make-minilm-model.sh, otherwise BM25 only)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-10000}
MODEL_ARGS=()
LABEL="BM25 only, no embedding model"
. "$ROOT/bench/lib/service.sh"
if [ "${2:-}" = "--minilm" ]; then
  "$ROOT/bench/make-minilm-model.sh" "$WORK/minilm"
  MODEL_ARGS=(--Rag:Embedding:ModelDirectory="$WORK/minilm" --Rag:Embedding:IntraOpThreads=2)
  LABEL="every chunk embedded with a MiniLM-sized model (L6 H384)"
fi

python3 - "$WORK/docs" "$N" <<'PY'
import os, sys, random
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
zh = "披萨 菜单 优惠 外卖 营业 时间 会员 积分 烤箱 清洁 故障 代码 门店 套餐 饮料 甜品 配送 价格".split()
en = "oven seal fan thermostat delivery coupon member points menu store hours promotion cleaning".split()
for i in range(n):
    d = os.path.join(root, f"section-{i % 50:02d}")
    os.makedirs(d, exist_ok=True)
    parts = [f"# 文档 {i} Document {i}\n"]
    for s in range(4):
        parts.append(f"\n## 第{s}节 Section {s}\n\n")
        for _ in range(5):
            parts.append("".join(rng.choice(zh) for _ in range(8)) + "。" + " ".join(rng.choice(en) for _ in range(8)) + f" code XK-{rng.randint(100, 999)}. ")
    with open(os.path.join(d, f"doc-{i:05d}.md"), "w", encoding="utf-8") as f:
        f.write("".join(parts))
PY

bench_service_start --Rag:Sync:MaxEntries=$((N + 100)) "${MODEL_ARGS[@]}"

t0=$(date +%s.%N)
dotnet "$RAG" sync "$WORK/docs" --collection bench --create --prune --url "$URL" >"$WORK/full.txt" 2>/dev/null
t1=$(date +%s.%N)
full_job=$(bench_job_seconds)
read -r docs chunks < <(curl -fs -H "X-Api-Key: $RAG_API_KEY" "$URL/v1/collections/bench" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["documents"], s["chunks"])')

python3 - "$WORK/docs" "$N" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(0, n, 100):
    p = os.path.join(root, f"section-{i % 50:02d}", f"doc-{i:05d}.md")
    with open(p, "a", encoding="utf-8") as f:
        f.write("\n\n## 更新 Update\n\n本周新品上市。New item this week.\n")
PY
t2=$(date +%s.%N)
dotnet "$RAG" sync "$WORK/docs" --collection bench --prune --url "$URL" >"$WORK/delta.txt" 2>/dev/null
t3=$(date +%s.%N)
delta_job=$(bench_job_seconds)

python3 - "$N" "$docs" "$chunks" "$t0" "$t1" "$full_job" "$t2" "$t3" "$delta_job" "$LABEL" <<'PY'
import sys
n, docs, chunks = map(int, sys.argv[1:4])
t0, t1, full_job, t2, t3, delta_job = map(float, sys.argv[4:10])
full = t1 - t0
print(f"folder: {n} documents -> {docs} documents, {chunks} chunks ({sys.argv[10]})")
print(f"full sync, server job: {full_job:.1f} s = {docs / full_job:.0f} documents/s, {chunks / full_job:.0f} chunks/s")
print(f"full sync, end to end (rag sync: hash, zip, upload, job): {full:.1f} s = {docs / full:.0f} documents/s, {chunks / full:.0f} chunks/s")
print(f"1% change ({n // 100} files edited): server job {delta_job:.2f} s, end to end {t3 - t2:.2f} s")
PY
sed -n '1,7p' "$WORK/delta.txt"
