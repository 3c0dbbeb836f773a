"""Top-10 overlap of RagService's BM25 and Java Lucene 8 on the same queries (bench/million.sh).
usage: compare.py OURS.tsv LUCENE.tsv   (each line: query index TAB chunk ids by rank, space-separated)
Prints the mean overlap of the two top-10 sets over queries either engine answers, the share of queries whose
top-10 lists are identical in order, and up to three differing queries."""
import sys


def read(path):
    ranks = {}
    for line in open(path, encoding="utf-8"):
        index, _, ids = line.rstrip("\n").partition("\t")
        ranks[int(index)] = ids.split()
    return ranks


ours, theirs = read(sys.argv[1]), read(sys.argv[2])
answered = [q for q in ours if ours[q] or theirs.get(q)]
overlaps = [len(set(ours[q][:10]) & set(theirs[q][:10])) / max(1, min(10, max(len(ours[q]), len(theirs[q])))) for q in answered]
same_order = sum(ours[q][:10] == theirs[q][:10] for q in answered)
print(f"top-10 overlap {sum(overlaps) / len(overlaps):.4f} over {len(answered)} queries; identical top-10 order in {same_order}")
for q in [q for q in answered if ours[q][:10] != theirs[q][:10]][:3]:
    print(f"  query {q}: ours {' '.join(ours[q][:10])} | lucene {' '.join(theirs[q][:10])}")
