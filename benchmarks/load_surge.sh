#!/usr/bin/env bash
# Deadline surge on this machine: 250 ministry staff autosaving drafts and 20 analysts opening the
# comparison page, against gunicorn on PostgreSQL and Redis, all on 127.0.0.1. Stops by itself
# (bounded in time and in request count), then checks that no acknowledged save was lost.
#
#   make load                       # installs requirements-bench.txt, then runs this
#   benchmarks/load_surge.sh        # the same, with the venv already set up
#
# It drops and re-creates the PostgreSQL database allied_responses_load and empties Redis database
# 7; nothing else is touched. Settings: config.settings.local with DEBUG off (a fair measurement),
# two-factor sign-in off. Knobs (environment): LOAD_STAFF (250), LOAD_ANALYSTS (20), LOAD_SURGE_SECONDS
# (180: how long the surge runs once every user has signed in), LOAD_PREFILL_SAVES (0: earlier saves
# each draft holds before the surge, e.g. 5000), LOAD_ARRIVAL_SECONDS (30: staff open their pages at
# random over this time once the surge starts), LOAD_LOGIN_WAIT (240: the longest the
# sign-in ramp may take), LOAD_MAX_REQUESTS (40000), LOAD_SPAWN_RATE (5 users/s),
# GUNICORN_WORKERS (4), GUNICORN_THREADS (1 = sync workers; more = gthread), LOAD_PORT (8765),
# LOAD_OUT_DIR (a new /tmp/allied-load.* directory: logs, locust CSVs, the plan and the save log).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
HOST=127.0.0.1
PORT=${LOAD_PORT:-8765}
DB_NAME=allied_responses_load
STAFF=${LOAD_STAFF:-250}
ANALYSTS=${LOAD_ANALYSTS:-20}
COUNTRIES=${LOAD_COUNTRIES:-50}
export LOAD_SURGE_SECONDS=${LOAD_SURGE_SECONDS:-180}
export LOAD_LOGIN_WAIT=${LOAD_LOGIN_WAIT:-240}
# The hard bound: the sign-in ramp, the surge and a margin.
RUN_SECONDS=$((LOAD_LOGIN_WAIT + LOAD_SURGE_SECONDS + 30))
MAX_REQUESTS=${LOAD_MAX_REQUESTS:-40000}
SPAWN_RATE=${LOAD_SPAWN_RATE:-5}
WORKERS=${GUNICORN_WORKERS:-4}
THREADS=${GUNICORN_THREADS:-1}
OUT=${LOAD_OUT_DIR:-$(mktemp -d /tmp/allied-load.XXXXXX)}
mkdir -p "$OUT"
rm -f "$OUT/saves.jsonl" "$OUT/summary.json"

export DJANGO_SETTINGS_MODULE=config.settings.local
export DATABASE_URL="postgres://postgres@$HOST:5432/$DB_NAME"
export REDIS_URL="redis://$HOST:6379/7"
export DEBUG=false
export SECRET_KEY="load-test-$($PY -c 'import secrets; print(secrets.token_urlsafe(48))')"
export ALLOWED_HOSTS="$HOST,localhost"
export TWO_FACTOR_REQUIRED=false
export LOG_LEVEL=WARNING
export LOAD_PASSWORD="allied-load-$RANDOM-$RANDOM"
export LOAD_PLAN="$OUT/plan.json" LOAD_LOG="$OUT/saves.jsonl" LOAD_SUMMARY="$OUT/summary.json"
export LOAD_MAX_REQUESTS="$MAX_REQUESTS"

say() { printf '\n== %s\n' "$*"; }

pg_isready -q -h "$HOST" -p 5432 || { echo "PostgreSQL does not answer on $HOST:5432 (see shared/SERVICES.md)"; exit 2; }
[ "$(redis-cli -h "$HOST" -p 6379 ping 2>/dev/null)" = PONG ] || { echo "Redis does not answer on $HOST:6379"; exit 2; }
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then echo "port $PORT is taken: set LOAD_PORT"; exit 2; fi

