// Drives RagService's MCP server with the official MCP TypeScript SDK client over streamable HTTP and prints what it saw as JSON.
// Environment: RAG_BASE_URL, RAG_API_KEY, RAG_COLLECTION, RAG_QUERY.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const env = process.env;
const transport = new StreamableHTTPClientTransport(new URL(`${env.RAG_BASE_URL}/mcp`), {
  requestInit: { headers: { Authorization: `Bearer ${env.RAG_API_KEY}` } },
});
const client = new Client({ name: 'ragservice-node-test', version: '1.0.0' });
await client.connect(transport);

const tools = await client.listTools();
const search = await client.callTool({ name: 'search', arguments: { collection: env.RAG_COLLECTION, query: env.RAG_QUERY, topK: 3 } });
const badArguments = await client.callTool({ name: 'search', arguments: { collection: env.RAG_COLLECTION, query: env.RAG_QUERY, topK: 0 } });

console.log(JSON.stringify({
  server: client.getServerVersion(),
  tools: tools.tools.map((t) => ({ name: t.name, description: t.description, hasInputSchema: !!t.inputSchema, hasOutputSchema: !!t.outputSchema })),
  search: { isError: search.isError ?? false, structured: search.structuredContent, text: search.content.map((c) => c.text).join('') },
  badArguments: { isError: badArguments.isError ?? false, text: badArguments.content.map((c) => c.text).join('') },
}));
await client.close();
