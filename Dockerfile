# vidtok container: the CLI with ffmpeg inside, running as a non-root user. Models are mounted or pulled into the
# /models volume (VIDTOK_CACHE_DIR). Build: docker build -t vidtok .   Run: see README.md.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Skip both install-time downloads: onnxruntime-node CUDA binaries and ffmpeg-static (ffmpeg comes from Debian).
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    FFMPEG_BIN=/usr/bin/ffmpeg
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 vidtok \
 && mkdir -p /models /data \
 && chown vidtok:vidtok /models /data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY pipelines ./pipelines
COPY package.json README.md ./
ENV NODE_ENV=production \
    VIDTOK_FFMPEG=/usr/bin/ffmpeg \
    VIDTOK_FFPROBE=/usr/bin/ffprobe \
    VIDTOK_CACHE_DIR=/models
USER vidtok
VOLUME ["/models"]
WORKDIR /data
# tini as PID 1 forwards signals and reaps ffmpeg/model children. Workers drain for up to 30 s on SIGTERM:
# stop them with `docker stop -t 40` (compose: stop_grace_period: 40s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/vidtok.js"]
CMD ["--help"]