GUNICORN_PID=""
SAMPLER_PID=""
cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "database $DB_NAME (drop + create), Redis db 7 (flush); output in $OUT"
psql -q -h "$HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
redis-cli -h "$HOST" -p 6379 -n 7 flushdb >/dev/null
$PY manage.py migrate --noinput -v 0
$PY manage.py load_countries
$PY manage.py load_questionnaire
$PY manage.py seed_demo --countries "$COUNTRIES" --password "$LOAD_PASSWORD"
$PY benchmarks/load_surge_db.py setup --plan "$LOAD_PLAN" --staff "$STAFF" --analysts "$ANALYSTS" \
  --countries "$COUNTRIES" --password "$LOAD_PASSWORD"

if [ "$THREADS" -gt 1 ]; then
  WORKER_ARGS=(--worker-class gthread --threads "$THREADS")
  WORKER_DESC="$WORKERS gthread workers x $THREADS threads"
else
  WORKER_ARGS=(--worker-class sync)
  WORKER_DESC="$WORKERS sync workers"
fi
say "gunicorn config.wsgi on $HOST:$PORT: $WORKER_DESC"
"$VENV/bin/gunicorn" config.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" "${WORKER_ARGS[@]}" \
  --timeout 60 --graceful-timeout 10 --log-level warning \
  --error-logfile "$OUT/gunicorn.log" --access-logfile "$OUT/access.log" \
  --access-logformat '%(t)s %(s)s %(m)s %(U)s %(M)sms' >>"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://$HOST:$PORT/accounts/login/" 2>/dev/null && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "gunicorn died:"; cat "$OUT/gunicorn.log"; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null "http://$HOST:$PORT/accounts/login/"

# Load average and PostgreSQL backends (active / waiting for a lock) every 10 s during the run.
(
  while true; do
    # CPU seconds used so far by the load generator and by the gunicorn workers.
    # (The generator may not have started yet: no process is 0 s, never an error.)
    locust_cpu=$({ pgrep -f 'bin/locust -f' || true; } | xargs -r ps -o times= -p 2>/dev/null | awk '{s += $1} END {print s + 0}' || true)
    web_cpu=$({ ps -o times= --ppid "$GUNICORN_PID" 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}')
    printf 'cpu-seconds locust %s web %s at %s\n' "${locust_cpu:-0}" "${web_cpu:-0}" "$(date +%s)"
    # Connections waiting for a free worker (the listening socket's accept queue).
    printf 'accept-queue %s\n' "$(ss -Hltn "sport = :$PORT" 2>/dev/null | awk '{print $2}' || true)"
    printf '%s load %s pg %s\n' "$(date +%T)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
      "$(psql -Atq -h "$HOST" -U postgres -d "$DB_NAME" -c "select count(*) filter (where state = 'active'), \
        count(*) filter (where wait_event_type = 'Lock'), count(*) from pg_stat_activity \
        where datname = '$DB_NAME' and pid <> pg_backend_pid()" 2>/dev/null)"
    sleep "${LOAD_SAMPLE_SECONDS:-10}"
  done
) >"$OUT/samples.log" 2>&1 &
SAMPLER_PID=$!

UPTIME_BEFORE=$(uptime)
say "locust: $STAFF staff + $ANALYSTS analysts, spawn $SPAWN_RATE/s; surge ${LOAD_SURGE_SECONDS}s, at most ${RUN_SECONDS}s and $MAX_REQUESTS requests in all"
echo "before: $UPTIME_BEFORE"
set +e
timeout --signal=INT --kill-after=30 $((RUN_SECONDS + 120)) \
  "$VENV/bin/locust" -f benchmarks/load_surge.py --headless --only-summary \
  -u $((STAFF + ANALYSTS)) -r "$SPAWN_RATE" --run-time "${RUN_SECONDS}s" --stop-timeout 15 \
  --host "http://$HOST:$PORT" --csv "$OUT/locust" --loglevel WARNING 2>&1 | tee "$OUT/locust.log"
LOCUST_RC=${PIPESTATUS[0]}
set -e
UPTIME_AFTER=$(uptime)
# Stop the server before the check: requests still queued when locust stopped must not write
# versions while the check reads them.
cleanup
GUNICORN_PID=""
SAMPLER_PID=""

say "figures (surge = after every user signed in; latencies in ms)"
"$PY" - "$LOAD_SUMMARY" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"surge {s['surge_seconds']} s: {s['surge_requests']} requests, {s['surge_rps']:.1f} req/s; "
      f"all requests p50 {s['surge_p50_ms']:.0f} p95 {s['surge_p95_ms']:.0f} p99 {s['surge_p99_ms']:.0f}")
