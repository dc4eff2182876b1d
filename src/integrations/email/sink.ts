import type { MirrorState, RunEvent, RunInfo, StatusSink } from "../kinds/status.js";
import type { SmtpClient } from "./client.js";
import { runMail } from "./message.js";
import type { EmailEvent, EmailSettings } from "./settings.js";

/**
 * A run by email: one message per chosen event to the repository's addresses, threaded under the
 * run's first message. A mail cannot be taken back, so each event is claimed before it is sent:
 * a resumed run, or a second process, never sends it again (a send that failed is recorded on the
 * run as `emailError` and not repeated).
 */
export class EmailSink implements StatusSink {
  readonly name = "email";
  private readonly events: ReadonlySet<RunEvent["type"]>;

  constructor(
    private readonly client: SmtpClient,
    private readonly settings: EmailSettings,
  ) {
    this.events = new Set<EmailEvent>(settings.events);
  }

  async handle(event: RunEvent, run: RunInfo, state: MirrorState): Promise<void> {
    if (!this.events.has(event.type)) return;
    const sent = `emailSent_${event.type}`;
    if (state.get(sent)) return;
    if (!(await state.claim(`email-${event.type}`))) return;
    // The first message sent for the run is the root the others reply to.
    const first = await state.claim("email-thread");
    const mail = await runMail(event, run, this.settings.to, first);
    await this.client.send(mail);
    await state.set(sent, mail.messageId);
  }
}
