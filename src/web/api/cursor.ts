import { z } from "zod";
import { BadRequest } from "./http.js";

/**
 * The page cursor: the last run's creation time and id, the listing's own order, so a page
 * follows on from the one before even as newer runs arrive. Opaque to callers (base64url JSON):
 * only the store's order gives it meaning.
 */

const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeCursor(run: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([run.createdAt.toISOString(), run.id])).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) throw new BadRequest("bad parameter `cursor`: not a cursor this API gave; pass a page's nextCursor as it came");
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}
