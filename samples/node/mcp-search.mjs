// The official MCP TypeScript SDK client against RagService's /mcp: node mcp-search.mjs [query]
// RAG_URL (default http://127.0.0.1:5080), RAG_API_KEY (required), RAG_COLLECTION (default demo).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const transport = new StreamableHTTPClientTransport(new URL(`${process.env.RAG_URL ?? 'http://127.0.0.1:5080'}/mcp`), {
  requestInit: { headers: { Authorization: `Bearer ${process.env.RAG_API_KEY}` } },
});
const client = new Client({ name: 'ragservice-sample', version: '1.0.0' });
await client.connect(transport);

console.log('tools:', (await client.listTools()).tools.map((t) => t.name).join(', '));
const result = await client.callTool({
  name: 'search',
  arguments: { collection: process.env.RAG_COLLECTION ?? 'demo', query: process.argv.slice(2).join(' ') || '披萨 优惠', topK: 3 },
});
for (const p of result.structuredContent.passages) {
  const c = p.citation;
  console.log(`[${p.n}] ${c.title} › ${c.section.join(' › ')}${c.page ? `, p. ${c.page}` : ''}  ${c.uri}\n    ${p.text.slice(0, 80)}`);
}
await client.close();
