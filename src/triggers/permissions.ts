/** The write-access gate is GitHub's to answer; kept importable here, where the trigger gate asks it. */
export { hasWriteAccess } from "../integrations/github/permissions.js";

/** A bot account may act only when the repository's config allow-lists it by login. */
export function isAllowedSender(sender: { login: string; type: string }, allowBots: readonly string[]): boolean {
  return sender.type !== "Bot" || allowBots.includes(sender.login);
}
