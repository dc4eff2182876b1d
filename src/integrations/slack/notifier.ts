import type { Block, KnownBlock } from "@slack/web-api";
import type { SlackClient } from "./client.js";
import type { Notifier, NotifierMessage, PostedMessage } from "../kinds/notifier.js";
import { messageAnswer, parseAnswer } from "./schema.js";

/** Slack as a notifier: a message is its channel and ts; a reply is a message with thread_ts. */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: SlackClient,
    readonly channel: string | undefined,
  ) {}

  async post(message: NotifierMessage, channel: string): Promise<PostedMessage> {
    const answer = parseAnswer(messageAnswer, await (await this.client()).chat.postMessage({ channel, ...content(message) }), "chat.postMessage");
    return { channel: answer.channel ?? channel, ...(answer.ts ? { id: answer.ts } : {}) };
  }

  async update(posted: PostedMessage & { id: string }, message: NotifierMessage): Promise<void> {
    parseAnswer(messageAnswer, await (await this.client()).chat.update({ channel: posted.channel, ts: posted.id, ...content(message) }), "chat.update");
  }

  async reply(parent: PostedMessage & { id: string }, message: NotifierMessage): Promise<PostedMessage> {
    const answer = parseAnswer(messageAnswer, await (await this.client()).chat.postMessage({ channel: parent.channel, thread_ts: parent.id, ...content(message) }), "chat.postMessage");
    return { channel: answer.channel ?? parent.channel, ...(answer.ts ? { id: answer.ts } : {}) };
  }
}

function content(message: NotifierMessage): { text: string; blocks?: (KnownBlock | Block)[] } {
  // The sink builds its blocks in Block Kit's own shape; the Notifier interface keeps them opaque.
  return { text: message.text, ...(message.blocks ? { blocks: [...message.blocks] as (KnownBlock | Block)[] } : {}) };
}
