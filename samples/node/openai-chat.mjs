// The official `openai` npm package against RagService: node openai-chat.mjs [question]
// RAG_URL (default http://127.0.0.1:5080), RAG_API_KEY (required), RAG_COLLECTION (default demo).
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.RAG_URL ?? 'http://127.0.0.1:5080'}/v1`, apiKey: process.env.RAG_API_KEY });
const model = process.env.RAG_COLLECTION ?? 'demo';
const messages = [{ role: 'user', content: process.argv.slice(2).join(' ') || '你们现在最便宜的披萨是什么？' }];

const answer = await client.chat.completions.create({ model, messages });
console.log(answer.choices[0].message.content);
for (const a of answer.choices[0].message.annotations ?? []) console.log(`  ${a.url_citation.title} <${a.url_citation.url}>`);
console.log('sources:', answer.rag.sources.map((s) => `${s.title} (${s.documentId})`).join('; '));

const stream = await client.chat.completions.create({ model, messages, stream: true });
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
console.log();
