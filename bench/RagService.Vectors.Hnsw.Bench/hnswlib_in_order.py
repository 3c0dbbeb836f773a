#!/usr/bin/python3
"""hnswlib (Debian python3-hnswlib) on a data set in .fvecs/.ivecs layout, items added in file order.

For every --threads value: build (space='ip', M, ef_construction, add_items with that many threads), then for every
k of --k-ef (k:ef pairs) recall against groundtruth.ivecs and single-thread QPS (warm-up, median of >= 3 passes
totalling >= 1 s). Prints a JSON array to stdout. Called by the C# bench's real-text mode.
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


def timed_qps(index, queries, k):
    index.knn_query(queries, k=k, num_threads=1)
    times = []
    while len(times) < 3 or (sum(times) < 1.0 and len(times) < 20):
        t0 = time.perf_counter()
        index.knn_query(queries, k=k, num_threads=1)
        times.append(time.perf_counter() - t0)
    return len(queries) / sorted(times)[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", default="1,2,4")
    ap.add_argument("--M", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--k-ef", default="1:64,10:64,100:200")
    a = ap.parse_args()
    base = read_vecs(f"{a.dir}/base.fvecs", np.float32)
    queries = read_vecs(f"{a.dir}/query.fvecs", np.float32)
    truth = read_vecs(f"{a.dir}/groundtruth.ivecs", np.int32)
    k_ef = [tuple(int(x) for x in pair.split(":")) for pair in a.k_ef.split(",")]
    out = []
    for threads in (int(t) for t in a.threads.split(",")):
        index = hnswlib.Index(space="ip", dim=base.shape[1])
        index.init_index(max_elements=len(base), ef_construction=a.ef_construction, M=a.M)
        t0 = time.perf_counter()
        index.add_items(base, np.arange(len(base)), num_threads=threads)
        build = time.perf_counter() - t0
        recall, qps = {}, {}
        for k, ef in k_ef:
            index.set_ef(ef)
            labels, _ = index.knn_query(queries, k=k, num_threads=1)
            hits = sum(len(set(labels[i]) & set(truth[i, :k])) for i in range(len(queries)))
            recall[k] = hits / (len(queries) * k)
            qps[k] = timed_qps(index, queries, k)
        out.append({"threads": threads, "build_seconds": build, "recall": recall, "qps": qps})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
