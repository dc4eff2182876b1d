import { z } from "zod";

/**
 * What we rely on in the Messages API's answers, checked where they arrive: the SDK's types say
 * what the API should send, a proxy or gateway in front of it may send something else, and a usage
 * count that is missing or negative would be priced as nothing.
 */

const tokens = z.number().int().nonnegative();

export const usageSchema = z.looseObject({
  input_tokens: tokens,
  output_tokens: tokens,
  cache_creation_input_tokens: tokens.nullish(),
  cache_read_input_tokens: tokens.nullish(),
});

/** A finished message, as the stream assembles it: its blocks, why it stopped, what it used. */
export const messageSchema = z.looseObject({
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullable(),
  usage: usageSchema,
});

/** `POST /v1/messages/count_tokens`. */
export const tokenCountSchema = z.looseObject({ input_tokens: tokens });

/** The body of an error answer: `{"type":"error","error":{"type":…,"message":…}}`. */
export const errorBodySchema = z.looseObject({ error: z.looseObject({ message: z.string() }) });
