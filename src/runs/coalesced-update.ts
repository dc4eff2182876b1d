import type { Logger } from "pino";

interface Slot<State> {
  /** The newest state not yet handed to a write. */
  next?: { state: State };
  /** The loop writing this key's states, while there is one. */
  writing?: Promise<void>;
}

/**
 * Writes the latest state of each key (a tracking comment, a message), one write at a time, and
 * never holds the caller up. GitHub spaces an installation's writes a second apart, so a run that
 * waited for each edit of its comment ran at the throttle's pace, not its work's; and states that
 * arrive while a write is on its way are only ever wanted as the newest of them. So: at most one
 * write per key in flight; while it is, a newer state replaces the one waiting, and the write
 * after it sends the newest. A write that fails is logged and the next state is still written:
 * progress is never worth failing the work it reports on. `flush` waits for what was set so far —
 * the end of a run, whose final state must land before the run is done.
 */
export class CoalescedUpdates<State> {
  private readonly slots = new Map<string, Slot<State>>();

  constructor(
    private readonly write: (key: string, state: State) => Promise<void>,
    private readonly log: Pick<Logger, "warn">,
    /** What the log calls a key's writes, e.g. "tracking comment". */
    private readonly what = "update",
  ) {}

  /** Makes `state` the next one written for `key`; returns at once. */
  set(key: string, state: State): void {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = {};
      this.slots.set(key, slot);
    }
    slot.next = { state };
    slot.writing ??= this.drain(key, slot);
  }

  /** Resolves once every state set so far for `key` (every key, without one) is written or failed. */
  async flush(key?: string): Promise<void> {
    const slots = key === undefined ? [...this.slots.values()] : [this.slots.get(key)].filter((slot) => slot !== undefined);
    await Promise.all(slots.map((slot) => slot.writing ?? Promise.resolve()));
  }

  private async drain(key: string, slot: Slot<State>): Promise<void> {
    while (slot.next) {
      const { state } = slot.next;
      slot.next = undefined;
      try {
        // Called in a then, so a write that throws before it returns a promise is caught like any
        // other, and `set` has stored this loop before it can end.
        await Promise.resolve().then(() => this.write(key, state));
      } catch (error) {
        this.log.warn({ err: error, key }, `${this.what} failed; the next one is still sent`);
      }
    }
    slot.writing = undefined;
    this.slots.delete(key);
  }
}
