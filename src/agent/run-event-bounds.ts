import { redactOutput } from "../core/redactor.js";
import { repairText } from "../core/safe-json.js";
import { MAX_RUN_EVENT_OUTPUT_BYTES, MAX_RUN_EVENT_SUMMARY, type RunEventEntry, type RunEventKind } from "../store/types.js";

/**
 * What one event of a run's log may hold: every string redacted (known secrets and anything shaped
 * like a credential) before it is cut, so a secret split by the cut cannot survive in halves; the
 * summary at most MAX_RUN_EVENT_SUMMARY characters; the output its first 2 KiB and its end, at most
 * MAX_RUN_EVENT_OUTPUT_BYTES in all with the marker of what was left out. Pure.
 */

/** An event as a tool or an action reports it, before the log numbers, redacts and bounds it. */
export interface RunEventInput {
  kind: Exclude<RunEventKind, "dropped">;
  name: string;
  summary: string;
  output?: string | null;
  exitCode?: number | null;
  durationMs?: number | null;
}

const HEAD_BYTES = 2 * 1024;
const MAX_NAME = 100;
const MAX_STEP = 200;

/** The event as it is stored, numbered `seq` and filed under `step`. */
export function boundedEvent(input: Omit<RunEventInput, "kind"> & { kind: RunEventKind }, seq: number, step: string | null, at: Date): RunEventEntry {
  const summary = shorten(clean(input.summary), MAX_RUN_EVENT_SUMMARY);
  const output = input.output === undefined || input.output === null ? null : cutOutput(clean(input.output));
  return {
    seq,
    at,
    step: step === null ? null : shorten(clean(step), MAX_STEP).text || null,
    kind: input.kind,
    name: shorten(clean(input.name), MAX_NAME).text || "unnamed",
    summary: summary.text,
    output: output?.text ?? null,
    exitCode: integerOrNull(input.exitCode),
    durationMs: input.durationMs === undefined || input.durationMs === null ? null : Math.max(0, Math.round(input.durationMs)),
    truncated: summary.truncated || (output?.truncated ?? false),
  };
}

function clean(text: string): string {
  return redactOutput(repairText(text));
}

function integerOrNull(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

/** At most `max` characters, the end marked when cut; a surrogate pair is not split. */
function shorten(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return { text: `${text.slice(0, end)}…`, truncated: true };
}

/** The output's start and end around a marker, at most MAX_RUN_EVENT_OUTPUT_BYTES of UTF-8, never splitting a character. */
export function cutOutput(text: string): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= MAX_RUN_EVENT_OUTPUT_BYTES) return { text, truncated: false };
  const marker = (left: number) => `\n… ${left} bytes left out …\n`;
  // The widest count is the whole output's size, so the real marker is never longer than this one.
  const tailBytes = MAX_RUN_EVENT_OUTPUT_BYTES - HEAD_BYTES - Buffer.byteLength(marker(bytes.length));
  let headEnd = HEAD_BYTES;
  // A UTF-8 continuation byte (10xxxxxx) is the middle of a character: cut before it starts.
  while (headEnd > 0 && isContinuation(bytes[headEnd])) headEnd--;
  let tailStart = bytes.length - tailBytes;
  while (tailStart < bytes.length && isContinuation(bytes[tailStart])) tailStart++;
  const head = bytes.subarray(0, headEnd).toString("utf8");
  const tail = bytes.subarray(tailStart).toString("utf8");
  return { text: `${head}${marker(tailStart - headEnd)}${tail}`, truncated: true };
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}
