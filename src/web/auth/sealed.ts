import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * Values the browser keeps for us and cannot read or change: AES-256-GCM with a key derived from
 * the app's secret for one purpose (a session, an OAuth state), the expiry inside. A cookie that
 * was tampered with, made for another purpose, or expired opens to nothing.
 */

const VERSION = "v1";

export interface Sealer<T> {
  seal(value: T, ttlSeconds: number): string;
  /** The value, or undefined when the text is not one of ours, or expired. */
  open(text: string | undefined): T | undefined;
}

export function sealer<T>(secret: Buffer, purpose: string, schema: z.ZodType<T>, now: () => number = Date.now): Sealer<T> {
  const key = Buffer.from(hkdfSync("sha256", secret, "ai-agent", `sealed ${purpose} ${VERSION}`, 32));
  const envelope = z.object({ exp: z.number(), value: z.unknown() });
  return {
    seal(value, ttlSeconds) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const plain = Buffer.from(JSON.stringify({ exp: Math.floor(now() / 1000) + ttlSeconds, value }));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(text) {
      if (!text?.startsWith(`${VERSION}.`)) return undefined;
      const raw = Buffer.from(text.slice(VERSION.length + 1), "base64url");
      if (raw.length < 29) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
        const opened = envelope.safeParse(JSON.parse(plain));
        if (!opened.success || opened.data.exp <= now() / 1000) return undefined;
        const value = schema.safeParse(opened.data.value);
        return value.success ? value.data : undefined;
      } catch {
        return undefined; // not ours, or tampered with
      }
    },
  };
}
