import { z } from "zod";
import { defineIntegration } from "../types.js";
import { AnthropicClient } from "./client.js";

/** Anthropic's Messages API as the model provider: the default, `MODEL_PROVIDER=anthropic`. */

const unset = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const anthropicEnv = z.object({
  /** Without it the ai.* steps fail, saying it is not set. */
  ANTHROPIC_API_KEY: z.preprocess(unset, z.string().optional()),
  /** Another Messages API endpoint: a proxy, a gateway, or the local fake in tests. */
  ANTHROPIC_BASE_URL: z.preprocess(
    unset,
    z
      .string()
      .refine((value) => URL.canParse(value) && ["http:", "https:"].includes(new URL(value).protocol), "expected an http(s) URL such as https://api.anthropic.com")
      .optional(),
  ),
  /** Retries of rate-limited (429) and overloaded (529) answers, honouring retry-after. */
  ANTHROPIC_MAX_RETRIES: z.preprocess(
    unset,
    z
      .string()
      .regex(/^\d+$/, "expected a whole number from 0 to 10")
      .transform(Number)
      .refine((n) => n <= 10, "expected a whole number from 0 to 10")
      .optional()
      .transform((n) => n ?? 4),
  ),
});
export type AnthropicEnv = z.output<typeof anthropicEnv>;

export const anthropic = defineIntegration<typeof anthropicEnv, undefined, AnthropicClient>({
  id: "anthropic",
  name: "Anthropic",
  kind: "model-provider",
  description: "Claude models through Anthropic's Messages API (ANTHROPIC_API_KEY)",
  env: anthropicEnv,
  secrets: ["ANTHROPIC_API_KEY"],
  connect(env) {
    if (!env.ANTHROPIC_API_KEY) return undefined;
    return new AnthropicClient({
      apiKey: env.ANTHROPIC_API_KEY,
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
      maxRetries: env.ANTHROPIC_MAX_RETRIES,
    });
  },
});
