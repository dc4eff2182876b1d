import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Imports go one way (DESIGN.md, "Target layout"): each folder of src/ may not import the folders
 * listed for it, which sit above it. An integration imports only the core and the kinds' interfaces,
 * never another integration, the registry or the layers that use it. `npm run lint` also runs
 * madge, which fails on any import cycle.
 */
const ABOVE = {
  core: ["sandbox", "workspace", "store", "integrations", "config", "triggers", "agent", "review", "workflow", "runs", "web", "cli"],
  sandbox: ["workspace", "store", "integrations", "config", "triggers", "agent", "review", "workflow", "runs", "web", "cli"],
  workspace: ["store", "integrations", "config", "triggers", "agent", "review", "workflow", "runs", "web", "cli"],
  store: ["sandbox", "workspace", "integrations", "config", "triggers", "agent", "review", "workflow", "runs", "web", "cli"],
  config: ["sandbox", "workspace", "store", "triggers", "agent", "review", "workflow", "runs", "web", "cli"],
  triggers: ["workspace", "agent", "review", "workflow", "runs", "web", "cli"],
  agent: ["review", "workflow", "runs", "web", "cli"],
  review: ["workflow", "runs", "web", "cli"],
  workflow: ["runs", "web", "cli"],
  runs: ["web", "cli"],
  web: ["cli"],
  cli: ["web", "runs"],
};
const layerRules = Object.entries(ABOVE).map(([folder, above]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": ["error", { patterns: [{ group: above.map((name) => `**/${name}/**`), message: `src/${folder} sits below these folders and may not import them (eslint.config.js, ABOVE).` }] }],
  },
}));
const integrationRules = {
  files: ["src/integrations/*/**/*.ts"],
  ignores: ["src/integrations/kinds/**"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          { group: [...ABOVE.sandbox.filter((name) => name !== "integrations"), "sandbox"].map((name) => `**/${name}/**`), message: "an integration imports only src/core and the kinds' interfaces." },
          { group: ["../*/**", "!../kinds/**", "!../../**", "../registry.js", "../connect.js"], message: "an integration does not import another integration or the registry: add what it needs to src/integrations/kinds/." },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ["lib/", "node_modules/", ".data/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  ...layerRules,
  integrationRules,
  {
    // Tests and benchmarks pass async callbacks where an async function is expected, awaited or not.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/require-await": "off" },
  },
  {
    files: ["eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
