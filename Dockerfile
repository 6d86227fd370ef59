# syntax=docker/dockerfile:1
# segmentation-operator image: compiled JavaScript and production dependencies on Node 24 LTS.
#
#   docker build -t <registry>/segmentation-operator:0.1.0 .
#
# Pin the base image by digest for reproducible builds:
#   docker build --build-arg NODE_IMAGE=node:24-alpine@sha256:<digest> ...
# test/unit/manifests/dockerfile.test.ts checks the properties below (no Docker engine needed).
ARG NODE_IMAGE=node:24-alpine

# --- build: compile TypeScript ------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` script would compile before the sources are copied, and the
# `node` devDependency would download a second Node 24; the image's own Node 24 compiles.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies only ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts run (and `prepare`, which needs TypeScript, is skipped); no dependency needs one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which the compiled ESM needs. Files stay owned by root, so the
# process cannot change its own code; it writes nothing (readOnlyRootFilesystem: true in the Deployment).
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Numeric, so that runAsNonRoot can verify it without a passwd entry.
USER 65532:65532
EXPOSE 8080 8081
# Exec form: node is PID 1 and receives SIGTERM directly (the operator drains and releases its lease).
# --optimize-for-size (V8 gives heap pages back; node refuses it in NODE_OPTIONS, so it is here): peak RSS
# 140-143 MB at 10,000 namespaces instead of 158-167 MB, for a slower operator under full load
# (docs/benchmark.md). The heap cap and the rest are the Deployment's NODE_OPTIONS.
ENTRYPOINT ["node", "--optimize-for-size", "dist/cli/main.js", "run"]
