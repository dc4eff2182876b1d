import { appendFileSync } from "node:fs";

type Resolved = { url: string };

/** Node's resolve hook: each import as it resolves, appended to IMPORT_LOG. */
export async function resolve(specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<Resolved>): Promise<Resolved> {
  const resolved = await next(specifier, context);
  if (process.env.IMPORT_LOG) appendFileSync(process.env.IMPORT_LOG, `${resolved.url}\n`);
  return resolved;
}
