import type { Collection } from "mongodb";
import { API_TOKEN_TOUCH_MS, type ApiToken, type NewApiToken, knownScopes, newApiTokenSchema } from "../types.js";

/** Personal API tokens on MongoDB, as src/store/postgres/api-tokens.ts keeps them. */

export type ApiTokenDoc = Omit<ApiToken, "id"> & { _id: string };

function tokenFromDoc({ _id, ...doc }: ApiTokenDoc): ApiToken {
  return { ...doc, id: _id, scopes: knownScopes(doc.scopes), revokedAt: doc.revokedAt ?? null, lastUsedAt: doc.lastUsedAt ?? null };
}

export async function apiTokenIndexes(tokens: Collection<ApiTokenDoc>): Promise<void> {
  await tokens.createIndex({ secretHash: 1 }, { unique: true });
  await tokens.createIndex({ githubUserId: 1, createdAt: -1 });
}

export async function createApiToken(tokens: Collection<ApiTokenDoc>, input: NewApiToken): Promise<ApiToken> {
  const { id, ...token } = newApiTokenSchema.parse(input);
  const doc: ApiTokenDoc = { ...token, _id: id, revokedAt: null, lastUsedAt: null };
  await tokens.insertOne(doc);
  return tokenFromDoc(doc);
}

export async function findApiTokenByHash(tokens: Collection<ApiTokenDoc>, secretHash: string): Promise<ApiToken | null> {
  const doc = await tokens.findOne({ secretHash });
  return doc ? tokenFromDoc(doc) : null;
}

export async function listApiTokens(tokens: Collection<ApiTokenDoc>, githubUserId: number): Promise<ApiToken[]> {
  const docs = await tokens.find({ githubUserId }).sort({ createdAt: -1, _id: -1 }).toArray();
  return docs.map(tokenFromDoc);
}

export async function revokeApiToken(tokens: Collection<ApiTokenDoc>, id: string, githubUserId: number, at: Date): Promise<ApiToken | null> {
  // A pipeline update, so a token revoked already keeps its first time, as COALESCE does on PostgreSQL.
  const doc = await tokens.findOneAndUpdate({ _id: id, githubUserId }, [{ $set: { revokedAt: { $ifNull: ["$revokedAt", at] } } }], { returnDocument: "after" });
  return doc ? tokenFromDoc(doc) : null;
}

export async function touchApiToken(tokens: Collection<ApiTokenDoc>, id: string, at: Date): Promise<void> {
  const before = new Date(at.getTime() - API_TOKEN_TOUCH_MS);
  await tokens.updateOne({ _id: id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lte: before } }] }, { $set: { lastUsedAt: at } });
}

export async function updateApiTokenGrant(tokens: Collection<ApiTokenDoc>, id: string, sealedGrant: string): Promise<void> {
  await tokens.updateOne({ _id: id, revokedAt: null }, { $set: { sealedGrant } });
}
