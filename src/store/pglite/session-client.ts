import pg from "pg";

/**
 * The pool's connections to the embedded database take turns, whole statements and whole
 * transactions at a time. PGlite is one database session; its socket server queues the protocol
 * messages of all connections into it one message at a time, and keeps to one connection only
 * while a transaction is open. So a transaction that begins between another connection's Bind and
 * its Execute runs its own statements on the session's unnamed portal, and that connection's
 * Execute then fails ("portal "" does not exist", "unnamed prepared statement does not exist").
 * The app's queue and store run such statements side by side all the time.
 *
 * Here a connection holds a lock for each statement it sends, and from a BEGIN to the end of its
 * transaction (as the server's ReadyForQuery reports it). A statement of another connection sent
 * inside that transaction would wait for it in the socket server as well, so the lock adds no
 * waits the embedded database does not already have.
 */

class Turns {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves, when it is the caller's turn, to the function that ends it. */
  take(): Promise<() => void> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const turn = this.tail.then(() => end);
    this.tail = this.tail.then(() => ended);
    return turn;
  }
}

type QueryCallback = (error: Error | null, result?: pg.QueryResult) => void;

/** A pg Client class whose instances share one set of turns: one for each embedded database. */
export function sessionClient(): typeof pg.Client {
  const turns = new Turns();
  return class SessionClient extends pg.Client {
    /** The end of this connection's turn while it holds one: a statement in flight, or an open transaction. */
    private holding: Promise<() => void> | undefined;
    private inFlight = 0;

    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A connection that fails or closes mid-transaction gives its turn back.
      this.on("end", () => this.giveBack());
      this.on("error", () => this.giveBack());
    }

    // pg's overloads (promise, callback, query config) all pass through `query(...args)`.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads of pg.Client.query, forwarded unchanged
    override query(...given: any[]): any {
      const args: unknown[] = given;
      const [first] = args;
      const send = super.query.bind(this) as (...a: unknown[]) => unknown;
      // A Submittable (a cursor, a stream) drives itself; none of the app's code sends one here.
      if (typeof first === "object" && first !== null && "submit" in first) return send(...args);
      const callback = typeof args.at(-1) === "function" ? (args.pop() as QueryCallback) : undefined;
      this.inFlight++;
      const turn = (this.holding ??= turns.take());
      const run = turn.then(async () => {
        try {
          return (await send(...args)) as pg.QueryResult;
        } finally {
          this.inFlight--;
          const status = this.getTransactionStatus();
          if (this.inFlight === 0 && (status === "I" || status === null)) this.giveBack();
        }
      });
      if (!callback) return run;
      run.then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
      return undefined;
    }

    private giveBack(): void {
      const turn = this.holding;
      this.holding = undefined;
      void turn?.then((end) => end());
    }
  };
}