print(f"{'endpoint':<16}{'requests':>9}{'fail':>6}{'surge req':>10}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}")
for r in s["endpoints"]:
    print(f"{r['name']:<16}{r['requests']:>9}{r['failures']:>6}{r['surge_requests']:>10}{r['surge_rps']:>7.1f}"
          f"{r['p50_ms']:>7.0f}{r['p95_ms']:>7.0f}{r['p99_ms']:>7.0f}{r['max_ms']:>8.0f}")
replies = s["autosave_replies"]
print(f"errors (failed requests, 429 not included): {s['failures_total']}; "
      f"429 rate-limited autosaves: {replies.get('429', 0)}")
print("autosave replies: " + ", ".join(f"{k} {v}" for k, v in sorted(replies.items())))
print(f"signed in: {s['signed_in']} ({s['sign_in_failures']} failed); stopped by the request bound: "
      f"{s['stopped_by_request_bound']}; reloads that did not show the user's own last save: {s['reload_mismatch']}")
for error, count in s["errors"].items():
    print(f"  error x{count}: {error}")
EOF
"$PY" - "$OUT/access.log" <<'EOF'
import re, sys
from collections import defaultdict
# Time spent inside a gunicorn worker (not the wait in the listen queue before a worker takes it).
times, codes = defaultdict(list), defaultdict(int)
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 6:
        continue
    status, method, path, ms = parts[2], parts[3], parts[4], parts[5].removesuffix("ms")
    times[f"{method} {re.sub(r'/[0-9]+', '/N', path)}"].append(int(ms))
    codes[status[0] + "xx"] += 1
print("time inside a worker, ms (mean/p50/p95):")
for k, v in sorted(times.items()):
    v.sort()
    print(f"  {k:<42} n={len(v):<6} {sum(v) / len(v):.0f}/{v[len(v) // 2]}/{v[int(len(v) * 0.95)]}")
print("HTTP status classes in the access log: " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items())))
EOF
echo "tracebacks in the gunicorn log: $(grep -c Traceback "$OUT/gunicorn.log" || true)"
echo "server-side samples (load average; postgres active/waiting-on-lock/connections): $OUT/samples.log"
{ grep -v '^cpu-seconds\|^accept-queue' "$OUT/samples.log" || true; } | tail -n 4 | sed 's/^/  /'
# The machine's CPU between the first and the last sample: the load generator's share of it.
{ grep '^cpu-seconds' "$OUT/samples.log" || true; } | awk -v cores="$(nproc)" '
  NR == 1 { l0 = $3; w0 = $5; t0 = $7 } { l1 = $3; w1 = $5; t1 = $7 }
  END { if (t1 > t0) printf "CPU over %d s on %d cores: load generator %.0f%%, web workers %.0f%%\n",
        t1 - t0, cores, 100 * (l1 - l0) / ((t1 - t0) * cores), 100 * (w1 - w0) / ((t1 - t0) * cores) }'
echo "before: $UPTIME_BEFORE"
echo "after:  $UPTIME_AFTER"

say "lost-save check"
set +e
"$PY" benchmarks/load_surge_db.py check --plan "$LOAD_PLAN" --log "$LOAD_LOG"
CHECK_RC=$?
set -e
echo "locust exit code $LOCUST_RC (1 means some request failed); lost-save check exit code $CHECK_RC"
exit $((CHECK_RC != 0 ? 1 : LOCUST_RC))
