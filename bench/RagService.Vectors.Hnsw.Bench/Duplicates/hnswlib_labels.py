#!/usr/bin/python3
"""hnswlib (Debian python3-hnswlib) on base.fvecs, items added in file order; the labels it returns for query.fvecs.

For every --threads value: build (space='ip', M, ef_construction, add_items with that many threads), then for every
k:ef pair of --k-ef the top-k labels of every query at that ef. Prints a JSON array to stdout; the C# bench's
duplicates mode scores the labels itself (tie-aware recall).
"""
import argparse
import json
import time

import hnswlib
import numpy as np


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    d = int(raw[0])
    return np.ascontiguousarray(raw.reshape(-1, d + 1)[:, 1:]).view(dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--M", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--k-ef", default="10:100,100:200")
    a = ap.parse_args()
    base = read_vecs(f"{a.dir}/base.fvecs", np.float32)
    queries = read_vecs(f"{a.dir}/query.fvecs", np.float32)
    k_ef = [tuple(int(x) for x in pair.split(":")) for pair in a.k_ef.split(",")]
    out = []
    for threads in (int(t) for t in a.threads.split(",")):
        index = hnswlib.Index(space="ip", dim=base.shape[1])
        index.init_index(max_elements=len(base), ef_construction=a.ef_construction, M=a.M)
        t0, c0 = time.perf_counter(), time.process_time()
        index.add_items(base, np.arange(len(base)), num_threads=threads)
        build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
        labels = {}
        for k, ef in k_ef:
            index.set_ef(ef)
            found, _ = index.knn_query(queries, k=min(k, len(base)), num_threads=1)
            labels[k] = found.tolist()
        out.append({"threads": threads, "build_seconds": build, "build_cpu_seconds": build_cpu, "labels": labels})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
