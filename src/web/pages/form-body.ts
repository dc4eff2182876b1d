import type { IncomingMessage } from "node:http";
import { readBoundedBody } from "../bounded-body.js";

/** A dashboard form's fields (application/x-www-form-urlencoded), read with a small ceiling. */
const MAX_FORM_BYTES = 16 * 1024;

export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = req.headers["content-type"] ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return undefined;
  const body = await readBoundedBody(req, MAX_FORM_BYTES);
  return body.kind === "body" ? new URLSearchParams(body.bytes.toString("utf8")) : undefined;
}
