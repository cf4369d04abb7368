# Headway in one image: the copilot (`headway copilot run`), its JSON API, the benchmark
# (`headway bench run`) and the Temporal CLI for the copilot's own small Temporal. Non-root,
# Node 24. `headway render` references it as headway:0.1.0 (images.headway in the deploy file).
#   docker build -t headway:0.1.0 .
# The build: scripts/build-dist.mjs (the package's `prepare`, which `npm ci` runs elsewhere) compiles
# src/ to dist/ and bundles the workflows, so the copilot starts without TypeScript or webpack
# (docs/bench.md, "Copilot memory": 415 MiB from the sources against about 230). It needs the dev
# dependencies; `npm prune` drops them again. The dependencies are installed from the package files
# alone, in a layer a change to the sources reuses: `--ignore-scripts` holds the package's own
# `prepare` back until the sources are there (no dependency's install script is needed: package.json
# `allowScripts` denies the three that exist).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim

# MALLOC_ARENA_MAX: two glibc malloc arenas, what the copilot and the bench run with
# (src/os/node-settings.js); set for the image so its commands need no second process to get it.
ENV NODE_ENV=production \
    HEADWAY_STATE_DIR=/data \
    HEADWAY_CACHE_DIR=/opt/headway/cache \
    MALLOC_ARENA_MAX=2
WORKDIR /app

COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/dist ./dist
COPY docs ./docs
COPY grafana ./grafana

# The Temporal CLI (release download, checksum-verified) for `temporal server start-dev`, and
# `headway` on PATH, so a target's command line is `headway …` or `temporal …`.
RUN node bin/headway.js install temporal \
    && ln -s /opt/headway/cache/bin/temporal /usr/local/bin/temporal \
    && ln -s /app/bin/headway.js /usr/local/bin/headway \
    && mkdir -p /data \
    && chown 1000:1000 /data

# The image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8081
# `headway copilot run` with the copilot's memory flags (src/os/node-settings.js; Node refuses them
# in NODE_OPTIONS), as `headway render` writes it.
CMD ["node", "--liftoff-only", "--optimize-for-size", "--max-semi-space-size=2", "/app/bin/headway.js", "copilot", "run"]
