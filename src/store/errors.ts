/**
 * Whether a write failed on a unique index: PostgreSQL's unique_violation (23505, also from PGlite)
 * or MongoDB's duplicate key (11000). One check for the store and the queue on every backend.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === 11000;
}
