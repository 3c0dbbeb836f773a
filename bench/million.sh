#!/usr/bin/env bash
# The query path at scale, end to end, with Java Lucene 8 as the BM25 anchor in the same run (docs/retrieval.md,
# "A million chunks end to end"). Chunks are synthetic (Chinese-like, every 4th English-like) with RANDOM unit vectors of
# the embedding model's dimension: embedding a million chunks on this machine's cores does not fit a run, and only the
# queries are embedded at search time (with the real model). The store, its indexes and the anchor's indexes are filled
# once and kept under $RAG_MILLION_DIR/CHUNKS (default /tmp/rag-million); later runs reuse them.
#   1. prepare: fill the store if missing, build/load the BM25 and vector indexes;
#   2. per mode (bm25, dense, hybrid, hybrid+neighbours), each in a fresh process (a restart): first answer after start,
#      p50/p99 of one caller (QUERIES, default 200), QPS wall / per CPU second of 4 callers (CONCURRENT_QUERIES, 400), RSS;
#   3. anchor: our BM25 engine with header weight 0 and Java Lucene 8 BM25(1.2, 0.75) over the same analyzed terms,
#      ANCHOR_QUERIES (default 1000) queries top 100 on one thread (timed on a second pass): QPS per CPU second, their ratio, top-10 overlap;
#      Lucene once with its own lossy one-byte length norms and once with exact lengths.
# Needs Java 17 and liblucene8-java. BM25_ENGINE=memory|lucene picks our engine (default lucene). Stops by itself.
# usage: bench/million.sh [CHUNKS]     (default 1000000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHUNKS=${1:-1000000}
DIR=${RAG_MILLION_DIR:-/tmp/rag-million}/$CHUNKS
MODEL=${RAG_EMBEDDING_MODEL:-$ROOT/.models/all-MiniLM-L6-v2}
JARS=${LUCENE_JARS:-/usr/share/java}
CP="$JARS/lucene-core-8.7.0.jar:$JARS/lucene-analyzers-common-8.7.0.jar"
[ -f "$DIR/store.db" ] || rm -rf "$DIR/anchor"   # a new fill: the anchor's terms and Lucene indexes are stale
mkdir -p "$DIR/anchor/classes"
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Cli" -c Release -v q >/dev/null
javac -encoding UTF-8 -Xlint:all -cp "$CP" -d "$DIR/anchor/classes" "$ROOT/bench/million-anchor/LuceneTermsAnchor.java"
RAG=(dotnet "$ROOT/src/RagService.Cli/bin/Release/net10.0/rag.dll" bench-scale --db "$DIR/store.db" --chunks "$CHUNKS" --embedding-model "$MODEL"
  --bm25-engine "${BM25_ENGINE:-lucene}")

echo "== $CHUNKS chunks in $DIR; $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
"${RAG[@]}" --step prepare

echo
echo "| mode | first answer after restart, wall (process CPU) | p50 ms | p99 ms | QPS wall / per CPU s, 4 callers | RSS MiB (peak) |"
echo "|---|---|---|---|---|---|"
for step in bm25 dense hybrid hybrid+neighbours; do
  "${RAG[@]}" --step "$step" --queries "${QUERIES:-200}" --concurrent-queries "${CONCURRENT_QUERIES:-400}" | grep '^|'
done

echo
echo "== BM25 anchor: the same analyzed terms in Java Lucene 8, BM25(k1 1.2, b 0.75), top 100, one caller"
ours=$("${RAG[@]}" --step anchor --anchor-dir "$DIR/anchor" --anchor-queries "${ANCHOR_QUERIES:-1000}")
echo "$ours"
for sim in bm25 exact; do
  theirs=$(java -Xmx2g -cp "$DIR/anchor/classes:$CP" LuceneTermsAnchor "$DIR/anchor" "$sim")
  echo "$theirs"
  python3 - "$ours" "$theirs" <<'PY'
import re, sys
ours, theirs = (float(re.findall(r"([0-9.]+) per CPU second", s)[-1]) for s in sys.argv[1:])
print(f"  QPS per CPU second, ours / Java Lucene: {ours / theirs:.2f}")
PY
  python3 "$ROOT/bench/million-anchor/compare.py" "$DIR/anchor/ours.tsv" "$DIR/anchor/lucene8-$sim.tsv" | sed 's/^/  /'
done
echo "== load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
