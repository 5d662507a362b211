# syntax=docker/dockerfile:1
#
# SIMA's server image: built from this repository in a Rust image, run from
# Debian slim as an unprivileged user, with its data under /var/lib/sima.
#
#   docker build --build-arg SIMA_BUILD_COMMIT=$(git rev-parse --short=12 HEAD) -t sima:0.1.0 .
#   docker run -d --name sima -p 127.0.0.1:3000:3000 -v sima-data:/var/lib/sima \
#     --env-file sima.env --stop-timeout 30 sima:0.1.0
#
# The server listens on 0.0.0.0:3000 here, which ends the loopback default:
# without SIMA_API_TOKEN the API and the dashboard refuse every client (see
# SECURITY.md). docs/operations.md#docker has the rest.

# At least the workspace's rust-version (a test checks it).
ARG RUST_VERSION=1.89
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS builder
# The commit `sima-server --version` and sima_build_info report (.git is not
# in the build context).
ARG SIMA_BUILD_COMMIT=unknown
WORKDIR /src
COPY . .
# The registry and target caches are kept between builds; the binary is
# copied out of them.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p sima-server \
 && install -D -m 0755 target/release/sima-server /out/sima-server

FROM debian:${DEBIAN_RELEASE}-slim
# No packages are added: the server speaks TLS with rustls and Mozilla's roots
# built into it (it never reads /etc/ssl), and the health check below needs
# only bash.
RUN groupadd --system --gid 10001 sima \
 && useradd --system --uid 10001 --gid sima --no-create-home \
      --home-dir /var/lib/sima --shell /usr/sbin/nologin sima \
 && install -d -o sima -g sima -m 0750 /var/lib/sima /var/lib/sima/postmortems
COPY --from=builder /out/sima-server /usr/local/bin/sima-server
COPY --chmod=0755 deploy/docker/healthcheck /usr/local/bin/sima-healthcheck

ENV SIMA_LISTEN=0.0.0.0:3000 \
    SIMA_DATABASE_URL=sqlite:///var/lib/sima/sima.db \
    SIMA_POSTMORTEM_DIR=/var/lib/sima/postmortems
WORKDIR /var/lib/sima
USER 10001:10001
EXPOSE 3000
# Liveness only (/healthz); /readyz, which also checks the database, is for
# load balancers and Kubernetes readiness.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/sima-healthcheck"]
ENTRYPOINT ["/usr/local/bin/sima-server"]
CMD ["serve"]
