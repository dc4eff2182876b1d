import type pg from "pg";

/**
 * Seeds the dashboard bench: runs spread as a busy installation's are, each with its model calls
 * in the usage ledger. The rows are made inside the database (generate_series), a chunk per
 * statement, so the embedded database is not fed 150 MB through its socket; values come from a
 * hash of the row's number, so every seeding with the same size holds the same data.
 */

export const REPO_COUNT = 50;
export const ACTOR_COUNT = 200;
export const SPAN_DAYS = 548;
const CHUNK = 5_000;

/** Fifty repositories, a few with capitals as GitHub keeps the case they were created with. */
export const repoNames: readonly string[] = Array.from({ length: REPO_COUNT }, (_, i) => {
  const name = `service-${String(i).padStart(2, "0")}`;
  return i % 9 === 4 ? `Acme/${name.toUpperCase()}` : `acme/${name}`;
});

export const actorNames: readonly string[] = Array.from({ length: ACTOR_COUNT }, (_, i) => (i % 11 === 3 ? `Dev-${i}` : `dev-${i}`));

/** A uniform number in [0, 1) drawn from the row number `i` and a stream `k`. */
const u = (k: number) => `((hashint4(i * 64 + ${k}) & 2147483647)::float8 / 2147483648.0)`;

/**
 * One statement: runs `from`..`to` and their ledger entries. Busy repositories get more runs (a
 * power-law pick); each repository has a team of about a dozen people and one run in ten comes
 * from anyone; runs grow denser toward now; statuses are mostly succeeded, some failed, a few
 * stopped or cancelled, and a handful queued or running.
 */
/**
 * Step lists of 4 to 8 steps for each status a run ends in (the failed one fails a step, the running
 * one is in one), ~1.5 KB as JSON, dated in the first hour of 2000 for the seeding to re-date.
 */
const stepTemplatesSql = `
CREATE TEMP TABLE bench_steps AS
SELECT k, status, (
  SELECT jsonb_agg(jsonb_build_object(
           'id', (ARRAY['checkout','plan','implement','test','lint','commit','push','open-pull-request','comment'])[n],
           'name', initcap((ARRAY['checkout','plan','implement','test','lint','commit','push','open pull request','comment'])[n]),
           'status', CASE WHEN n < count THEN 'succeeded' WHEN status IN ('failed', 'running') THEN status ELSE 'succeeded' END,
           'attempts', 1 + (n * k) % 2,
           'startedAt', '2000-01-01T00:' || lpad((n * 6)::text, 2, '0') || ':05.000Z',
           'finishedAt', '2000-01-01T00:' || lpad((n * 6 + 5)::text, 2, '0') || ':41.000Z',
           'outputs', jsonb_build_object(
             'summary', 'Updated ' || (3 + n) || ' files under src/' || substr(md5(k::text || n::text), 1, 8) || '/; ' || md5((k * n)::text),
             'sha', md5(k::text || 'sha' || n::text),
             'exitCode', 0)
         ) ORDER BY n)::text
    FROM generate_series(1, count) AS n
) AS template
FROM generate_series(0, 31) AS k, unnest(ARRAY['running','succeeded','failed','cancelled','stopped']) AS status,
     LATERAL (SELECT 4 + k % 5 AS count) AS sized`;

