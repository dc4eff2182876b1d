/**
 * A chat or mail tool the app posts to (Slack; later email): a message, changed in place as a run
 * goes on, and replies threaded under it. Where the tool has a rich layout, `blocks` carries it and
 * `text` is what every client shows (and what a tool without one sends).
 */

export interface NotifierMessage {
  text: string;
  /** The tool's own rich form of the message (Slack's Block Kit), when it has one. */
  blocks?: readonly unknown[];
}

/** Where a posted message is: its channel as the tool names it, and its id there (Slack's ts). */
export interface PostedMessage {
  channel: string;
  /** Absent when the tool accepted the message without naming it: it cannot be updated then. */
  id?: string;
}

export interface Notifier {
  /** The channel (or address) the repository's settings name; posts go there unless told otherwise. */
  readonly channel?: string;
  post(message: NotifierMessage, channel: string): Promise<PostedMessage>;
  /** Replaces the text (and layout) of a message posted before. */
  update(posted: PostedMessage & { id: string }, message: NotifierMessage): Promise<void>;
  /** Posts in the thread under a message. */
  reply(parent: PostedMessage & { id: string }, message: NotifierMessage): Promise<PostedMessage>;
}
