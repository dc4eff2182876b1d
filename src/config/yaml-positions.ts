import { type Document, type Node, isAlias, isMap, isScalar, isSeq, visit } from "yaml";

/**
 * Where things are written in a YAML document: from a path of keys and indexes (as zod reports
 * them) back to an offset in the text, so a problem can name its line and column.
 */

export type PathSegment = string | number;

export function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

export function offsetOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0] ?? undefined;
}

/** The node at `path`, or as far along it as the document goes (the parent of a missing key). */
export function walk(doc: Document, path: readonly PathSegment[]): { node: unknown; keyNode?: unknown; complete: boolean } {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    // Follow an alias into the value it names; positions are then those of the anchored value.
    const current = isAlias(node) ? node.resolve(doc) : node;
    let next: { key?: unknown; value: unknown } | undefined;
    if (isMap(current)) {
      const pair = current.items.find((item) => isScalar(item.key) && keyName(item.key.value) === String(segment));
      next = pair ? { key: pair.key, value: pair.value } : undefined;
    } else if (isSeq(current) && typeof segment === "number") {
      next = segment < current.items.length ? { value: current.items[segment] } : undefined;
    }
    if (!next) return { node, keyNode, complete: false };
    node = next.value;
    keyNode = next.key;
  }
  return { node, keyNode, complete: true };
}

/** A scalar key as JavaScript sees it after `toJS`. */
function keyName(value: unknown): string | undefined {
  if (value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return undefined;
}

/** Where the value at `path` is written; for a missing key, its parent mapping. */
export function valueOffset(doc: Document, path: readonly PathSegment[]): number {
  const { node, keyNode } = walk(doc, path);
  const range = (node as Node | null)?.range;
  // An empty value (`drafts:`) has a zero-width range after the colon; the key is the better mark.
  if (range && range[0] === range[1] && keyNode !== undefined) return offsetOf(keyNode) ?? range[0];
  return range?.[0] ?? offsetOf(keyNode) ?? 0;
}

/** Where the key at the end of `path` is written. */
export function keyOffset(doc: Document, path: readonly PathSegment[]): number {
  const found = walk(doc, path);
  return (found.complete ? offsetOf(found.keyNode) : undefined) ?? valueOffset(doc, path.slice(0, -1));
}

