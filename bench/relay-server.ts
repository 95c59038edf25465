// The bare relay baseline for bench/streams.ts (forked with an IPC channel):
// what any streaming chat server costs at least. POST /relay {"content"} opens
// one @anthropic-ai/sdk stream to the fake upstream and writes each text delta
// as it comes as an SSE `delta` frame, framed as the app frames its replies
// (docs/PROTOCOL.md §4: a snapshot, part_start, deltas, part_stop, done), so
// the same client reads both. No session, no database, no bus, no batching.
// IPC: {type:"stats"} → CPU time since the previous one, {type:"stop"}.
import Anthropic from "@anthropic-ai/sdk";
import { createServer } from "node:http";

const upstream = process.argv[2];
const client = new Anthropic({ apiKey: "relay", baseURL: upstream, maxRetries: 0 });
const frame = (id: number, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/relay") {
    res.writeHead(404).end();
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => void relay(JSON.parse(body).content as string));

  async function relay(content: string) {
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const message = { id: "relay", role: "assistant", content: "", parts: [] as unknown[], status: "streaming" };
    let id = 0;
    res.write(frame(id++, "snapshot", { message }));
    res.write(frame(id++, "part_start", { index: 0, part: { type: "text", text: "" } }));
    let text = "";
    try {
      const stream = client.messages.stream({ model: "claude-bench", max_tokens: 4096, messages: [{ role: "user", content }] }, { signal: abort.signal });
      for await (const ev of stream) {
        if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") {
          text += ev.delta.text;
          res.write(frame(id++, "delta", { index: 0, text: ev.delta.text }));
        }
      }
      res.write(frame(id++, "part_stop", { index: 0 }));
      res.end(frame(id++, "done", { message: { ...message, content: text, parts: [{ type: "text", text }], status: "complete" } }));
    } catch (e) {
      res.end(frame(id++, "error", { message: String(e) }));
    }
  }
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ type: "ready", url: `http://127.0.0.1:${port}`, pid: process.pid });
});

let lastCpu = process.cpuUsage();
process.on("message", (m: { type: string; id?: number }) => {
  if (m.type === "stats") {
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    process.send?.({ type: "stats", id: m.id, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (m.type === "stop") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
// The parent going away must not leave this process behind.
process.on("disconnect", () => process.exit(0));
