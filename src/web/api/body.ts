import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { declaresTooLarge, readBoundedBody, refuseTooLarge } from "../bounded-body.js";
import { BadRequest, parseInput, sendJson } from "./http.js";

/**
 * A route's JSON body: bounded (a request body is read to a ceiling, never whole), JSON by its
 * Content-Type — which a cross-site form cannot send without the browser asking first — and
 * through the route's strict schema. Not ok when an answer (413, 415) has been sent instead, or the
 * client went away.
 */

export const MAX_API_BODY_BYTES = 8 * 1024;

export type BodyOutcome<S extends z.ZodType> = { ok: true; value: z.output<S> } | { ok: false };

export async function readJsonBody<S extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: S): Promise<BodyOutcome<S>> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    sendJson(res, 415, { error: "send the body as JSON, with `Content-Type: application/json`" });
    return { ok: false };
  }
  if (declaresTooLarge(req.headers["content-length"], MAX_API_BODY_BYTES)) {
    refuseTooLarge(req, res, MAX_API_BODY_BYTES, "API request bodies");
    return { ok: false };
  }
  const body = await readBoundedBody(req, MAX_API_BODY_BYTES);
  if (body.kind === "too large") {
    refuseTooLarge(req, res, MAX_API_BODY_BYTES, "API request bodies");
    return { ok: false };
  }
  if (body.kind === "aborted") return { ok: false };
  let value: unknown;
  try {
    value = JSON.parse(body.bytes.toString("utf8"));
  } catch {
    throw new BadRequest("the body is not JSON");
  }
  return { ok: true, value: parseInput(schema, value) };
}
