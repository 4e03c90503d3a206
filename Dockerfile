# syntax=docker/dockerfile:1
# Multi-stage image: build with dev dependencies, run with production dependencies only.

# --- build: compile TypeScript, then drop the dev dependencies -------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: node, the compiled service and its production dependencies ---------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    FILES_ROOT=/srv/files \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_LEVEL=info
WORKDIR /app
# Owned by root and only readable by the service's user: the running process cannot change its code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /srv/files
# The files to serve: mount a folder (read-only is enough) here.
VOLUME ["/srv/files"]
# The unprivileged user the node image ships (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["node", "dist/healthcheck.js"]
# SIGTERM starts the graceful shutdown (SHUTDOWN_GRACE_MS); node runs as PID 1 and handles it itself.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
