import type Anthropic from "@anthropic-ai/sdk";
import { renderPrompt } from "../agent/prompts.js";
import type { ModelRun } from "../agent/model-access.js";
import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import { UserFacingError } from "../core/errors.js";
import { planChunks } from "./chunk.js";
import { readPullRequestText } from "./description.js";
import { fileClassifier } from "./files.js";
import { renderChunk } from "./model-review.js";

/**
 * `ai.ask`: `/ai ask <question>` answered in a reply. On a pull request the model reads its
 * description and diff (the most relevant files, within one chunk's budget); on an issue, the issue
 * and the comments of people with write access.
 */

export interface AskOutputs {
  answer: string;
  comment_url: string | null;
  [key: string]: unknown;
}

export async function ask(session: ModelRun, input: { question: string }, signal?: AbortSignal): Promise<AskOutputs> {
  const forge = session.source.versionControl;
  if (!forge) throw new UserFacingError("ai.ask needs GitHub.");
  const { owner, repo, number } = session.target;
  const { config } = session;
  const issue = await session.source.issue();
  let material: string;
  let what: string;
  const isPull = session.target.change ?? (await forge.changeRequest(number).catch(() => undefined));
  if (isPull) {
    what = "a pull request";
    const classify = fileClassifier({ paths: [], ignorePaths: config.triggers.review.ignore_paths, skipGenerated: config.review.skip_generated });
    const files = (await forge.changedFiles(number)).flatMap((f) => (f.patch && classify(f).review ? [{ ...f, patch: f.patch }] : []));
    const plan = planChunks(files, { budget: config.review.chunk_tokens, maxFiles: config.review.max_files });
    const first = plan.chunks[0];
    const omitted = plan.chunks.slice(1).flatMap((c) => c.files.map((f) => f.path));
    const text = await readPullRequestText(forge, { botLogin: (await session.source.committer()).name, snapshot: session.target.snapshot }, isPull);
    material = [
      `Pull request #${number}: ${text.title}`,
      text.body
        ? `<description>\n${text.body}\n</description>`
        : text.bodyWithheld
          ? "(The pull request's description was written by someone without write access to the repository, so it is not shown.)"
          : "",
      first ? `<diff>\n${renderChunk(first)}\n</diff>` : "(no reviewable diff)",
      omitted.length > 0 ? `(Not shown, for length: ${[...new Set(omitted)].join(", ")})` : "",
    ].filter(Boolean).join("\n\n");
  } else {
    what = "an issue";
    material = [`Issue #${number}: ${issue.title}`, `<issue>\n${issue.body}\n</issue>`, ...issue.comments.map((c) => `<comment author="${c.author}">\n${c.body}\n</comment>`)].join("\n\n");
  }
  const request = {
    model: config.models.ask,
    max_tokens: config.models.max_tokens,
    system: [{ type: "text" as const, text: await renderPrompt("ask-system", { what, repo: `${owner}/${repo}` }), cache_control: { type: "ephemeral" as const } }],
    messages: [{ role: "user" as const, content: `${material}\n\nQuestion from @${session.target.actor}: ${input.question}` }],
  };
  const response = await session.model.call(request, signal);
  if (response.stop_reason === "refusal") throw new UserFacingError("The model declined to answer this question.");
  const written = response.content.filter((b): b is Anthropic.TextBlock => b.type === "text").map((b) => b.text).join("\n").trim() || "(no answer)";
  const answer = neutralizeForGitHub(written, { requester: session.target.actor });
  const quoted = input.question.split("\n").map((line) => `> ${line}`).join("\n");
  const posted = await forge.comment(number, `${quoted}\n\n${answer}`);
  return { answer, comment_url: posted.url };
}
