/**
 * Configurations that must be refused, each with the problems (line:column message) the loader must
 * give. Most are workflows; the rest cover the file as a whole (YAML, size, aliases).
 */
const lines = (...text: string[]): string => `${text.join("\n")}\n`;
const wf = (...steps: string[]): string => lines("version: 1", "workflows:", "  demo:", "    steps:", ...steps);

// "Billion laughs": nine levels of nine aliases each would expand to 9^9 strings.
const billionLaughs = lines(
  "version: 1",
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map((name, i) => {
    const previous = "abcdefgh"[i]!;
    return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(", ")}]`;
  }),
);

export const INVALID_CASES: [name: string, yaml: string][] = [
  ["workflows as a list", lines("version: 1", "workflows:", "  - id: a")],
  ["a workflow name with capitals", lines("version: 1", "workflows:", "  Deploy:", "    steps: [{ id: a, uses: shell.run, with: { run: [ls] } }]")],
  ["a workflow without steps", lines("version: 1", "workflows:", "  demo:", "    description: nothing")],
  ["an empty step list", lines("version: 1", "workflows:", "  demo:", "    steps: []")],
  ["steps as a mapping", lines("version: 1", "workflows:", "  demo:", "    steps:", "      first: { uses: shell.run }")],
  ["an unknown workflow key", lines("version: 1", "workflows:", "  demo:", "    stages: []", "    steps: [{ id: a, uses: ai.plan }]")],
  ["a step without an id", wf("      - uses: ai.plan")],
  ["a step id with a hyphen", wf("      - id: run-tests", "        uses: ai.plan")],
  ["a step id as a number", wf("      - id: 12", "        uses: ai.plan")],
  ["a step with neither uses nor parallel", wf("      - id: a", "        name: nothing to do")],
  ["uses without a provider", wf("      - id: a", "        uses: plan")],
  ["an unknown action", wf("      - id: a", "        uses: ai.implment")],
  ["an unknown provider", wf("      - id: a", "        uses: teams.post", "        with: { text: hi }")],
  ["an unknown key on a step", wf("      - id: a", "        uses: ai.plan", "        needs: [b]")],
  ["an unknown input", wf("      - id: a", "        uses: ai.plan", "        with: { instruction: be brief }")],
  ["a missing required input", wf("      - id: a", "        uses: github.create_pull_request", "        with: { title: Fix, body: text }")],
  ["an input of the wrong type", wf("      - id: a", "        uses: github.create_pull_request", "        with: { title: Fix, head: ai/1, draft: maybe }")],
  ["shell.run given a string instead of a list", wf("      - id: a", "        uses: shell.run", '        with: { run: "npm test && rm -rf /" }')],
  ["with as a list", wf("      - id: a", "        uses: ai.plan", "        with: [instructions]")],
  ["a duplicate step id", wf("      - { id: a, uses: ai.plan }", "      - { id: a, uses: ai.review }")],
  ["a duplicate id inside a parallel group", wf("      - { id: a, uses: ai.plan }", "      - id: g", "        parallel:", "          - { id: a, uses: ai.review }", "          - { id: b, uses: ai.review }")],
  ["a reference to a later step", wf("      - id: a", "        uses: ai.implement", '        with: { plan: "{{ steps.b.outputs.summary }}" }', "      - { id: b, uses: ai.plan }")],
  ["a reference to a missing step", wf("      - id: a", "        uses: ai.implement", '        with: { plan: "{{ steps.planning.outputs.summary }}" }')],
  ["a reference to a missing output", wf("      - { id: p, uses: ai.plan }", "      - id: a", "        uses: ai.implement", '        with: { plan: "{{ steps.p.outputs.sumary }}" }')],
  ["a step reading its own outputs", wf("      - id: a", "        uses: ai.implement", '        with: { plan: "{{ steps.a.outputs.summary }}" }')],
  ["a reference to something other than outputs", wf("      - { id: p, uses: ai.plan }", "      - id: a", "        uses: ai.implement", '        with: { plan: "{{ steps.p.result }}" }')],
  ["an unknown variable", wf("      - id: a", "        uses: ai.implement", '        with: { instructions: "{{ isue.title }}" }')],
  ["item outside foreach", wf("      - id: a", "        uses: ai.implement", '        with: { instructions: "{{ item }}" }')],
  ["an unclosed output tag", wf("      - id: a", "        uses: ai.implement", '        with: { instructions: "{{ issue.title " }')],
  ["an unknown filter", wf("      - id: a", "        uses: ai.implement", '        with: { instructions: "{{ issue.title | shout }}" }')],
  ["an include tag", wf("      - id: a", "        uses: ai.implement", "        with: { instructions: \"{% include 'secrets' %}\" }")],
  ["a render tag in a block scalar", wf("      - id: a", "        uses: ai.implement", "        with:", "          instructions: |", "            Please", "            {% render '/etc/passwd' %}")],
  ["a bad condition variable", wf("      - id: a", "        if: steps.nope.outputs.x == 1", "        uses: ai.plan")],
  ["a sibling in a parallel group read", wf("      - id: g", "        parallel:", "          - { id: a, uses: ai.plan }", '          - { id: b, uses: ai.implement, with: { plan: "{{ steps.a.outputs.summary }}" } }')],
  ["a parallel group of one", wf("      - id: g", "        parallel:", "          - { id: a, uses: ai.plan }")],
  ["a nested parallel group", wf("      - id: g", "        parallel:", "          - id: inner", "            parallel: [{ id: a, uses: ai.plan }, { id: b, uses: ai.plan }]", "          - { id: c, uses: ai.plan }")],
  ["uses on a parallel group", wf("      - id: g", "        uses: ai.plan", "        parallel: [{ id: a, uses: ai.plan }, { id: b, uses: ai.plan }]")],
  ["a timeout without a unit", wf("      - { id: a, uses: ai.plan, timeout: 30 }")],
  ["a timeout too long", wf("      - { id: a, uses: ai.plan, timeout: 7h }")],
  ["retry with zero attempts", wf("      - { id: a, uses: ai.plan, retry: { attempts: 0 } }")],
  ["retry with too many attempts", wf("      - { id: a, uses: ai.plan, retry: { attempts: 50, backoff: 1s } }")],
  ["retry with a bad backoff", wf("      - { id: a, uses: ai.plan, retry: { attempts: 3, backoff: soon } }")],
  ["an unknown error mode", wf("      - { id: a, uses: ai.plan, on_error: ignore }")],
  ["foreach as a mapping", wf("      - { id: a, uses: ai.plan, foreach: { a: 1 } }")],
  ["a prerequisite without a message", lines("version: 1", "workflows:", "  demo:", "    prerequisites:", "      - if: issue.number > 1", "    steps: [{ id: a, uses: ai.plan }]")],
  ["a post step with an unknown action", lines("version: 1", "workflows:", "  demo:", "    steps: [{ id: a, uses: ai.plan }]", "    post:", "      always: [{ id: z, uses: slack.send }]")],
  ["an unknown post phase", lines("version: 1", "workflows:", "  demo:", "    steps: [{ id: a, uses: ai.plan }]", "    post:", "      finally: []")],
  ["a call to a missing workflow", wf("      - { id: a, uses: workflow.deploy }")],
  ["a workflow calling itself", wf("      - { id: a, uses: workflow.demo }")],
  ["two workflows calling each other", lines("version: 1", "workflows:", "  one:", "    steps: [{ id: a, uses: workflow.two }]", "  two:", "    steps: [{ id: b, uses: workflow.one }]")],
  ["a cycle through a built-in workflow", lines("version: 1", "workflows:", "  plan:", "    steps: [{ id: a, uses: workflow.ask }]", "  ask:", "    steps: [{ id: b, uses: workflow.plan }]")],
  ["an output template reading a missing step", lines("version: 1", "workflows:", "  demo:", "    steps: [{ id: a, uses: ai.plan }]", '    outputs: { summary: "{{ steps.b.outputs.summary }}" }')],
  ["a YAML syntax error in a workflow", wf("      - id: a", "        uses: [ai.plan")],
  ["tabs for indentation", lines("version: 1", "workflows:", "\tdemo: {}")],
  ["a duplicate workflow name", lines("version: 1", "workflows:", "  demo:", "    steps: [{ id: a, uses: ai.plan }]", "  demo:", "    steps: [{ id: b, uses: ai.plan }]")],
  ["a workflow label naming no workflow", lines("version: 1", "triggers:", "  workflow_labels:", '    "ai:fix": hotfx')],
  ["a workflow label that is the implement label", lines("version: 1", "triggers:", "  workflow_labels:", '    "ai:implement": hotfix')],
  ["an alias bomb", billionLaughs],
  ["an oversized file", lines("version: 1", "workflows:", "  demo:", "    description: |", ...Array.from({ length: 1400 }, () => "      ".padEnd(50, "x")))],
];
