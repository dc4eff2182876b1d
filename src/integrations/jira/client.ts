import type { z } from "zod";
import { type RestLimits, parseJson, restRequest } from "../kinds/rest.js";
import { RemoteError } from "../kinds/status.js";
import { commentCreated, errorBody, ignored, issueCreated, searchPage, transitionList } from "./schema.js";

/**
 * Jira Cloud REST v3, the few calls the mirrors and the jira.* actions make: comments in Atlassian
 * Document Format, transitions by name, remote links with a stable globalId (Jira updates the link
 * with that id instead of adding another), and issues created, found by label and deleted. 429 and
 * 503 answers are retried after their Retry-After; other errors carry Jira's own messages, never
 * the credentials. Every answer the app reads is checked against its schema (schema.ts).
 */

export class JiraError extends RemoteError {
  override name = "JiraError";
}

export interface JiraClientOptions extends RestLimits {
  baseUrl: string;
  email: string;
  apiToken: string;
}

export type Adf = { type: "doc"; version: 1; content: unknown[] };

/** A paragraph of text, with an optional link at its end. */
export function adf(text: string, link?: { href: string; text: string }): Adf {
  const content: unknown[] = [{ type: "text", text }];
  if (link) content.push({ type: "text", text: " " }, { type: "text", text: link.text, marks: [{ type: "link", attrs: { href: link.href } }] });
  return { type: "doc", version: 1, content: [{ type: "paragraph", content }] };
}

export class JiraClient {
  private readonly auth: string;

  constructor(private readonly options: JiraClientOptions) {
    this.auth = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString("base64")}`;
  }

  request<Schema extends z.ZodType>(method: string, path: string, schema: Schema, body?: unknown): Promise<z.output<Schema>> {
    return restRequest({
      tool: "Jira",
      method,
      url: new URL(path, this.options.baseUrl.replace(/\/?$/, "/")).toString(),
      authorization: this.auth,
      schema,
      ...(body === undefined ? {} : { body }),
      messages: jiraMessages,
      fail: (status, message) => new JiraError(status, message),
      limits: this.options,
    });
  }

  addComment(key: string, body: Adf): Promise<{ id: string }> {
    return this.request("POST", `rest/api/3/issue/${encodeURIComponent(key)}/comment`, commentCreated, { body });
  }

  /** Moves the issue through the transition whose name (or target status) is `name`; false when there is none. */
  async transition(key: string, name: string): Promise<boolean> {
    const { transitions } = await this.request("GET", `rest/api/3/issue/${encodeURIComponent(key)}/transitions`, transitionList);
    const wanted = name.toLowerCase();
    const match = transitions.find((t) => t.name.toLowerCase() === wanted || t.to?.name?.toLowerCase() === wanted);
    if (!match) return false;
    await this.request("POST", `rest/api/3/issue/${encodeURIComponent(key)}/transitions`, ignored, { transition: { id: match.id } });
    return true;
  }

  async remoteLink(key: string, link: { globalId: string; url: string; title: string }): Promise<void> {
    await this.request("POST", `rest/api/3/issue/${encodeURIComponent(key)}/remotelink`, ignored, {
      globalId: link.globalId,
      application: { type: "com.github", name: "GitHub" },
      object: { url: link.url, title: link.title },
    });
  }

  createIssue(project: string, summary: string, description: string, type = "Task", labels: readonly string[] = []): Promise<{ id: string; key: string; self: string }> {
    const fields = { project: { key: project }, summary, description: adf(description), issuetype: { name: type }, ...(labels.length > 0 ? { labels: [...labels] } : {}) };
    return this.request("POST", "rest/api/3/issue", issueCreated, { fields });
  }

  /** Deletes an issue (which needs the project's Delete Issues permission); one already gone is fine. */
  async deleteIssue(key: string): Promise<void> {
    try {
      await this.request("DELETE", `rest/api/3/issue/${encodeURIComponent(key)}`, ignored);
    } catch (error) {
      if (!(error instanceof JiraError && error.status === 404)) throw error;
    }
  }

  /** The issues of `project` carrying any of `labels`, every page, each with its labels. */
  async issuesWithLabels(project: string, labels: readonly string[]): Promise<{ key: string; labels: string[] }[]> {
    if (labels.length === 0) return [];
    // Only project keys and labels of safe characters reach here (see PROJECT_KEY and taskLabel).
    const jql = `project = "${project}" AND labels in (${labels.map((label) => `"${label}"`).join(", ")})`;
    const found: { key: string; labels: string[] }[] = [];
    let nextPageToken: string | undefined;
    do {
      const page = await this.request("POST", "rest/api/3/search/jql", searchPage, { jql, fields: ["labels"], maxResults: 100, ...(nextPageToken ? { nextPageToken } : {}) });
      found.push(...page.issues.map((issue) => ({ key: issue.key, labels: issue.fields.labels })));
      nextPageToken = page.isLast === true ? undefined : (page.nextPageToken ?? undefined);
    } while (nextPageToken);
    return found;
  }

  browseUrl(key: string): string {
    return new URL(`browse/${key}`, this.options.baseUrl.replace(/\/?$/, "/")).toString();
  }
}

/** Jira's `errorMessages` and `errors`, or the start of the body. */
function jiraMessages(text: string): string {
  const body = errorBody.safeParse(parseJson(text));
  if (body.success) {
    const messages = [...(body.data.errorMessages ?? []), ...Object.entries(body.data.errors ?? {}).map(([field, message]) => `${field}: ${message}`)];
    if (messages.length > 0) return messages.join("; ");
  }
  return text.slice(0, 200) || "no details";
}
