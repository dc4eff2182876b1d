import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { apiRoutes } from "../../src/web/api/routes.js";
import { listRunsQuery, runView } from "../../src/web/api/schemas.js";
import type { Database } from "../../src/store/open.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { serveApi } from "./api-support.js";

/** /api/v1/openapi.json, served: an OpenAPI 3.1 document made from the schemas the routes validate with. */

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[]; responses: Record<string, { content?: { "application/json": { schema: { $ref?: string } } } }> }>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, Record<string, unknown>> };
};

describe("the OpenAPI document of /api/v1", () => {
  let database: TestDatabase;
  let opened: Database;
  let api: { base: string; close: () => Promise<void> };
  let doc: Doc;

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    api = await serveApi(opened.store);
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    // Served without credentials: it describes the API, it shows nothing of any run.
    const response = await fetch(`${api.base}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as Doc;
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await api.close();
    await opened.close();
    await database.dispose();
  });

  it("is OpenAPI 3.1 with both ways of signing in", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearer", "session"]);
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: "http", scheme: "bearer" }, session: { type: "apiKey", in: "cookie", name: "ai_agent_session" } });
  });

  it("lists every route with its parameters, and every response schema is a JSON Schema object it defines", () => {
    const expected = [
      "get /api/v1/runs",
      "get /api/v1/runs/{id}",
      "get /api/v1/runs/{id}/steps",
      "get /api/v1/runs/{id}/events",
      "get /api/v1/usage",
      "post /api/v1/runs/{id}/stop",
      "get /api/v1/queue",
      "post /api/v1/queue/jobs/{id}/retry",
      "get /api/v1/tokens",
      "post /api/v1/tokens",
      "post /api/v1/tokens/{id}/revoke",
      "get /api/v1/openapi.json",
    ];
    const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(listed.sort()).toEqual(expected.sort());
    expect(doc.paths["/api/v1/runs/{id}"]!.get!.parameters).toMatchObject([{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }]);
    expect(doc.paths["/api/v1/runs"]!.get!.parameters.map((p) => p.name)).toEqual(["repo", "task", "status", "actor", "since", "until", "limit", "cursor"]);
    expect(doc.paths["/api/v1/queue/jobs/{id}/retry"]!.post!.parameters).toMatchObject([{ name: "id", in: "path", required: true }, { name: "failCount", in: "query", required: false }]);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(typeof schema, name).toBe("object");
      expect(schema.type, name).toBe("object");
      expect(schema.$schema, name).toBeUndefined();
    }
    for (const methods of Object.values(doc.paths)) {
      for (const operation of Object.values(methods)) {
        for (const answer of Object.values(operation.responses)) {
          const ref = answer.content?.["application/json"].schema.$ref;
          if (ref) expect(doc.components.schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
        }
      }
    }
  });

  it("names the scope each operation needs of an API token, and the token routes' body", () => {
    type Operation = { security: Record<string, string[]>[]; "x-scopes": string[]; description: string; responses: Record<string, unknown>; requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> } };
    const operation = (path: string, method: string) => (doc.paths[path] as unknown as Record<string, Operation>)[method]!;
    const scopes = Object.fromEntries(
      apiRoutes.map((route) => {
        const op = operation(`/api/v1${route.path}`, route.method.toLowerCase());
        expect(op.security).toEqual([{ bearer: [route.scope] }, { session: [] }]);
        expect(op.responses[403], route.operationId).toBeDefined();
        return [route.operationId, op["x-scopes"]];
      }),
    );
    expect(scopes).toEqual({
      listRuns: ["runs:read"],
      getRun: ["runs:read"],
      getRunSteps: ["runs:read"],
      getRunEvents: ["runs:read"],
      getUsage: ["usage:read"],
      stopRun: ["runs:stop"],
      getQueue: ["queue:read"],
      retryJob: ["queue:retry"],
      listTokens: ["tokens"],
      issueToken: ["tokens"],
      revokeToken: ["tokens"],
    });
    expect(operation("/api/v1/tokens", "post").description).toContain("an API token is never granted `tokens`");
    expect(operation("/api/v1/runs", "get").description).toContain("`runs:read`");
    expect(doc.components.securitySchemes.bearer!.description).toContain("aia_");

    const body = operation("/api/v1/tokens", "post").requestBody!;
    expect(body.required).toBe(true);
    expect(body.content["application/json"]!.schema).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: ["name", "scopes"],
      properties: { scopes: { type: "array", items: { enum: ["runs:read", "usage:read", "runs:stop", "queue:read", "queue:retry"] } }, expiresInDays: { type: "integer", minimum: 1, maximum: 365, default: 90 } },
    });
    expect(operation("/api/v1/runs", "get").requestBody).toBeUndefined();
    expect(doc.components.schemas.IssuedToken!.required).toEqual(["token", "secret"]);
  });

  it("carries the schemas the routes validate with", () => {
    const limit = doc.paths["/api/v1/runs"]!.get!.parameters.find((p) => p.name === "limit")!;
    expect(limit).toMatchObject({ required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 25 } });
    const status = doc.paths["/api/v1/runs"]!.get!.parameters.find((p) => p.name === "status")!;
    expect(status.schema.enum).toEqual(listRunsQuery.shape.status.unwrap().options);
    // Generated from the very objects the routes parse with, not written beside them.
    const run = z.toJSONSchema(runView, { io: "output", target: "draft-2020-12" }) as Record<string, unknown>;
    delete run.$schema;
    expect(doc.components.schemas.Run).toEqual(run);
    for (const route of apiRoutes) expect(doc.components.schemas[route.ok.name]).toBeDefined();
  });
});
