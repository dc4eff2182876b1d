import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { AppConfig } from "../config/env.js";

/**
 * Signed links to a run's page. A run's page once went to anyone who had its address; now the
 * address carries `?sig=<HMAC-SHA256 over the run id and the expiry>&exp=<unix seconds>`, made
 * with a key only the app's processes hold, so a link opens its own run only, and only until it
 * expires. Tracking comments, replies and the mirrors carry such links; GitHub sign-in for the
 * dashboard comes later and will sit beside this, not replace it.
 */

export interface RunLinks {
  /** `<PUBLIC_URL>/runs/<id>?sig=…&exp=…`, valid for the configured number of days. */
  url(runId: string): string;
  /** Whether `sig` and `exp` (as they came in the query) are this run's signature and not expired. */
  verify(runId: string, sig: string | null | undefined, exp: string | null | undefined): boolean;
}

export interface RunLinkOptions {
  /** The HMAC key; see runLinkKey. */
  key: Buffer;
  /** The app's public URL, without a trailing slash. */
  publicUrl: string;
  ttlDays: number;
  now?: () => number;
}

/**
 * Expiries are rounded up to the hour: every link made for a run within one hour is the same
 * address (a tracking comment edited step by step keeps its link), at most an hour longer lived.
 */
const ROUND_SECONDS = 3600;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const EXPIRY = /^\d{1,12}$/;

export function createRunLinks({ key, publicUrl, ttlDays, now = Date.now }: RunLinkOptions): RunLinks {
  const ttlSeconds = ttlDays * 86_400;
  const sign = (runId: string, exp: number) => createHmac("sha256", key).update(`run-link:v1\n${runId}\n${exp}`).digest();
  return {
    url(runId) {
      const exp = Math.ceil((Math.floor(now() / 1000) + ttlSeconds) / ROUND_SECONDS) * ROUND_SECONDS;
      return `${publicUrl}/runs/${encodeURIComponent(runId)}?sig=${sign(runId, exp).toString("base64url")}&exp=${exp}`;
    },
    verify(runId, sig, exp) {
      if (!sig || !exp || !SIGNATURE.test(sig) || !EXPIRY.test(exp)) return false;
      const expiry = Number(exp);
      const nowSeconds = now() / 1000;
      // Expired; or further out than links are made for now: lowering RUN_LINK_TTL_DAYS shortens
      // the links already handed out too.
      if (expiry <= nowSeconds || expiry > nowSeconds + ttlSeconds + ROUND_SECONDS) return false;
      return timingSafeEqual(Buffer.from(sig, "base64url"), sign(runId, expiry));
    },
  };
}

/**
 * The HMAC key, derived with HKDF-SHA256 from RUN_LINK_SECRET when it is set, else from the App's
 * private key (which every web and worker process holds, so links made by a worker open on the web
 * process), else the webhook secret. Rotating whichever it is derived from ends every link given
 * out. With none of them (the setup page, before the app is registered) the key is random and
 * links made by this process open only on it, until it restarts.
 */
export function runLinkKey(config: Pick<AppConfig, "RUN_LINK_SECRET" | "privateKey" | "WEBHOOK_SECRET">): Buffer {
  const secret = config.RUN_LINK_SECRET ?? config.privateKey ?? config.WEBHOOK_SECRET;
  const material = secret ? Buffer.from(secret) : randomBytes(32);
  return Buffer.from(hkdfSync("sha256", material, "ai-agent", "run links v1", 32));
}

/** The app's run links, from the environment (PUBLIC_URL, RUN_LINK_TTL_DAYS, the key above). */
export function runLinksFromConfig(config: Pick<AppConfig, "RUN_LINK_SECRET" | "RUN_LINK_TTL_DAYS" | "privateKey" | "WEBHOOK_SECRET" | "PUBLIC_URL" | "PORT">): RunLinks {
  const publicUrl = (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
  return createRunLinks({ key: runLinkKey(config), publicUrl, ttlDays: config.RUN_LINK_TTL_DAYS });
}
