#!/bin/bash
# Hybrid search latency with Rag:Qdrant:Url at a closed port and the default retry and breaker options: the first
# searches wait out the retries, then the circuit opens and searches answer BM25-only at once. Prints numbers only.
# Usage: bench/qdrant-breaker-latency.sh [model-dir]   (after dotnet build src/RagService.Api -c Release)
set -e
cd "$(dirname "$0")/.."
model=${1:-.models/all-MiniLM-L6-v2}
dir=$(mktemp -d)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
closed=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
key=measure-bootstrap-admin-key-0123456789
dotnet src/RagService.Api/bin/Release/net10.0/RagService.Api.dll --urls http://127.0.0.1:$port --Rag:DatabasePath=$dir/rag.db \
  --Rag:Auth:BootstrapKey=$key --Serilog:MinimumLevel:Default=Warning \
  --Rag:Embedding:ModelDirectory=$model --Rag:Embedding:IntraOpThreads=1 \
  --Rag:VectorStore=qdrant --Rag:Qdrant:Url=http://127.0.0.1:$closed > $dir/log 2>&1 &
pid=$!
for i in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:$port/health/live && break; sleep 1; done
h=(-H "X-Api-Key: $key" -H "Content-Type: application/json")
curl -s "${h[@]}" -X POST http://127.0.0.1:$port/v1/collections -d '{"name":"kb"}' > /dev/null
for i in 1 2 3 4 5 6; do
  curl -s -o /dev/null -w "hybrid search $i: %{http_code} %{time_total} s\n" "${h[@]}" -X POST http://127.0.0.1:$port/v1/collections/kb/search -d '{"query":"oven degrees","mode":"hybrid"}'
done
curl -s "${h[@]}" http://127.0.0.1:$port/health/ready | python3 -c 'import json,sys; [print("ready:", c["name"], c["state"], c["detail"]) for c in json.load(sys.stdin)["components"] if c["name"]=="vectors"]'
kill $pid; wait $pid 2>/dev/null || true
rm -rf $dir
