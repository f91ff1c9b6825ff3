# syntax=docker/dockerfile:1
# Inboxd image: build with dev dependencies, run with production dependencies only, as a non-root
# user. From the repository root: `docker build -t inboxd .`
# Every sub-command works inside it: `serve` (all roles; `serve --roles api|smtp|sweeper`),
# `create`, `wait`, `read`, `ls`, `rm`, `mcp`, `admin`, `migrate`.

# the current Node LTS; the project also runs on the older lines its engines field names
ARG NODE_IMAGE=node:24-bookworm-slim

# dependencies, with the tools a native addon (better-sqlite3) may need to build. The SDK is an
# npm workspace: its package.json must be there for `npm ci` to link it.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/

FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM deps AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    INBOXD_HTTP_HOST=0.0.0.0 \
    INBOXD_SMTP_HOST=0.0.0.0 \
    INBOXD_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# the CLI client commands and `inboxd mcp` run through the SDK (node_modules/@inboxd/sdk → ../../sdk)
COPY --from=build /app/sdk/package.json ./sdk/package.json
COPY --from=build /app/sdk/dist ./sdk/dist
COPY package.json ./
COPY bin ./bin
# /data holds the SQLite file when no INBOXD_DATABASE_URL is given (single-host use)
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/bin/inboxd.js /usr/local/bin/inboxd
USER node
EXPOSE 8025 2525
VOLUME ["/data"]
# SIGTERM starts the drain (SMTP stops accepting, long-polls answer 503, streams close with 1001),
# which lasts at most INBOXD_SHUTDOWN_TIMEOUT (30 s): stop with `docker stop -t 45` or more
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.INBOXD_HTTP_PORT || 8025) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
