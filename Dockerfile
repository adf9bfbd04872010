# syntax=docker/dockerfile:1
# Parley's gateway, worker, search indexer, audit consumer and parley-admin in one image; docker-compose.yml picks the binary with
# `command:`. Build: docker build -t parley .

# ---- build ------------------------------------------------------------------------------
FROM rust:1.89-bookworm AS build
# libpq for diesel's postgres backend (rust:bookworm usually has it; make sure).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The cache mounts keep crates and build output between image builds; the binaries are
# copied out of the cached target directory in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bins \
 && mkdir -p /out static \
 && cp target/release/gateway target/release/worker target/release/indexer \
       target/release/audit target/release/parley-admin /out/ \
 && cp -r static /out/static

# ---- runtime ----------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app --shell /usr/sbin/nologin parley
COPY --from=build /out/gateway /out/worker /out/indexer /out/audit /out/parley-admin /usr/local/bin/
COPY --from=build /out/static /app/static
ENV PARLEY_STATIC_DIR=/app/static \
    PARLEY_LISTEN=0.0.0.0:8080
WORKDIR /app
USER parley
EXPOSE 8080
CMD ["gateway"]
