import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { isPublicUrl } from "./webhook-proxy.js";

/**
 * The GitHub App manifest the setup page posts to GitHub, built from app.yml the way Probot builds
 * it (app.yml's keys win over generated ones), except for the webhook URL. Probot uses
 * WEBHOOK_PROXY_URL or else the page's own address with no path (`http://localhost:3000/`), which
 * GitHub cannot reach and which is not where webhooks are served; here it is the public address's
 * webhook path, or the proxy channel.
 * https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
 */

const appYmlSchema = z.looseObject({
  name: z.string().min(1).max(34, "GitHub allows at most 34 characters").optional(),
  description: z.string().optional(),
  url: z.url("expected the App's homepage URL").optional(),
  public: z.boolean().optional(),
  hook_attributes: z.looseObject({ url: z.url("expected the webhook URL").optional(), active: z.boolean().optional() }).optional(),
  default_permissions: z.record(z.string(), z.enum(["read", "write", "admin"])).optional(),
  default_events: z.array(z.string()).optional(),
});

export type AppManifestFile = z.infer<typeof appYmlSchema>;

export class AppManifestError extends Error {
  override name = "AppManifestError";
}

/** Reads app.yml (a missing file is an empty manifest, as in Probot), with one line per problem. */
export function readAppManifestFile(path: string): AppManifestFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  const result = appYmlSchema.safeParse(parse(text) ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new AppManifestError(`${path}: ${problems.join("; ")}`);
  }
  return result.data;
}

export interface ManifestInputs {
  /** The setup page's own address as the browser reached it, for GitHub's redirect back. */
  baseUrl: string;
  publicUrl: string | undefined;
  /** The webhook proxy channel, when setup has one. */
  channel: string | undefined;
  webhookPath: string;
  pkg: { name: string; description?: string | undefined };
}

/** Where GitHub should deliver: PUBLIC_URL's webhook path, else the proxy channel, else this server. */
export function manifestHookUrl(inputs: Omit<ManifestInputs, "pkg">): string {
  if (isPublicUrl(inputs.publicUrl)) return `${inputs.publicUrl.replace(/\/$/, "")}${inputs.webhookPath}`;
  return inputs.channel ?? `${inputs.baseUrl}${inputs.webhookPath}`;
}

export function buildManifest(file: AppManifestFile, inputs: ManifestInputs): Record<string, unknown> {
  return {
    name: inputs.pkg.name,
    description: inputs.pkg.description,
    public: false,
    redirect_url: `${inputs.baseUrl}/probot/setup`,
    version: "v1",
    ...file,
    hook_attributes: { ...file.hook_attributes, url: file.hook_attributes?.url ?? manifestHookUrl(inputs) },
  };
}
