# Headway in one image: the copilot (`headway copilot run`), its JSON API, the benchmark
# (`headway bench run`) and the Temporal CLI for the copilot's own small Temporal. Non-root,
# Node 24. `headway render` references it as headway:0.1.0 (images.headway in the deploy file).
#   docker build -t headway:0.1.0 .
FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    HEADWAY_STATE_DIR=/data \
    HEADWAY_CACHE_DIR=/opt/headway/cache
WORKDIR /app

# Dependencies first, so source changes reuse this layer. tsx (a dependency) runs the sources.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY bin ./bin
COPY src ./src
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
CMD ["headway", "copilot", "run"]
