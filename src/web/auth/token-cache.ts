import { createHash } from "node:crypto";

/**
 * An answer GitHub gave for a person's token, kept a short while since every request asks. Keyed
 * by the token's hash, so the token itself is not held as a key; a failed read is not kept, so the
 * next request asks again.
 */
export function tokenCache<T>(read: (token: string) => Promise<T>, options: { ttlMs?: number; now?: () => number } = {}): (token: string) => Promise<T> {
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<T> }>();
  return (token) => {
    const key = createHash("sha256").update(token).digest("hex");
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    for (const [other, entry] of cache) if (now() - entry.at >= ttl) cache.delete(other);
    const value = read(token);
    cache.set(key, { at: now(), value });
    value.catch(() => cache.get(key)?.value === value && cache.delete(key));
    return value;
  };
}
