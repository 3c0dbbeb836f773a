#!/usr/bin/env python3
"""Background calibration after a burst of uploads (docs/retrieval.md, "When calibration runs").

Starts the service (Release build, all-MiniLM-L6-v2 from .models/) on a fresh database, uploads N SQuAD trial passages
one by one, sends a hybrid search right after the last upload (it must not wait for calibration), polls the collection
stats until the fusion is calibrated, searches again, and prints the worker's "calibrated in" log lines.
usage: dotnet build src/RagService.Api -c Release && python3 bench/calibration-burst.py [N=400] [PORT=0] [DATA.json]
PORT 0 picks a free loopback port; DATA.json (CMRC/SQuAD trial format) defaults to ../shared/data/squad_v1.1_dev_trial.json.
"""
import json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
if port == 0:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
data = sys.argv[3] if len(sys.argv) > 3 else f'{root}/../shared/data/squad_v1.1_dev_trial.json'
key = 'calibration-burst-bench-key-0123456789'
work = tempfile.mkdtemp(prefix='rag-calibration-burst-')
log_path = os.path.join(work, 'service.log')


def call(method, path, body=None):
    request = urllib.request.Request(f'http://127.0.0.1:{port}{path}', method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={'X-Api-Key': key, 'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read() or b'null')


def search(question):
    started = time.time()
    result = call('POST', '/v1/collections/squad/search', {'query': question, 'mode': 'hybrid'})
    fusion = next(s for s in result['stages'] if s['stage'] == 'fusion')
    return (time.time() - started) * 1000, fusion['detail']


with open(log_path, 'w') as log:
    service = subprocess.Popen(['dotnet', f'{root}/src/RagService.Api/bin/Release/net10.0/RagService.Api.dll', '--urls', f'http://127.0.0.1:{port}',
                                f'--Rag:DatabasePath={work}/rag.db', f'--Rag:Auth:BootstrapKey={key}',
                                f'--Rag:Embedding:ModelDirectory={root}/.models/all-MiniLM-L6-v2', '--Rag:Embedding:IntraOpThreads=2'],
                               stdout=log, stderr=log)
    try:
        for _ in range(600):
            try:
                call('GET', '/health/live')
                break
            except OSError:
                time.sleep(0.2)
        call('POST', '/v1/collections', {'name': 'squad'})
        passages = json.load(open(data))[:n]
        started = time.time()
        for p in passages:
            call('POST', '/v1/collections/squad/documents', {'id': p['context_id'], 'title': p['title'], 'text': p['context_text']})
        ingest_s = time.time() - started
        question = passages[0]['qas'][0]['query_text']
        first_ms, first_detail = search(question)
        waited = time.time()
        while (stats := call('GET', '/v1/collections/squad'))['fusion']['state'] != 'calibrated':
            time.sleep(0.2)
        print(f'{n} uploads in {ingest_s:.1f} s; {stats["chunks"]} chunks')
        print(f'hybrid search right after the last upload: {first_ms:.0f} ms; fusion: {first_detail}')
        print(f'calibrated {time.time() - waited:.1f} s after it (debounce included)')
        next_ms, next_detail = search(question)
        print(f'next hybrid search: {next_ms:.0f} ms; fusion: {next_detail}')
    finally:
        service.terminate()
        service.wait()

print(''.join(line for line in open(log_path) if 'calibrated in' in line))
shutil.rmtree(work, ignore_errors=True)
