// Node side of the ONNX Runtime benchmark: the same model, thread settings and inputs as the C# side, run by
// onnxruntime-node from the npm package that bench/onnx-throughput.sh installs (benchmark only).
// Usage: node ort-node-bench.js MODEL BATCH SEQ VOCAB WITH_TYPES(0|1) THREADS spin|nospin
// Then one JSON request per stdin line, {"iterations": N} or {"seconds": S}; one JSON result per stdout line.
'use strict';
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..');
const ortDir = process.env.RAG_ORT_NODE || path.join(root, '.tools/ort-node/node_modules/onnxruntime-node');
const ort = require(ortDir);
const ortVersion = require(path.join(ortDir, 'package.json')).version;

const [model, batchArg, seqArg, vocabArg, typesArg, threadsArg, spinArg] = process.argv.slice(2);
const batch = Number(batchArg);
const seq = Number(seqArg);
const vocab = Number(vocabArg);
const withTypes = typesArg === '1';
const threads = Number(threadsArg);
const size = batch * seq;

const ids = new BigInt64Array(size);
const mask = new BigInt64Array(size).fill(1n);
const types = new BigInt64Array(size);
for (let i = 0; i < size; i++) ids[i] = BigInt((i * 7919 + 13) % vocab);

function feeds() {
  // New tensors every call, as the C# side creates and releases its OrtValues every call.
  const f = {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', mask, [batch, seq]),
  };
  if (withTypes) f.token_type_ids = new ort.Tensor('int64', types, [batch, seq]);
  return f;
}

async function main() {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: spinArg === 'nospin' ? { 'session.intra_op.allow_spinning': '0' } : {},
  });
  let checksum = 0;
  async function once() {
    const out = await session.run(feeds());
    checksum += out.last_hidden_state.data[0];
  }
  await once();
  process.stdout.write(JSON.stringify({ ready: true, version: ortVersion }) + '\n');

  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let calls = 0;
    if (request.iterations) {
      for (; calls < request.iterations; calls++) await once();
    } else {
      const end = t0 + BigInt(Math.round(request.seconds * 1e9));
      while (process.hrtime.bigint() < end) { await once(); calls++; }
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(JSON.stringify({ calls, wall, cpu: (cpu.user + cpu.system) / 1e6, checksum }) + '\n');
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
