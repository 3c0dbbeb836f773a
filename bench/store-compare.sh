#!/usr/bin/env bash
# SQLite and PostgreSQL stores side by side in one run, same corpus, same service build, over HTTP on loopback:
#   1. the CMRC trial contexts (one document each) with the real all-MiniLM-L6-v2 (.models): ingest documents/s and
#      chunks/s, then search p50/p99 for bm25, dense and hybrid over the trial questions;
#   2. SYNTHETIC_CHUNKS synthetic chunks (10 per document, no embedding model: it measures the store, not the model):
#      ingest chunks/s and bm25 p50/p99;
#   3. the first answered search after a restart, and the database size.
# PostgreSQL is a private cluster started by tests/postgres/start.sh (or RAG_POSTGRES's server, a database per store run).
# Prints numbers and ratios (postgres / sqlite); asserts nothing.
# usage: bench/store-compare.sh [SYNTHETIC_CHUNKS] [QUERIES] [CMRC_DOCS]   (default 100000 300 256)
# RAG_BENCH_API: the service's dll to run (default: this tree's Release build).
# RAG_BENCH_ARGS: more service settings for both stores, e.g. "--Rag:ChunkCache:MaxBytes=0" (the chunk cache off).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SYNTH=${1:-100000}; QUERIES=${2:-300}; DOCS=${3:-256}
DATA=${RAG_BENCH_DATA:-$ROOT/../shared/data/cmrc2018_trial.json}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Api" -c Release -v q -nologo >/dev/null
cd "$ROOT"
. tests/postgres/start.sh
python3 - "$ROOT" "$DATA" "$SYNTH" "$QUERIES" "$DOCS" <<'PY'
import json, os, random, socket, subprocess, sys, tempfile, time, urllib.request, urllib.error, shutil
root, data, synth, queries, docs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
api = os.environ.get("RAG_BENCH_API") or f"{root}/src/RagService.Api/bin/Release/net10.0/RagService.Api.dll"
model = f"{root}/.models/all-MiniLM-L6-v2"
admin = "bench-admin-key-0123456789abcdef"
pg_admin = os.environ["RAG_POSTGRES"]
corpus = json.load(open(data))[:docs]
questions = [q["query_text"] for c in corpus for q in c["qas"]][:queries]

def psql(sql, db="postgres"):
    host = dict(kv.split("=", 1) for kv in pg_admin.split(";") if kv)
    env = dict(os.environ, PGHOST=host["Host"], PGPORT=host.get("Port", "5432"), PGUSER=host["Username"], PGPASSWORD=host.get("Password", ""))
    return subprocess.run(["psql", "-At", "-d", db, "-c", sql], env=env, check=True, capture_output=True, text=True).stdout.strip()

def call(port, method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"X-Api-Key": admin, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read() or b"null")

class Service:
    def __init__(self, store, folder, db, embedding):
        self.args = ["dotnet", api, f"--Rag:DatabasePath={folder}/rag.db", f"--Rag:Auth:BootstrapKey={admin}", "--Serilog:MinimumLevel:Default=Warning",
                     "--Rag:RateLimits:PerKey:PermitLimit=0", "--Rag:RateLimits:PerIp:PermitLimit=0", f"--Rag:Store={store}",
                     "--Rag:Retrieval:Calibration:MinimumChunks=1000000000"] + os.environ.get("RAG_BENCH_ARGS", "").split()
        if store == "postgres":
            self.args.append(f"--Rag:Postgres:ConnectionString={pg_admin.replace('Database=postgres', 'Database=' + db)}")
        if embedding:
            self.args.append(f"--Rag:Embedding:ModelDirectory={model}")
    def start(self):
        s = socket.socket(); s.bind(("127.0.0.1", 0)); self.port = s.getsockname()[1]; s.close()
        self.proc = subprocess.Popen(self.args + [f"--urls=http://127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/live", timeout=1); return
            except Exception:
                time.sleep(0.1)
        raise SystemExit("the service did not start")
    def stop(self):
        self.proc.terminate(); self.proc.wait()

def pct(values, p):
    v = sorted(values); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000

def searches(port, collection, mode, qs):
    times = []
    for q in qs:
        t = time.perf_counter(); call(port, "POST", f"/v1/collections/{collection}/search", {"query": q, "mode": mode, "topK": 10}); times.append(time.perf_counter() - t)
    return pct(times, 50), pct(times, 99)

def size(store, folder, db):
    if store == "sqlite":
        return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if f.startswith("rag.db") and os.path.isfile(os.path.join(folder, f)))
    return int(psql(f"SELECT pg_database_size('{db}')"))

results = {}
rng = random.Random(7)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(20000)]
for store in ("sqlite", "postgres"):
    folder = tempfile.mkdtemp(prefix=f"ragsvc-bench-{store}-")
    db = f"bench_{store}_{os.getpid()}"
    if store == "postgres":
        psql(f"CREATE DATABASE {db}")
    r = results[store] = {}
    svc = Service(store, folder, db, embedding=True); svc.start()
    call(svc.port, "POST", "/v1/collections", {"name": "cmrc"})
    t = time.perf_counter()
    for c in corpus:
        call(svc.port, "POST", "/v1/collections/cmrc/documents", {"id": c["context_id"], "title": c["title"], "text": c["context_text"]})
    took = time.perf_counter() - t
    chunks = call(svc.port, "GET", "/v1/collections/cmrc")["chunks"]
    r["cmrc docs/s"], r["cmrc chunks/s"] = len(corpus) / took, chunks / took
    for mode in ("bm25", "dense", "hybrid"):
        searches(svc.port, "cmrc", mode, questions[:20])  # warm the indexes and the model
        r[f"{mode} p50 ms"], r[f"{mode} p99 ms"] = searches(svc.port, "cmrc", mode, questions)
    svc.stop()
    t = time.perf_counter(); svc.start(); call(svc.port, "POST", "/v1/collections/cmrc/search", {"query": questions[0], "mode": "hybrid"})
    r["first answer after restart s"] = time.perf_counter() - t
    svc.stop()
    plain = Service(store, folder, db, embedding=False); plain.start()
    call(plain.port, "POST", "/v1/collections", {"name": "synthetic"})
    t = time.perf_counter()
    for d in range(synth // 10):
        text = "\n\n".join(" ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(10))
        call(plain.port, "POST", "/v1/collections/synthetic/documents", {"id": f"s{d}", "text": text})
    took = time.perf_counter() - t
    r["synthetic chunks"] = call(plain.port, "GET", "/v1/collections/synthetic")["chunks"]
    r["synthetic chunks/s"] = r["synthetic chunks"] / took
    synth_q = [" ".join(rng.choice(words) for _ in range(3)) for _ in range(queries)]
    searches(plain.port, "synthetic", "bm25", synth_q[:20])
    r["synthetic bm25 p50 ms"], r["synthetic bm25 p99 ms"] = searches(plain.port, "synthetic", "bm25", synth_q)
    plain.stop()
    r["database bytes"] = size(store, folder, db)
    shutil.rmtree(folder, ignore_errors=True)
    if store == "postgres":
        psql(f"DROP DATABASE {db} WITH (FORCE)")

print(f"{'':32} {'sqlite':>12} {'postgres':>12} {'pg/sqlite':>10}")
for key in results["sqlite"]:
    a, b = results["sqlite"][key], results["postgres"][key]
    print(f"{key:32} {a:12.2f} {b:12.2f} {b / a if a else float('nan'):10.2f}")
PY
