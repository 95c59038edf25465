// A gateway client in a process of its own (app/v1/durability.test.ts kills
// it mid-stream): posts one streaming request and writes, one JSON line per
// frame as it arrives, the reply's id (from the response header) and every
// frame with its id. Plain ESM so that `node` runs it as is.
import { createParser } from "eventsource-parser";

const [url, key, body] = process.argv.slice(2);
const res = await fetch(`${url}/v1/messages`, {
  method: "POST",
  headers: { "content-type": "application/json", "x-api-key": key },
  body,
});
process.stdout.write(JSON.stringify({ messageId: res.headers.get("tether-message-id"), status: res.status }) + "\n");
const parser = createParser({
  onEvent: (m) => process.stdout.write(JSON.stringify({ id: m.id ?? null, event: m.event, data: JSON.parse(m.data) }) + "\n"),
});
const decoder = new TextDecoder();
for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
