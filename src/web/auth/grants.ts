import { z } from "zod";
import { type GitHubGrant, type OAuthClient, SignInRefused, grantSchema, refreshGrant } from "./github-oauth.js";
import { sealer } from "./sealed.js";

/**
 * The GitHub grant behind a personal API token: sealed for the store with the app's key (the store
 * sees ciphertext only), and renewed with its refresh token when GitHub's user token expires. A
 * sealed grant opens only beside the API token it was sealed for: it names that token's secret
 * hash, so a row cannot borrow another row's grant, even written by someone who can write rows.
 */

export class GrantEnded extends Error {
  override name = "GrantEnded";
}

/** How long before GitHub's expiry a token counts as expired: it must not lapse between the check and the call. */
const EARLY_MS = 60_000;
const sealedGrant = grantSchema.extend({ for: z.string() });

export interface GrantKeeper {
  /** Ciphertext of the grant for the API token whose secret hashes to `secretHash`, opening until `until`. */
  seal(grant: GitHubGrant, secretHash: string, until: Date): string;
  /** The grant, or undefined when the text is not a grant sealed here for that token (or its time is up). */
  open(text: string, secretHash: string): GitHubGrant | undefined;
  /** Whether GitHub's token has expired (or is about to) and must be renewed before use. */
  expired(grant: GitHubGrant): boolean;
  /**
   * A new grant from GitHub. Throws GrantEnded when there is nothing to renew with or GitHub
   * refuses (the refresh token expired, was used, or the person revoked the App); SignInRefused
   * when GitHub did not answer, which a later try may get past.
   */
  renew(grant: GitHubGrant): Promise<GitHubGrant>;
}

export function grantKeeper(secret: Buffer, client: OAuthClient, now: () => number = Date.now): GrantKeeper {
  const sealed = sealer(secret, "api token grant", sealedGrant, now);
  return {
    seal(grant, secretHash, until) {
      return sealed.seal({ ...grant, for: secretHash }, Math.max(1, Math.ceil((until.getTime() - now()) / 1000)));
    },
    open(text, secretHash) {
      const opened = sealed.open(text);
      if (!opened || opened.for !== secretHash) return undefined;
      // The grant's own fields: the binding stays inside the seal.
      return grantSchema.parse(opened);
    },
    expired: (grant) => grant.expiresAt !== undefined && grant.expiresAt - EARLY_MS <= now(),
    async renew(grant) {
      if (!grant.refreshToken) throw new GrantEnded("GitHub gave no refresh token with this authorisation");
      if (grant.refreshTokenExpiresAt !== undefined && grant.refreshTokenExpiresAt <= now()) throw new GrantEnded("the refresh token has expired");
      try {
        return await refreshGrant(client, grant.refreshToken, now);
      } catch (error) {
        if (error instanceof SignInRefused && error.isRefusal) throw new GrantEnded(error.message);
        if (error instanceof SignInRefused) throw error;
        throw new SignInRefused(`GitHub could not be reached to renew a token: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