const chunkSql = `
WITH picked AS (
  SELECT i,
         floor(${REPO_COUNT} * power(${u(1)}, 1.6))::int AS r,
         ${u(2)} AS team, ${u(3)} AS outsider, ${u(4)} AS anyone,
         ${u(5)} AS t, ${u(6)} AS s, ${u(7)} AS age, ${u(8)} AS steps, ${u(9)} AS calls, ${u(10)} AS cost
    FROM generate_series($1::int, $2::int) AS i
), shaped AS (
  SELECT p.*,
         CASE WHEN t < 0.30 THEN 'implement' WHEN t < 0.65 THEN 'review' WHEN t < 0.77 THEN 'plan' WHEN t < 0.92 THEN 'ask' ELSE 'follow_up' END AS task,
         CASE WHEN s < 0.001 THEN 'queued' WHEN s < 0.0015 THEN 'running' WHEN s < 0.8015 THEN 'succeeded'
              WHEN s < 0.9215 THEN 'failed' WHEN s < 0.9615 THEN 'cancelled' ELSE 'stopped' END AS status,
         CASE WHEN outsider < 0.1 THEN floor(${ACTOR_COUNT} * anyone)::int ELSE (r * 7 + floor(12 * power(team, 1.5))::int) % ${ACTOR_COUNT} END AS a,
         now() - make_interval(secs => ${SPAN_DAYS} * 86400 * (1 - sqrt(age))) AS created
    FROM picked p
), runs AS (
  INSERT INTO ai_runs (id, repo, installation_id, number, kind, task, trigger, actor, status, steps, links, cost_micros, error,
                       created_at, updated_at, started_at, finished_at, head_sha, workflow, snapshot)
  SELECT gen_random_uuid(), ($3::text[])[r + 1], 1000 + r % 3,
         -- Queued and running runs are one per issue and task (a unique index holds that).
         CASE WHEN status IN ('queued', 'running') THEN 100000 + i ELSE 1 + (i * 7919) % 4000 END,
         CASE WHEN task IN ('review', 'follow_up') THEN 'pull_request' ELSE 'issue' END, task,
         CASE task WHEN 'implement' THEN (CASE WHEN i % 10 < 7 THEN 'label' ELSE 'command' END) WHEN 'review' THEN 'pull_request' WHEN 'follow_up' THEN 'review' ELSE 'command' END,
         ($4::text[])[a + 1], status,
         -- A step list of its shape, its times moved into the hour the run was made.
         CASE WHEN status = 'queued' THEN '[]'::jsonb
              ELSE replace((SELECT template FROM bench_steps WHERE k = floor(steps * 32)::int AND bench_steps.status = shaped.status),
                           '2000-01-01T00:', to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:'))::jsonb END,
         jsonb_build_object('trackingComment', 'https://github.com/' || ($3::text[])[r + 1] || '/issues/' || (1 + (i * 7919) % 4000) || '#issuecomment-' || (1000000000 + i)),
         floor(20000 + 1500000 * cost)::bigint,
         CASE WHEN status = 'failed' THEN 'step test failed: npm test exited with code 1 (' || substr(md5(i::text), 1, 12) || ')' END,
         created, created + interval '20 minutes',
         CASE WHEN status <> 'queued' THEN created + interval '2 seconds' END,
         CASE WHEN status NOT IN ('queued', 'running') THEN created + make_interval(secs => 60 + 1800 * steps) END,
         CASE WHEN task IN ('review', 'follow_up') THEN md5(i::text) || substr(md5(i::text || 'h'), 1, 8) END,
         CASE WHEN t < 0.1 THEN 'hotfix' END,
         jsonb_build_object('title', 'Make the ' || substr(md5(i::text), 1, 6) || ' job retry on timeouts', 'body', repeat('Steps to reproduce and what we expected. ', 6),
                            'author', ($4::text[])[a + 1], 'at', to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
    FROM shaped
  RETURNING id, repo, installation_id, task, status, created_at, steps
)
INSERT INTO ai_usage (id, run_id, repo, model, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_micros, at, installation_id)
SELECT gen_random_uuid(), runs.id, runs.repo,
       CASE WHEN runs.task = 'review' THEN 'claude-haiku-4-5' WHEN c % 4 = 0 THEN 'claude-opus-4-1' ELSE 'claude-sonnet-4-5' END,
       2000 + (hashint4(c * 31 + length(runs.id::text)) & 65535), 200 + (hashint4(c * 17) & 4095), (c % 2) * 1500, 4000 * c,
       1000 + (hashint4(c * 13 + extract(epoch FROM runs.created_at)::int) & 262143),
       runs.created_at + make_interval(secs => 30 * c), runs.installation_id
  FROM runs, generate_series(1, CASE WHEN runs.status = 'queued' THEN 0 ELSE 1 + jsonb_array_length(runs.steps) % 5 END) AS c`;

export interface SeedFigures {
  runs: number;
  usage: number;
  seconds: number;
  stepsBytes: number;
}

/** Seeds `runs` runs on one client (so the chunks run in order), and gathers the planner's statistics when asked. */
export async function seed(client: pg.ClientBase, runs: number, options: { analyze: boolean; onChunk?: (done: number) => void }): Promise<SeedFigures> {
  const started = performance.now();
  // Compiling these one-off statements would take longer than running them.
  await client.query("SET jit = off");
  await client.query(stepTemplatesSql);
  for (let from = 1; from <= runs; from += CHUNK) {
    const to = Math.min(runs, from + CHUNK - 1);
    await client.query(chunkSql, [from, to, repoNames, actorNames]);
    options.onChunk?.(to);
  }
  // Spend outside any run (a review of a pull request no run was made for): one in a hundred entries.
  await client.query(
    `INSERT INTO ai_usage (id, run_id, repo, model, input_tokens, output_tokens, cost_micros, at)
     SELECT gen_random_uuid(), NULL, ($2::text[])[1 + i % ${REPO_COUNT}], 'claude-haiku-4-5', 3000, 300, 2500,
            now() - make_interval(secs => ${SPAN_DAYS} * 86400 * ((hashint4(i) & 65535) / 65536.0))
       FROM generate_series(1, $1::int) AS i`,
    [Math.ceil(runs / 33), repoNames],
  );
  // PostgreSQL's autovacuum would do this within a minute of such a load; PGlite runs no
  // autovacuum, so without it the bench shows the embedded database on the planner's defaults.
  if (options.analyze) for (const table of ["ai_runs", "ai_usage", "ai_usage_sums"]) await client.query(`ANALYZE ${table}`);
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await client.query<{ runs: string; usage: string; steps: string }>(
    `SELECT (SELECT count(*) FROM ai_runs) AS runs, (SELECT count(*) FROM ai_usage) AS usage,
            (SELECT avg(octet_length(steps::text)) FROM ai_runs WHERE status <> 'queued') AS steps`,
  );
  const row = rows[0]!;
  return { runs: Number(row.runs), usage: Number(row.usage), seconds, stepsBytes: Math.round(Number(row.steps)) };
}
