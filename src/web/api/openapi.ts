import { z } from "zod";
import { API_PREFIX, type ApiRoute, apiRoutes, errorSchema } from "./routes.js";
import { grantableScopes } from "./scopes.js";

/**
 * The OpenAPI 3.1 document of /api/v1, made from the route table and the zod schemas the routes
 * validate with (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 speaks), once: each
 * operation's parameters, body, answers, and the scope an API token needs for it.
 */

type JsonSchema = Record<string, unknown>;

/** Input schemas describe what callers send; `$schema` belongs to a whole document, not a part of one. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, target: "draft-2020-12" }) as JsonSchema;
  delete generated.$schema;
  return generated;
}

function parameters(route: ApiRoute): JsonSchema[] {
  const listed: JsonSchema[] = [];
  for (const [where, object] of [["path", route.params], ["query", route.query]] as const) {
    if (!object) continue;
    for (const [name, field] of Object.entries(object.shape)) {
      const schema = jsonSchema(field as z.ZodType, "input");
      // Optional, or given a default, means the caller may leave it out.
      const required = where === "path" || !(field as z.ZodType).safeParse(undefined).success;
      listed.push({ name, in: where, required, ...(typeof schema.description === "string" ? { description: schema.description } : {}), schema });
    }
  }
  return listed;
}

function scopeNote(route: ApiRoute): string {
  return route.scope === "tokens"
    ? "For a session or a GitHub token only: an API token is never granted `tokens`, so it cannot manage tokens."
    : `An API token needs the scope \`${route.scope}\`; a session or a GitHub token may always call this.`;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorAnswer = (description: string) => ({ description, content: { "application/json": { schema: ref(errorSchema.name) } } });

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = { [errorSchema.name]: jsonSchema(errorSchema.schema, "output") };
  for (const route of apiRoutes) {
    schemas[route.ok.name] = jsonSchema(route.ok.schema, "output");
    const errors = Object.fromEntries(Object.entries(route.errors).map(([status, description]) => [status, errorAnswer(description)]));
    (paths[`${API_PREFIX}${route.path}`] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      description: scopeNote(route),
      // OpenAPI 3.1 lets any scheme list the roles it needs: here, the scope an API token must carry.
      security: [{ bearer: [route.scope] }, { session: [] }],
      "x-scopes": [route.scope],
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input") } } } } : {}),
      responses: {
        [route.ok.status]: { description: route.ok.description, content: { "application/json": { schema: ref(route.ok.name) } } },
        ...errors,
        401: errorAnswer("no credentials; GitHub did not accept the token; or the API token is unknown, expired or revoked"),
        403: errorAnswer(route.errors[403] ? `${route.errors[403]}; or the API token lacks the scope` : "the API token lacks the scope this needs"),
        502: errorAnswer("GitHub did not answer who you are or what you may read"),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "ai-agent", version: "1", description: "Runs, their steps and spend, for the repositories GitHub says you may read through this App; the queue's health, and the retry of a failed job; and your personal API tokens." },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      ...paths,
      [`${API_PREFIX}/openapi.json`]: {
        get: { operationId: "openApi", summary: "This document", security: [], responses: { 200: { description: "the OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } } } },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            `a personal API token of this app (\`aia_…\`, issued at POST /api/v1/tokens or on the dashboard, with some of the scopes ${grantableScopes.join(", ")}), ` +
            "or a GitHub user token (from the App's sign-in, a GitHub App user token, or a personal access token), which has every scope",
        },
        session: { type: "apiKey", in: "cookie", name: "ai_agent_session", description: "the session of signing in with GitHub at /login" },
      },
    },
  };
}
