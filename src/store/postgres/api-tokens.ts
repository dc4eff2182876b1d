import type { Pool } from "pg";
import { API_TOKEN_TOUCH_MS, type ApiToken, type NewApiToken, knownScopes, newApiTokenSchema } from "../types.js";

/** Personal API tokens on PostgreSQL: looked up by the secret's hash, owned by a GitHub user id. */

interface ApiTokenRow {
  id: string;
  login: string;
  github_user_id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  sealed_grant: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

function tokenFromRow(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    login: row.login,
    githubUserId: Number(row.github_user_id),
    name: row.name,
    secretHash: row.secret_hash,
    scopes: knownScopes(row.scopes),
    sealedGrant: row.sealed_grant,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export async function createApiToken(pool: Pool, input: NewApiToken): Promise<ApiToken> {
  const token = newApiTokenSchema.parse(input);
  const { rows } = await pool.query<ApiTokenRow>(
    `INSERT INTO ai_api_tokens (id, login, github_user_id, name, secret_hash, scopes, sealed_grant, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [token.id, token.login, token.githubUserId, token.name, token.secretHash, token.scopes, token.sealedGrant, token.createdAt, token.expiresAt],
  );
  return tokenFromRow(rows[0]!);
}

export async function findApiTokenByHash(pool: Pool, secretHash: string): Promise<ApiToken | null> {
  const { rows } = await pool.query<ApiTokenRow>("SELECT * FROM ai_api_tokens WHERE secret_hash = $1", [secretHash]);
  return rows[0] ? tokenFromRow(rows[0]) : null;
}

export async function listApiTokens(pool: Pool, githubUserId: number): Promise<ApiToken[]> {
  const { rows } = await pool.query<ApiTokenRow>("SELECT * FROM ai_api_tokens WHERE github_user_id = $1 ORDER BY created_at DESC, id DESC", [githubUserId]);
  return rows.map(tokenFromRow);
}

export async function revokeApiToken(pool: Pool, id: string, githubUserId: number, at: Date): Promise<ApiToken | null> {
  const { rows } = await pool.query<ApiTokenRow>(
    "UPDATE ai_api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND github_user_id = $2 RETURNING *",
    [id, githubUserId, at],
  );
  return rows[0] ? tokenFromRow(rows[0]) : null;
}

export async function touchApiToken(pool: Pool, id: string, at: Date): Promise<void> {
  await pool.query("UPDATE ai_api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)", [
    id,
    at,
    new Date(at.getTime() - API_TOKEN_TOUCH_MS),
  ]);
}

export async function updateApiTokenGrant(pool: Pool, id: string, sealedGrant: string): Promise<void> {
  await pool.query("UPDATE ai_api_tokens SET sealed_grant = $2 WHERE id = $1 AND revoked_at IS NULL", [id, sealedGrant]);
}
