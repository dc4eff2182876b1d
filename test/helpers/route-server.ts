import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One of the app's route handlers on a loopback server of its own; what it does not handle is a 404. */
export async function serveHandler(handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
