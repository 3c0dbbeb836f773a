#!/usr/bin/env python3
"""Compares `rag eval --ranks` output with the Lucene anchor's ranks dump on the same chunks.

usage: compare_lucene.py DATA.json LUCENE_DUMP_DIR OURS_RANKS.tsv [--analyzer smartcn]
Prints recall@1/20 for both, and misses@20 over the questions whose answer is intact in some chunk.
"""
import json
import sys


def main():
    data_path, dump_dir, ours_path = sys.argv[1:4]
    analyzer = sys.argv[sys.argv.index("--analyzer") + 1] if "--analyzer" in sys.argv else "smartcn"
    data = json.load(open(data_path, encoding="utf-8"))
    texts = {c["context_id"]: c["context_text"] for c in data}
    chunks = []
    with open(f"{dump_dir}/chunks.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cid, start, end = line.rstrip("\n").split("\t")[:3]
            chunks.append(texts[cid][int(start):int(end)])
    answers = {}
    for c in data:
        for qa in c["qas"]:
            answers[qa["query_id"]] = [a.strip() for a in qa["answers"] if isinstance(a, str) and a.strip()]
    intact = {q for q, ans in answers.items() if any(a in ch for a in ans for ch in chunks)}

    lucene = {}
    with open(f"{dump_dir}/ranks.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            q, gran, an, crit, rank = line.rstrip("\n").split("\t")
            if gran == "chunk" and an == analyzer and crit == "answer_in_chunk":
                lucene[q] = int(rank)
    ours = dict((q, int(r)) for q, r in (l.rstrip("\n").split("\t") for l in open(ours_path, encoding="utf-8")))

    def stats(ranks):
        n = len(answers)
        r1 = sum(1 for q in answers if 0 < ranks.get(q, 0) <= 1) / n
        r20 = sum(1 for q in answers if 0 < ranks.get(q, 0) <= 20) / n
        misses = sum(1 for q in intact if not 0 < ranks.get(q, 0) <= 20)
        return r1, r20, misses

    print(f"questions {len(answers)}, chunks {len(chunks)}, answer intact in some chunk: {len(intact)}")
    print(f"{'system':<22} {'R@1':>6} {'R@20':>6} {'intact misses@20':>17}")
    for name, ranks in ((f"lucene {analyzer}", lucene), ("ragservice", ours)):
        r1, r20, misses = stats(ranks)
        print(f"{name:<22} {r1:6.3f} {r20:6.3f} {misses:17d}")


if __name__ == "__main__":
    main()
