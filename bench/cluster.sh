#!/usr/bin/env bash
# Replicas on one PostgreSQL database, over HTTP on loopback, for 1, 2 and 3 replicas (a database per run):
#   1. write -> visible on another replica: a steady writer posts documents to replica 0 at WRITE_RATE per second, and
#      for each one a reader polls replica (1 % N) with a plain search (no minVersion) for the document's unique word
#      until it is found; p50 / p99 of (found - write answered), ms. With one replica, "another" is the same one.
#   2. search QPS: SEARCH_THREADS threads spread round-robin over the replicas, bm25 searches for SEARCH_SECONDS.
#   3. failover of a job after kill -9 (2 and 3 replicas): a sync job of JOB_DOCS documents is posted to replica 0 and
#      the replica holding its lease is killed with SIGKILL once the job has written a document; the time until another
#      replica holds the lease (read in the jobs table every 20 ms) is printed beside the lease (LEASE s, heartbeat 1 s).
#      Goal: <= lease + 2 s.
# PostgreSQL is a private cluster started by tests/postgres/start.sh (or RAG_POSTGRES's server). Prints numbers and
# ratios; asserts nothing.
# usage: bench/cluster.sh [WRITES] [WRITE_RATE] [SEARCH_SECONDS] [SEARCH_THREADS] [LEASE] [JOB_DOCS]   (default 200 10 20 4 5 1000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WRITES=${1:-200}; RATE=${2:-10}; SECONDS_=${3:-20}; THREADS=${4:-4}; LEASE=${5:-5}; JOB_DOCS=${6:-1000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${RAG_BENCH_NO_BUILD:-}" ] || dotnet build "$ROOT/src/RagService.Api" -c Release -v q -nologo >/dev/null
cd "$ROOT"
. tests/postgres/start.sh
python3 - "$ROOT" "$WRITES" "$RATE" "$SECONDS_" "$THREADS" "$LEASE" "$JOB_DOCS" <<'PY'
import io, json, os, shutil, socket, subprocess, sys, tempfile, threading, time, urllib.request, zipfile
root, writes, rate, seconds, threads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
lease, job_docs = int(sys.argv[6]), int(sys.argv[7])
api = f"{root}/src/RagService.Api/bin/Release/net10.0/RagService.Api.dll"
admin = "bench-admin-key-0123456789abcdef"
pg_admin = os.environ["RAG_POSTGRES"]

def psql(sql, db="postgres"):
    host = dict(kv.split("=", 1) for kv in pg_admin.split(";") if kv)
    env = dict(os.environ, PGHOST=host["Host"], PGPORT=host.get("Port", "5432"), PGUSER=host["Username"], PGPASSWORD=host.get("Password", ""))
    return subprocess.run(["psql", "-At", "-d", db, "-c", sql], env=env, check=True, capture_output=True, text=True).stdout.strip()

