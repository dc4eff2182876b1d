# syntax=docker/dockerfile:1
#
# ai-agent container image. One image runs either role: ROLE=web serves webhooks and the
# health endpoint, ROLE=worker runs queued jobs, ROLE=all (the default) does both.
#
# Stages:
#   deps       all dependencies, including the TypeScript compiler, for the build
#   build      compiles src/ into lib/
#   prod-deps  production dependencies only, so dev tooling never reaches the final image
#   (final)    lib/, prompts/, app.yml, package.json and production node_modules on a slim base

# Debian bookworm rather than Alpine: glibc keeps any native modules and the git binary on the
# mainstream, well-tested path. Node 20 is the oldest line package.json's engines field allows.
FROM node:20-bookworm-slim AS base
WORKDIR /app

# --- deps: install with dev dependencies (tsc) -----------------------------------------------
FROM base AS deps
# Only the manifest and lockfile, so this layer is reused until dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: compile TypeScript into lib/ -------------------------------------------------------
FROM deps AS build
# tsconfig.build.json extends tsconfig.json, so both are needed.
COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
COPY prompts/ ./prompts/
RUN npm run build

# --- prod-deps: production dependencies only ---------------------------------------------------
# A separate `npm ci --omit=dev` gives a clean tree, rather than pruning the build stage's.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- final image ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim

# The agent clones repositories and pushes branches with the git binary, which the slim image
# lacks; ca-certificates lets git verify TLS to GitHub. bubblewrap (bwrap) is the sandbox every
# command of a run executes in (docs/sandbox.md); Debian's build is not setuid, so it works by
# creating user namespaces, which docker-compose.yml's security options let it do. Its limits
# are set with prlimit, from util-linux, which the base image already has. --no-install-recommends
# keeps out perl and other extras, and the apt lists are removed so they do not bloat the layer.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates bubblewrap \
  && rm -rf /var/lib/apt/lists/* \
  && bwrap --version && prlimit --version

ENV NODE_ENV=production
# The server binds to localhost unless HOST is set, which inside a container would make the
# published port unreachable (and localhost may resolve to ::1, missing the healthcheck's
# 127.0.0.1). Listen on all interfaces; the port is only reachable where it is published.
ENV HOST=0.0.0.0
WORKDIR /app

# The application files stay owned by root, so the running process (user node) cannot modify
# its own code or dependencies.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
# Prompt templates are read at run time.
COPY prompts/ ./prompts/
# The setup page reads app.yml from the working directory to register the App.
COPY app.yml package.json ./

# The two places the app writes, both owned by node (a named volume mounted on either starts with
# that owner):
#   /app/config  the setup page's .env: the registered App's credentials and the webhook proxy
#                channel. /app/.env links to /app/config/.env, which the app reads at start and the
#                setup page writes through the link. Mount a volume here, or the first run's
#                registration is lost with the container.
#   /app/.data   DATA_DIR's default: working copies of repositories and, without DATABASE_URL or
#                MONGODB_URL, the embedded database. Mount a volume to keep it.
RUN mkdir -p /app/config /app/.data && chown node:node /app/config /app/.data \
  && ln -s /app/config/.env /app/.env

# The official Node image ships an unprivileged `node` user; never run the agent, which
# executes git against untrusted repositories, as root.
USER node

# Probot's HTTP server: webhooks, the setup page and /healthz. Override with PORT. Before the App is
# registered, the setup page asks for the one-time token the app logs (`docker logs`).
EXPOSE 3000

# lib/web/container-health.js: a process that serves HTTP (web, all, and the setup page before the
# App is registered) must answer /healthz; a worker, which serves none, must reach its database.
# It prints why it failed, which `docker inspect` shows under State.Health.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "lib/web/container-health.js"]

# Run node directly rather than through npm: signals (SIGTERM on `docker stop`) reach the
# process, so it can finish in-flight work and shut down cleanly. lib/main.js is already
# compiled, so npm's prestart build is not wanted here.
CMD ["node", "lib/main.js"]
