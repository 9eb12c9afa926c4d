# plaid-setup: one image for the worker and the Slack bot (`docker run IMAGE worker` or `bot`).
# Build stage: install with dev dependencies, compile, then drop what the runtime does not need.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first, so a source change does not reinstall them; `prepare` (the build) runs below.
RUN npm ci --ignore-scripts && npm rebuild sqlite3 protobufjs
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: the compiled code and production dependencies only, run as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PLAID_SETUP_DATA_DIR=/data \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Liveness only: /readyz (Temporal, storage, worker) is for the orchestrator's readiness probe.
HEALTHCHECK --interval=30s --timeout=5s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/plaid-setup.js"]
CMD ["worker"]
