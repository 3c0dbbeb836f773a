"""Search load against a running RagService on loopback, while (optionally) a sync job runs.

Used by bench/load-fault.sh. Each of N threads keeps one HTTP/1.1 connection and sends `search` requests back to back;
latencies and failures are recorded. A phase ends after --seconds, or when --until-job finishes (whichever is first).
Prints one JSON object: requests, errors, throughput (req/s), p50/p99 ms, and, with --until-job, the job's progress
samples (for the ingestion side).
"""
import argparse, http.client, json, os, random, threading, time

WORDS = "披萨 菜单 优惠 外卖 营业 时间 会员 积分 烤箱 清洁 故障 代码 门店 套餐 饮料 甜品 配送 价格 oven seal fan thermostat delivery coupon member points".split()


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--collection", default="bench")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--max-requests", type=int, default=200000)
    ap.add_argument("--until-job")
    ap.add_argument("--mode", default="bm25")
    args = ap.parse_args()
    # The service refuses requests without a key; the benchmark script passes its bootstrap key in the environment.
    key = {"X-Api-Key": os.environ["RAG_API_KEY"]} if os.environ.get("RAG_API_KEY") else {}

    stop = threading.Event()
    lock = threading.Lock()
    latencies, errors, samples = [], [], []
    count = [0]

    def searcher(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while not stop.is_set():
            with lock:
                if count[0] >= args.max_requests:
                    return
                count[0] += 1
            body = json.dumps({"query": " ".join(rng.choice(WORDS) for _ in range(3)), "topK": 5, "mode": args.mode})
            t0 = time.perf_counter()
            try:
                conn.request("POST", f"/v1/collections/{args.collection}/search", body, {"Content-Type": "application/json", **key})
                resp = conn.getresponse()
                data = resp.read()
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if resp.status == 200:
                        latencies.append(ms)
                    else:
                        errors.append(f"{resp.status}: {data[:200]!r}")
            except Exception as e:  # connection refused / reset: counted, and the connection is renewed
                with lock:
                    errors.append(repr(e)[:200])
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                time.sleep(0.05)
        conn.close()

    def job_watcher():
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while not stop.is_set():
            conn.request("GET", f"/v1/jobs/{args.until_job}?lists=false", headers=key)
            job = json.loads(conn.getresponse().read())
            samples.append((time.perf_counter(), job["progress"]["done"], job["state"]))
            if job.get("finishedAt"):
                stop.set()
                return
            time.sleep(0.05)

    started = time.perf_counter()
    threads = [threading.Thread(target=searcher, args=(i,), daemon=True) for i in range(args.threads)]
    if args.until_job:
        threads.append(threading.Thread(target=job_watcher, daemon=True))
    for t in threads:
        t.start()
    while time.perf_counter() - started < args.seconds and not stop.is_set() and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(timeout=35)
    elapsed = time.perf_counter() - started

    result = {
        "seconds": round(elapsed, 2),
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:3],
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) or 0, 1),
        "p99_ms": round(percentile(latencies, 99) or 0, 1),
    }
    if samples:
        # Ingestion side: time per document from progress samples 50 ms apart: the time since the previous progress,
        # shared by the documents that finished in it (so a slow document counts with all of its time).
        per_doc = []
        last_t, last_done = samples[0][0], samples[0][1]
        for t, done, _ in samples[1:]:
            if done > last_done:
                per_doc.extend([(t - last_t) * 1000 / (done - last_done)] * (done - last_done))
                last_t, last_done = t, done
        result["job"] = {
            "state": samples[-1][2],
            "done": samples[-1][1],
            "docs_per_s": round(samples[-1][1] / max(1e-9, samples[-1][0] - samples[0][0]), 1),
            "ms_per_doc_p50": round(percentile(per_doc, 50) or 0, 1),
            "ms_per_doc_p99": round(percentile(per_doc, 99) or 0, 1),
        }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
