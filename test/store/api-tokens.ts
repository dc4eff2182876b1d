import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { NewApiToken, Store } from "../../src/store/types.js";

/**
 * Personal API tokens on every backend: found by the secret's hash (ended ones too, so the caller
 * can say how they ended), listed and revoked only by the GitHub user they belong to, lastUsedAt
 * moved at most once a minute, the sealed grant replaced after a renewal.
 */
export function apiTokensContract(store: () => Store): void {
  describe("personal API tokens", () => {
    const hashOf = (secret: string) => createHash("sha256").update(secret).digest("hex");
    const token = (overrides: Partial<NewApiToken> = {}): NewApiToken => ({
      id: randomUUID(),
      login: "octocat",
      githubUserId: 583231,
      name: "ci",
      secretHash: hashOf(randomUUID()),
      scopes: ["runs:read"],
      sealedGrant: "v1.sealed-grant",
      createdAt: new Date("2026-11-01T10:00:00.000Z"),
      expiresAt: new Date("2027-01-30T10:00:00.000Z"),
      ...overrides,
    });

    it("keeps a token and finds it by the secret's hash alone", async () => {
      const input = token({ scopes: ["runs:read", "runs:stop"] });
      const created = await store().createApiToken(input);
      expect(created).toEqual({ ...input, revokedAt: null, lastUsedAt: null });
      expect(await store().findApiTokenByHash(input.secretHash)).toEqual(created);
      expect(await store().findApiTokenByHash(hashOf("never issued"))).toBeNull();
      await expect(store().createApiToken(token({ secretHash: input.secretHash }))).rejects.toThrow();
    });

    it("lists one person's tokens newest first, and none of anyone else's", async () => {
      const older = await store().createApiToken(token({ githubUserId: 7001, createdAt: new Date("2026-11-01T10:00:00Z") }));
      const newer = await store().createApiToken(token({ githubUserId: 7001, createdAt: new Date("2026-11-02T10:00:00Z") }));
      await store().createApiToken(token({ githubUserId: 7002, login: "hubot" }));
      expect((await store().listApiTokens(7001)).map((t) => t.id)).toEqual([newer.id, older.id]);
      expect(await store().listApiTokens(7999)).toEqual([]);
    });

    it("revokes a token only for the person it belongs to, keeping the first time it was revoked", async () => {
      const mine = await store().createApiToken(token({ githubUserId: 7101 }));
      expect(await store().revokeApiToken(mine.id, 7102, new Date("2026-11-03T00:00:00Z"))).toBeNull();
      expect((await store().findApiTokenByHash(mine.secretHash))?.revokedAt).toBeNull();
      expect(await store().revokeApiToken("not-a-uuid", 7101, new Date())).toBeNull();

      const revoked = await store().revokeApiToken(mine.id, 7101, new Date("2026-11-03T00:00:00Z"));
      expect(revoked).toMatchObject({ id: mine.id, revokedAt: new Date("2026-11-03T00:00:00Z") });
      const again = await store().revokeApiToken(mine.id, 7101, new Date("2026-11-04T00:00:00Z"));
      expect(again?.revokedAt).toEqual(new Date("2026-11-03T00:00:00Z"));
      // Still found, so the caller can say it was revoked rather than that it is unknown.
      expect((await store().findApiTokenByHash(mine.secretHash))?.revokedAt).toEqual(new Date("2026-11-03T00:00:00Z"));
    });

    it("moves lastUsedAt at most once a minute", async () => {
      const used = await store().createApiToken(token({ githubUserId: 7201 }));
      const at = (iso: string) => new Date(iso);
      await store().touchApiToken(used.id, at("2026-11-05T10:00:00Z"));
      await store().touchApiToken(used.id, at("2026-11-05T10:00:59Z"));
      expect((await store().findApiTokenByHash(used.secretHash))?.lastUsedAt).toEqual(at("2026-11-05T10:00:00Z"));
      await store().touchApiToken(used.id, at("2026-11-05T10:01:00Z"));
      expect((await store().findApiTokenByHash(used.secretHash))?.lastUsedAt).toEqual(at("2026-11-05T10:01:00Z"));
    });

    it("replaces the sealed grant of a live token, never of a revoked one", async () => {
      const live = await store().createApiToken(token({ githubUserId: 7301 }));
      await store().updateApiTokenGrant(live.id, "v1.renewed");
      expect((await store().findApiTokenByHash(live.secretHash))?.sealedGrant).toBe("v1.renewed");
      await store().revokeApiToken(live.id, 7301, new Date());
      await store().updateApiTokenGrant(live.id, "v1.after-revocation");
      expect((await store().findApiTokenByHash(live.secretHash))?.sealedGrant).toBe("v1.renewed");
    });

    it("reads back only scopes it knows", async () => {
      // A scope a later version drops must grant nothing on tokens issued before.
      await expect(store().createApiToken(token({ scopes: ["tokens" as "runs:read"] }))).rejects.toThrow();
      const kept = await store().createApiToken(token({ githubUserId: 7401, scopes: ["usage:read", "runs:read"] }));
      expect(kept.scopes).toEqual(["runs:read", "usage:read"]);
    });
  });
}
