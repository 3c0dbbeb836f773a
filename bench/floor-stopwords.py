#!/usr/bin/env python3
"""How the lexical floor's own criterion (docs/retrieval.md: a term is meaningful when it is in fewer than half of the
chunks, i.e. its Robertson-Sparck Jones weight is positive) judges stop-word-like terms in small collections.

For collections of N passages drawn at random (20 draws per N) it counts the English function words of Lucene's
standard English stop set that occur, and how many of them the criterion calls meaningful; and the same for the
character bigrams containing 的 (mostly bigrams across a word boundary, like 的披 of 的披萨) in the Chinese passages.
Terms are approximated as the service's mixed analyzer makes them: Latin words lower-cased, CJK character bigrams.
usage: bench/floor-stopwords.py [ENGLISH.json] [CHINESE.json] [SIZES]
       (CMRC/SQuAD trial format; default ../shared/data/squad_v1.1_dev_trial.json, ../shared/data/cmrc2018_trial.json,
        sizes 3,5,9,20,50,100,200)
"""
import json, math, os, random, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
english = sys.argv[1] if len(sys.argv) > 1 else f"{root}/../shared/data/squad_v1.1_dev_trial.json"
chinese = sys.argv[2] if len(sys.argv) > 2 else f"{root}/../shared/data/cmrc2018_trial.json"
sizes = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "3,5,9,20,50,100,200").split(",")]
STOP = ("a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
        "this to was will with").split()


def latin_words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def cjk_bigrams(text):
    grams, run = set(), ""
    for ch in text + " ":
        if "\u4e00" <= ch <= "\u9fff":
            run += ch
        else:
            grams.update(run[i:i + 2] for i in range(len(run) - 1))
            run = ""
    return grams


def meaningful(chunks, df):
    return df >= 1 and math.log((chunks - df + 0.5) / (df + 0.5)) > 0


rng = random.Random(1)
en_passages = [p["context_text"] for p in json.load(open(english, encoding="utf-8"))]
zh_passages = [p["context_text"] for p in json.load(open(chinese, encoding="utf-8"))]
print("passages | English stop words found | judged meaningful | 的-bigrams found | judged meaningful")
for n in sizes:
    if n > min(len(en_passages), len(zh_passages)):
        continue
    totals = [0, 0, 0, 0]
    for _ in range(20):
        en = [latin_words(t) for t in rng.sample(en_passages, n)]
        zh = [cjk_bigrams(t) for t in rng.sample(zh_passages, n)]
        found = [w for w in STOP if any(w in c for c in en)]
        de = {g for c in zh for g in c if "的" in g}
        counts = (len(found), sum(meaningful(n, sum(w in c for c in en)) for w in found),
                  len(de), sum(meaningful(n, sum(g in c for c in zh)) for g in de))
        totals = [t + c for t, c in zip(totals, counts)]
    f, m, d, dm = (t / 20 for t in totals)
    print(f"{n:8d} | {f:24.1f} | {m:8.1f} ({100 * m / max(f, 1e-9):3.0f} %) | {d:15.1f} | {dm:8.1f} ({100 * dm / max(d, 1e-9):3.0f} %)")
