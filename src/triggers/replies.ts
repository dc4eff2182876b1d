import { type CommandName, commandNames } from "../core/trigger.js";

/** The texts the app posts in reply to people. Short, specific, and never a stack trace. */

const COMMAND_HELP: Record<CommandName, string> = {
  plan: "post a plan for this issue: steps, files likely touched, risks and an estimate",
  implement: "on an issue, implement it and open a pull request; on a pull request, make the change on its branch (text after the command is passed on as instructions)",
  review: "review this pull request now",
  ask: "answer a question about this issue or pull request",
  "fix-ci": "make this pull request's failing checks pass, with commits on its branch",
  stop: "stop the active run at its next step",
  status: "show the active run's state",
  help: "show this list",
};

export function helpText(enabled: readonly CommandName[], implementLabel: string): string {
  const lines = commandNames
    .filter((name) => enabled.includes(name))
    .map((name) => `- \`/ai ${name}${name === "ask" ? " <question>" : ""}\` — ${COMMAND_HELP[name]}`);
  return [
    "**ai-agent commands** (at the start of a line in a comment):",
    "",
    ...lines,
    "",
    `Labelling an issue \`${implementLabel}\` also starts an implementation.`,
    "On a pull request I opened, `/ai <request>` or a review with comments has me change its branch; `@ai-agent <command>` works like `/ai <command>`.",
  ].join("\n");
}

export function unknownCommandText(name: string, enabled: readonly CommandName[]): string {
  return `\`/ai ${name}\` is not a command I know. Valid commands: ${enabled.map((n) => `\`/ai ${n}\``).join(", ")}.`;
}

export function disabledCommandText(name: CommandName): string {
  return `\`/ai ${name}\` is turned off for this repository in \`.github/ai-agent.yml\` (\`triggers.commands\`).`;
}

export function refusalText(login: string): string {
  return (
    `Sorry @${login}, only people with write access to this repository can ask me to do things. ` +
    "A maintainer can run the command for you."
  );
}

export function wrongPlaceText(name: CommandName, isPullRequest: boolean): string {
  return isPullRequest
    ? `\`/ai ${name}\` works on issues, not pull requests.`
    : `\`/ai ${name}\` works on pull requests, not issues.`;
}

export function forkText(author: string | null): string {
  return (
    `This pull request's branch is in ${author ? `@${author}'s` : "another"} fork, and I can only push to branches of this repository, so I cannot add commits to it. ` +
    "I can make the change on a new branch of this repository instead, starting from this pull request's head, and open it as a new pull request: comment `/ai implement --new-pr <instructions>`."
  );
}

export function followUpsOffText(): string {
  return "Follow-ups on pull requests are turned off for this repository in `.github/ai-agent.yml` (`agent.follow_up.enabled`).";
}

export function busyText(task: string, runUrl: string): string {
  return `A ${task} run is already active here: ${runUrl}. Use \`/ai stop\` to stop it first.`;
}

const clock = (at: Date) => at.toISOString().slice(11, 16);

export function rateLimitedText(login: string, limit: number, since: Date, until: Date): string {
  return (
    `Sorry @${login}, you have started ${limit} run${limit === 1 ? "" : "s"} in this repository since ${clock(since)} UTC; ` +
    `the limit is ${limit} an hour. Try again after ${clock(until)} UTC.`
  );
}

export function emptyQuestionText(): string {
  return "Ask a question after the command, for example `/ai ask why does the retry loop never end?`";
}

export function forkFixText(): string {
  return "`/ai fix-ci` pushes to the pull request's branch, and this one is in a fork I cannot push to.";
}

/** Said once per pull request, when the CI autopilot has used its attempts on it. */
export function fixAttemptsSpentText(attempts: number, label: string): string {
  return (
    `The checks still fail after ${attempts} fix attempt${attempts === 1 ? "" : "s"} (\`agent.fix_ci.max_attempts\`), so I have stopped ` +
    `and labelled this pull request \`${label}\` for a person to look at. Comment \`/ai fix-ci\` to have me try again.`
  );
}
