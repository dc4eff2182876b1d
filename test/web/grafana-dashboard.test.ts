import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppMetrics } from "../../src/web/metrics.js";

const DATASOURCE = z.object({ type: z.literal("prometheus"), uid: z.literal("${DS_PROMETHEUS}") });
const dashboardSchema = z.object({
  __inputs: z.array(z.object({ name: z.string(), type: z.string(), pluginId: z.string() })),
  schemaVersion: z.number().int(),
  title: z.string(),
  uid: z.string(),
  panels: z.array(
    z.object({
      id: z.number().int(),
      type: z.string(),
      title: z.string().min(1),
      gridPos: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
      datasource: DATASOURCE.optional(),
      targets: z.array(z.object({ expr: z.string().min(1), refId: z.string(), datasource: DATASOURCE })).optional(),
    }),
  ),
});

const dashboard = dashboardSchema.parse(JSON.parse(readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8")));
const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
/** Every ai_agent_ name the expressions use, with a histogram's _bucket, _sum and _count taken off. */
const used = new Set(exprs.flatMap((expr) => [...expr.matchAll(/\bai_agent_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, ""))));

describe("the Grafana dashboard in docs/", () => {
  const metrics = new AppMetrics();
  const families = metrics.registry.getMetricsAsArray().map((metric) => ({ name: metric.name, type: String((metric as { type?: unknown }).type) }));

  it("takes its Prometheus data source as the ${DS_PROMETHEUS} input, on every panel and query", () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" })]);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource, panel.title).toBeDefined();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it("shows every metric the registry defines, and names none it does not", () => {
    expect(families.length).toBeGreaterThan(0);
    for (const { name } of families) expect(used.has(name), `${name} is in no panel`).toBe(true);
    expect([...used].filter((name) => !families.some((f) => f.name === name))).toEqual([]);
  });

  it("reads each histogram through histogram_quantile for p50 and p95", () => {
    const histograms = families.filter((f) => f.type === "histogram").map((f) => f.name);
    expect(histograms).toEqual(expect.arrayContaining(["ai_agent_run_pickup_seconds", "ai_agent_run_duration_seconds"]));
    for (const name of histograms) {
      for (const quantile of ["0.5", "0.95"]) {
        expect(exprs.some((expr) => expr.includes(`histogram_quantile(${quantile},`) && expr.includes(`${name}_bucket`)), `${name} p${quantile}`).toBe(true);
      }
    }
  });
});
