// Drives RagService's OpenAI-compatible routes with the official `openai` npm package and prints what it saw as JSON.
// Environment: RAG_BASE_URL (http://127.0.0.1:PORT), RAG_API_KEY, RAG_MODEL (a collection), RAG_QUESTION,
// RAG_FOLLOW_UP (asked after RAG_QUESTION and the ASSISTANT_TURN), RAG_OUT_OF_SCOPE (a collection the key cannot read).
import OpenAI from 'openai';

// The retrieved hits inside the answer's sources (a source may merge several), in rank order: what a search returns.
const hitChunkIds = (sources) =>
  sources.flatMap((s) => s.context.hitRanks.map((rank, i) => [rank, s.context.hitChunkIds[i]])).sort((a, b) => a[0] - b[0]).map(([, id]) => id);

const env = process.env;
const client = new OpenAI({ baseURL: `${env.RAG_BASE_URL}/v1`, apiKey: env.RAG_API_KEY, maxRetries: 0 });
const question = [{ role: 'user', content: env.RAG_QUESTION }];

async function failure(call) {
  try {
    await call();
    return null;
  } catch (e) {
    return {
      status: e.status ?? null,
      authentication: e instanceof OpenAI.AuthenticationError,
      notFound: e instanceof OpenAI.NotFoundError,
      code: e.code ?? null,
      message: e.message,
    };
  }
}

const plain = await client.chat.completions.create({ model: env.RAG_MODEL, messages: question, max_tokens: 64, temperature: 0.3 });

const stream = await client.chat.completions.create({ model: env.RAG_MODEL, messages: question, stream: true, stream_options: { include_usage: true } });
const pieces = [];
const finishReasons = [];
let annotations = [];
let streamedSources = null;
let streamUsage = null;
for await (const chunk of stream) {
  for (const choice of chunk.choices) {
    if (choice.delta?.content) pieces.push(choice.delta.content);
    if (choice.delta?.annotations) annotations = choice.delta.annotations;
    if (choice.finish_reason) finishReasons.push(choice.finish_reason);
  }
  if (chunk.rag) streamedSources = chunk.rag.sources.map((s) => s.chunkId);
  if (chunk.usage) streamUsage = chunk.usage;
}

const followUp = await client.chat.completions.create({
  model: env.RAG_MODEL,
  messages: [...question, { role: 'assistant', content: env.RAG_ASSISTANT_TURN }, { role: 'user', content: env.RAG_FOLLOW_UP }],
});

const models = await client.models.list();
const modelIds = [];
for await (const model of models) modelIds.push(model.id);

const wrongKey = await failure(() =>
  new OpenAI({ baseURL: `${env.RAG_BASE_URL}/v1`, apiKey: 'not-a-key-of-this-service', maxRetries: 0 }).chat.completions.create({ model: env.RAG_MODEL, messages: question }));
const outOfScope = await failure(() => client.chat.completions.create({ model: env.RAG_OUT_OF_SCOPE, messages: question }));

console.log(JSON.stringify({
  plain: {
    object: plain.object,
    model: plain.model,
    content: plain.choices[0].message.content,
    finishReason: plain.choices[0].finish_reason,
    annotations: plain.choices[0].message.annotations ?? [],
    usage: plain.usage ?? null,
    sources: plain.rag.sources.map((s) => s.chunkId),
  },
  stream: { pieces, finishReasons, annotations, sources: streamedSources, usage: streamUsage },
  followUp: { content: followUp.choices[0].message.content, rewrittenQuestion: followUp.rag.rewrittenQuestion, sources: hitChunkIds(followUp.rag.sources) },
  modelIds,
  wrongKey,
  outOfScope,
}));
