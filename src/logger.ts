import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import type { AppConfig } from "./config/env.js";

/**
 * The process logger, formatted the way Probot formats its own (pretty in development, JSON in
 * production). Keys that can carry credentials are censored wherever they appear.
 */
export async function createLogger(config: Pick<AppConfig, "LOG_LEVEL" | "logFormat">): Promise<Logger> {
  const transform = await getTransformStream({ logFormat: config.logFormat });
  // SonicBoom is a writable stream but its typings do not declare Node's WritableStream shape.
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(
    {
      level: config.LOG_LEVEL,
      name: "ai-agent",
      redact: {
        paths: [
          "privateKey",
          "*.privateKey",
          "token",
          "*.token",
          "secret",
          "*.secret",
          "password",
          "*.password",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          'req.headers["x-hub-signature-256"]',
          "apiKey",
          "*.apiKey",
          'headers["x-api-key"]',
          '*.headers["x-api-key"]',
        ],
        censor: "[redacted]",
      },
    },
    transform,
  );
}