def call(port, method, path, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=data, headers={"X-Api-Key": admin, "Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")

def start(folder, db):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    args = ["dotnet", api, f"--urls=http://127.0.0.1:{port}", f"--Rag:DatabasePath={folder}/rag.db", f"--Rag:Auth:BootstrapKey={admin}",
            "--Serilog:MinimumLevel:Default=Warning", "--Rag:RateLimits:PerKey:PermitLimit=0", "--Rag:RateLimits:PerIp:PermitLimit=0",
            f"--Rag:Sync:LeaseSeconds={lease}", "--Rag:Sync:HeartbeatSeconds=1", "--Rag:Sync:MaxSynchronousItems=0",
            "--Rag:Store=postgres", f"--Rag:Postgres:ConnectionString={pg_admin.replace('Database=postgres', 'Database=' + db)}"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1); return proc, port
        except Exception:
            time.sleep(0.1)
    raise SystemExit("a replica did not start")

def pct(values, p):
    v = sorted(values); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000

def failover(n, replicas, db):
    """Seconds from kill -9 of the replica leasing a sync job to another replica leasing it, and the job's final counts."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(job_docs):
            z.writestr(f"notes/n{i:05}.md", f"Failover note {i}: parcel {i} leaves dock {i % 9} at dawn.")
    call(replicas[0][1], "POST", "/v1/collections", {"name": "jobs"})
    job = call(replicas[0][1], "POST", "/v1/collections/jobs/sync", raw=archive.getvalue(), content_type="application/zip")["id"]
    while True:
        owner = psql(f"SELECT coalesce(lease_owner, '') FROM jobs WHERE id = '{job}'", db)
        holder = next((i for i, (proc, _) in enumerate(replicas) if owner and f"/{proc.pid}/" in owner), None)
        if holder is not None and call(replicas[holder][1], "GET", f"/v1/jobs/{job}?lists=false")["progress"]["done"] > 0:
            break
        time.sleep(0.02)
    replicas[holder][0].kill(); replicas[holder][0].wait()
    killed = time.perf_counter()
    while psql(f"SELECT coalesce(lease_owner, '') FROM jobs WHERE id = '{job}'", db) in ("", owner):
        time.sleep(0.02)
    resumed = time.perf_counter() - killed
    other = replicas[(holder + 1) % n][1]
    while (state := call(other, "GET", f"/v1/jobs/{job}?lists=false"))["finishedAt"] is None:
        time.sleep(0.2)
    return resumed, state["counts"]["added"], state["state"]

results = {}
for n in (1, 2, 3):
    db = f"bench_cluster_{n}_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    folders = [tempfile.mkdtemp(prefix=f"ragsvc-cluster-{n}-{i}-") for i in range(n)]
    replicas = [start(folders[0], db)] + [None] * (n - 1)
    for i in range(1, n):
        replicas[i] = start(folders[i], db)
    ports = [p for _, p in replicas]
    try:
        call(ports[0], "POST", "/v1/collections", {"name": "kb"})
        call(ports[0], "POST", "/v1/collections/kb/documents", {"id": "seed", "text": "seed words for every replica"})
        for p in ports:
            call(p, "POST", "/v1/collections/kb/search", {"query": "seed", "mode": "bm25"})  # every replica holds the index
        reader = ports[1 % n]
        lags = []
        for i in range(writes):
            began = time.perf_counter()
            call(ports[0], "POST", "/v1/collections/kb/documents", {"id": f"d{i}", "text": f"steady write number {i} word{i}x"})
            written = time.perf_counter()
            while not call(reader, "POST", "/v1/collections/kb/search", {"query": f"word{i}x", "mode": "bm25", "topK": 1})["hits"]:
                pass
            lags.append(time.perf_counter() - written)
            time.sleep(max(0.0, 1 / rate - (time.perf_counter() - began)))
        done = [0] * threads
        stop = time.perf_counter() + seconds
        def searcher(t):
            k = 0
            while time.perf_counter() < stop:
                call(ports[(t + k) % n], "POST", "/v1/collections/kb/search", {"query": f"steady word{k % writes}x", "mode": "bm25", "topK": 10})
                k += 1
            done[t] = k
        workers = [threading.Thread(target=searcher, args=(t,)) for t in range(threads)]
        t0 = time.perf_counter()
        [w.start() for w in workers]; [w.join() for w in workers]
        qps = sum(done) / (time.perf_counter() - t0)
        stats = call(reader, "GET", "/v1/collections/kb")["bm25"]
        results[n] = (pct(lags, 50), pct(lags, 99), qps, stats.get("versionsFromLog"), stats.get("rebuilds"), failover(n, replicas, db) if n > 1 else None)
    finally:
        for proc, _ in replicas:
            proc.terminate(); proc.wait()
        for f in folders:
            shutil.rmtree(f, ignore_errors=True)
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

print(f"cluster bench: {writes} writes at {rate:g}/s to replica 0, visible-on replica (1 % N); {threads} search threads for {seconds:g} s; load {os.getloadavg()[0]:.1f}")
print(f"{'replicas':>8} {'visible p50 ms':>15} {'visible p99 ms':>15} {'search QPS':>11} {'QPS / 1 replica':>16} {'reader: versions from log / rebuilds':>38}")
for n, (p50, p99, qps, from_log, rebuilds, _) in results.items():
    print(f"{n:>8} {p50:>15.1f} {p99:>15.1f} {qps:>11.1f} {qps / results[1][2]:>16.2f} {str(from_log) + ' / ' + str(rebuilds):>38}")
print(f"failover after kill -9 of a job's replica ({job_docs}-document sync job, lease {lease} s, heartbeat 1 s, goal <= {lease + 2} s):")
for n, (*_, fo) in results.items():
    if fo is not None:
        print(f"{n:>8} replicas: resumed elsewhere after {fo[0]:.2f} s ({fo[0] / lease:.2f} x lease); the job ended {fo[2]} with {fo[1]} of {job_docs} added")
PY
