/**
 * Holds one request of the app's in a fake service, so a test can kill the app at that exact point:
 * arm it with a matcher, wait until the app has sent a matching request, signal the process, and
 * once the process is gone release the request — dropped (the service never saw it) or applied (the
 * service did what was asked, and the answer went to a closed socket, as when a process dies waiting
 * for GitHub's reply).
 */

export interface HeldRequest {
  service: string;
  method: string;
  path: string;
  /** The request body as text. */
  body: string;
}

export type ReleaseMode = "drop" | "apply";

interface Parked {
  mode: ReleaseMode;
  apply: () => void;
  drop: () => void;
}

export class RequestHold {
  private rule: { match: (request: HeldRequest) => boolean; mode: ReleaseMode; seen: (request: HeldRequest) => void } | undefined;
  private parked: Parked[] = [];

  /** Resolves with the first request that matches, which is held until release(). */
  arm(match: (request: HeldRequest) => boolean, mode: ReleaseMode): Promise<HeldRequest> {
    return new Promise((resolve) => {
      this.rule = { match, mode, seen: resolve };
    });
  }

  /**
   * Called by a fake service for every request: runs `apply` now, or parks the request when it is
   * the armed one. `drop` must end the request without doing anything (destroy the socket).
   */
  pass(request: HeldRequest, apply: () => void, drop: () => void): void {
    const rule = this.rule;
    if (!rule || !rule.match(request)) {
      apply();
      return;
    }
    this.rule = undefined;
    this.parked.push({ mode: rule.mode, apply, drop });
    rule.seen(request);
  }

  /** Lets the held request go as armed; disarms a rule that never matched. */
  release(): void {
    this.rule = undefined;
    for (const parked of this.parked.splice(0)) (parked.mode === "apply" ? parked.apply : parked.drop)();
  }
}
