import type { ServerResponse } from "node:http";
import type { z } from "zod";

/** Answers of /api/v1: JSON, never cached, never leaking the address they were read from. */
export function sendJson(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" });
  res.end(JSON.stringify(body));
  return true;
}

export class BadRequest extends Error {
  override name = "BadRequest";
}

/**
 * A request's parameters through their schema; a BadRequest naming the first bad parameter (or the
 * unknown one) otherwise, so the caller reads which to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new BadRequest("the request's parameters are not valid");
  if (issue.code === "unrecognized_keys") throw new BadRequest(`unknown parameter ${issue.keys.map((key) => `\`${key}\``).join(", ")}`);
  const name = issue.path.join(".");
  throw new BadRequest(name ? `bad parameter \`${name}\`: ${issue.message}` : issue.message);
}
