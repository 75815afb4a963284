#!/usr/bin/env bash
# A bounded local security scan of the running app by an external scanner (wapiti, from PyPI).
#
#   make scan        (or: bash scripts/security_scan.sh)
#
# What it does, in order:
#   1. installs wapiti into its own virtual environment (.venv-scan), so that its dependencies
#      never meet the project's;
#   2. creates a throwaway database (PostgreSQL `allied_responses_scan` on 127.0.0.1:5432 when it
#      answers, otherwise a SQLite file in a temporary folder), migrates it, loads the countries
#      and the questionnaire and seeds the demo (password: $DEMO_PASSWORD);
#   3. serves the app under gunicorn on a free port of 127.0.0.1, with the production settings;
#   4. scans it unauthenticated; then signed in as a drafter whose draft is open (three scans:
#      the question forms, the contact details, the account pages); then as the analyst;
#   5. writes the reports to test-artifacts/security-scan/ and prints a summary of the findings.
# The server stops and the throwaway database is dropped on exit, whatever happens.
#
# Traffic goes to 127.0.0.1 only: the scope is the one origin https://127.0.0.1:PORT/, wapiti's
# out-of-band endpoint is pointed at a closed port of 127.0.0.1, and the modules that would call
# out to the internet are not loaded (see MODULES below). Every scan is bounded in time twice:
# by wapiti's own limits (crawl, and each attack module) and by a hard `timeout` around it.
#
# Exit status: 0 when every scan ran, whatever it found (read the summary); non-zero when the
# scanner, the server, the seeding or a login failed, so that a scan that did not happen never
# passes for a clean one.
#
# Knobs (environment): DEMO_PASSWORD, SCAN_DRAFTER (it.drafter), SCAN_ANALYST (analyst),
# SCAN_CRAWL_SECONDS (30), SCAN_ATTACK_SECONDS (10), SCAN_MODULES, SCAN_FORM_MODULES,
# SCAN_DATABASE_URL (forces a database), SCAN_OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
SCAN_VENV=${SCAN_VENV:-.venv-scan}
# The newest wapiti that installs on Python 3.11 (later releases need Python 3.12 or newer).
WAPITI_VERSION=${WAPITI_VERSION:-3.2.3}
OUT=${SCAN_OUT:-test-artifacts/security-scan}
DEMO_PASSWORD=${DEMO_PASSWORD:-allied-demo-2026}
# it.drafter: Italy keeps a draft in the demo (coordination/demo.py), so its drafter has the
# question forms open for writing (ee.drafter's joint response is submitted, hence read-only).
# The analyst reads every submitted response and builds reports.
SCAN_DRAFTER=${SCAN_DRAFTER:-it.drafter}
SCAN_ANALYST=${SCAN_ANALYST:-analyst}
CRAWL_SECONDS=${SCAN_CRAWL_SECONDS:-30}
ATTACK_SECONDS=${SCAN_ATTACK_SECONDS:-10}
PG_URL=postgres://postgres@127.0.0.1:5432
PG_DB=allied_responses_scan

# Loaded: the passive checks (headers, cookies, CSP), then the injection attacks that fit a Django
# app's forms and query parameters. (The crawler does not run JavaScript, so the autosave endpoint,
# which only the page's script calls, is reached through the form it falls back to.)
# Left out, on purpose:
#   ssrf, xxe, log4shell   need an out-of-band endpoint on the internet (wapiti3.ovh by default):
#                          they would send our URLs off the machine;
#   nikto, wapp            download their databases from GitHub when they start;
#   ssl, https_redirect    judge gunicorn's TLS here, which is this script's throwaway certificate;
#                          in production TLS and the http->https hop belong to the proxy in front
#                          (and SECURE_SSL_REDIRECT is checked by `make check-deploy`);
#   brute_login_form       a password wordlist against the login: it only trips django-axes;
#   buster, backup         path and file-name wordlists (admin.php, index.php.bak...): Django
#                          serves no file from disk but the hashed static files;
#   timesql                sleep-based SQL injection: slow, and `sql` covers the same parameters;
#   upload, ldap, shellshock, spring4shell, cms, wp_enum, network_device, takeover, htp:
#                          nothing of the kind exists in this app.
# (SCAN_MODULES=... replaces the list, e.g. to add timesql or backup back.)
MODULES=${SCAN_MODULES:-http_headers,cookieflags,csp,csrf,xss,permanentxss,sql,exec,file,redirect,crlf,methods,htaccess}
# For the scans of a few small forms (contact details; two-factor code): the modules that fit them.
FORM_MODULES=${SCAN_FORM_MODULES:-cookieflags,csrf,xss,permanentxss,sql,redirect,crlf}

say() { printf '\n== %s\n' "$*"; }
die() {
  printf 'security_scan: %s\n' "$*" >&2
  exit 1
}

[ -x "$VENV/bin/gunicorn" ] || die "$VENV is not installed: run \`make install\` first."
command -v openssl >/dev/null || die "openssl is needed for the scan's throwaway TLS certificate."
command -v curl >/dev/null || die "curl is needed to wait for the server."

started=$SECONDS
WORK=$(mktemp -d /tmp/allied-scan.XXXXXX)
server_pid=""
pg_created=""
cleanup() {
  status=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_created" ]; then
    dropdb --if-exists --force -h 127.0.0.1 -U postgres "$PG_DB" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. the scanner, in its own virtual environment ----------------------------------------------
if [ ! -f "$SCAN_VENV/.installed-wapiti3-$WAPITI_VERSION" ]; then
  say "Installing wapiti3==$WAPITI_VERSION into $SCAN_VENV"
  test -x "$SCAN_VENV/bin/python" || "$PYTHON" -m venv "$SCAN_VENV"
  "$SCAN_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$SCAN_VENV/bin/python" -m pip install --quiet "wapiti3==$WAPITI_VERSION"
  rm -f "$SCAN_VENV"/.installed-wapiti3-*
  touch "$SCAN_VENV/.installed-wapiti3-$WAPITI_VERSION"
fi
"$SCAN_VENV/bin/wapiti" --version >/dev/null 2>&1 || die "wapiti does not start from $SCAN_VENV."

# Only this script's own files in the report folder are replaced.
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log "$OUT"/*.out "$OUT"/*.txt

# --- 2. settings and a throwaway database --------------------------------------------------------
# Which settings: the production module itself, unchanged, served over HTTPS. The production
# module redirects http to https and marks the session and CSRF cookies Secure, so a plain-http
# scan would only ever see redirects (or, with those switches turned off as docker compose does,
# would judge a configuration that production never runs). Instead gunicorn terminates TLS itself
# with a certificate made for this run, so every production header, cookie flag and redirect is
# what the scanner meets. Two overrides, in a module written to the temporary folder: collectstatic
# writes there rather than into the work tree, and two-factor sign-in (TWO_FACTOR_REQUIRED, on by
# default in production) is off, because the scanner signs in with a password; the two-factor
# pages themselves are still scanned. The values below are set explicitly so that a developer's
# .env or shell cannot weaken them (DEBUG off, HTTPS switches on).
cat >"$WORK/scan_settings.py" <<'PY'
"""Written by scripts/security_scan.sh: the production settings, static files in a temporary folder."""

import os

from config.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["SCAN_STATIC_ROOT"]
# The scanner signs in with a password only (see the comment above).
TWO_FACTOR_REQUIRED = False
PY
export PYTHONPATH="$WORK:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SETTINGS_MODULE=scan_settings
export SCAN_STATIC_ROOT="$WORK/staticfiles"
export DEBUG=false
export SECRET_KEY
SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(64))')
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=true SESSION_COOKIE_SECURE=true CSRF_COOKIE_SECURE=true
export TWO_FACTOR_REQUIRED=false
export DEMO_PASSWORD
# Eager tasks in the web process: a scan must not put jobs on anybody's Redis.
unset REDIS_URL CSRF_TRUSTED_ORIGINS

if [ -n "${SCAN_DATABASE_URL:-}" ]; then
  export DATABASE_URL=$SCAN_DATABASE_URL
elif command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 \
  && command -v createdb >/dev/null; then
  dropdb --if-exists --force -h 127.0.0.1 -U postgres "$PG_DB" 2>/dev/null || true
  createdb -h 127.0.0.1 -U postgres "$PG_DB"
  pg_created=1
  export DATABASE_URL="$PG_URL/$PG_DB"
else
  export DATABASE_URL="sqlite:///$WORK/allied-scan.sqlite3"
fi

say "Preparing the throwaway database ($DATABASE_URL)"
manage() { "$VENV/bin/python" manage.py "$@"; }
{
  manage migrate --noinput
  manage load_countries
  manage load_questionnaire
  manage seed_demo
  manage collectstatic --noinput
} >"$OUT/setup.log" 2>&1 || {
  tail -30 "$OUT/setup.log" >&2
  die "setting up the database failed (see $OUT/setup.log)."
}
# The settings the server really runs with, for the record (and DEBUG must be off).
"$VENV/bin/python" - >"$OUT/settings.txt" <<'PY' || die "the settings do not load, or DEBUG is on."
import django
from django.conf import settings

django.setup()
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_AGE", "TWO_FACTOR_REQUIRED",
]
for name in names:
    print(f"{name} = {getattr(settings, name, '(not defined)')!r}")
print(f"database = {settings.DATABASES['default']['ENGINE']}")
raise SystemExit(1 if settings.DEBUG else 0)
PY

# --- 3. the server: gunicorn with TLS on a free local port ---------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 \
  || die "openssl could not make a certificate."
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="https://127.0.0.1:$PORT"

say "Starting gunicorn on $BASE (production settings, DEBUG off)"
# Threaded workers keep connections alive: wapiti attacks one request at a time, so without
# keep-alive every request pays a TLS handshake and the time limits cover far fewer payloads.
# The worker class changes nothing the scanner judges. The access log ends with the time taken (µs).
"$VENV/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" --timeout 60 \
  --worker-class gthread --workers 2 --threads 4 \
  --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" \
  --access-logfile "$OUT/access.log" \
  --access-logformat '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s' \
  >"$OUT/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  kill -0 "$server_pid" 2>/dev/null || {
    tail -30 "$OUT/server.log" >&2
    die "gunicorn stopped while starting (see $OUT/server.log)."
  }
  curl -skf -o /dev/null "$BASE/accounts/login/" && break
  sleep 0.5
done
curl -skf -o /dev/null "$BASE/accounts/login/" || die "the server does not answer on $BASE."

# The headers a browser gets, for the record (the scanner judges only some of them).
curl -sk -D - -o /dev/null "$BASE/accounts/login/" >"$OUT/headers.txt"

# --- 4. the scans -------------------------------------------------------------------------------
# Writes wapiti's JSON cookie file for a session opened the way a browser opens one: "anonymous"
# fetches the login page once (so that every form the crawler stores carries a token of the same
# CSRF cookie; four crawler tasks starting without a cookie would each get another one), "login"
# signs in (CSRF token, Referer) and checks that it worked; "check" tells whether a saved session
# is still signed in.
session() {
  "$VENV/bin/python" - "$@" <<'PY'
import http.cookiejar
import json
import re
import ssl
import sys
import urllib.parse
import urllib.request

mode, base, cookie_file = sys.argv[1:4]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # our own throwaway certificate, on 127.0.0.1
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=context)
)
login_url = f"{base}/accounts/login/"

if mode == "check":
    cookies = json.load(open(cookie_file))["127.0.0.1"]["/"]
    header = "; ".join(f"{name}={c['value']}" for name, c in cookies.items())
    request = urllib.request.Request(f"{base}/", headers={"Cookie": header})
    final = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)).open(request)
    sys.exit(0 if not final.url.startswith(login_url) else 1)

page = opener.open(login_url, timeout=15).read().decode()
if mode == "login":
    username, password = sys.argv[4:6]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"}
    request = urllib.request.Request(
        login_url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": login_url}
    )
    final = opener.open(request, timeout=15)
    names = {cookie.name for cookie in jar}
    if final.url.startswith(login_url) or "sessionid" not in names:
        sys.exit(f"login as {username} failed (ended on {final.url}; cookies {sorted(names)})")
    print(f"signed in as {username}: {final.url}")
saved = {
    cookie.name: {
        "value": cookie.value,
        "expires": cookie.expires,
        "secure": cookie.secure,
        "port": None,
        "version": 0,
    }
    for cookie in jar
}
json.dump({"127.0.0.1": {"/": saved}}, open(cookie_file, "w"), indent=2)
PY
}

# One wapiti run: scan NAME COOKIE_FILE URL MODULES [more wapiti options]. The scope is the folder
# of URL on https://127.0.0.1:PORT and nothing else. A run that overruns wapiti's own limits by
# more than a minute is killed. Besides the limits: --endpoint and --dns-endpoint keep wapiti's
# out-of-band checks on this machine (it resolves the DNS endpoint at start even with log4shell
# not loaded); the Referer is what a browser sends, without which Django refuses every POST over
# HTTPS before the form is even read; attacking the CSRF token itself only earns 403s, so it is
# skipped; --no-bugreport keeps wapiti's crash reports home.
scan() {
  local name=$1 cookies=$2 url=$3 modules=$4
  shift 4
  local began=$SECONDS rc=0 count limit
  count=$(tr ',' '\n' <<<"$modules" | grep -c .)
  limit=$((CRAWL_SECONDS + ATTACK_SECONDS * count + 60))
  say "Scan '$name' of ${url#"$BASE"}: crawl ${CRAWL_SECONDS}s, each of $count modules ${ATTACK_SECONDS}s, at most ${limit}s"
  mkdir -p "$WORK/wapiti/$name"
  timeout --kill-after=10 "$limit" "$SCAN_VENV/bin/wapiti" \
    --url "$url" --scope folder --cookie "$cookies" \
    --module "$modules" \
    --exclude "$BASE/accounts/logout/" --exclude "$BASE/accounts/logout/*" \
    --exclude "$BASE/admin/logout/" --exclude "$BASE/admin/logout/*" \
    --max-scan-time "$CRAWL_SECONDS" --max-attack-time "$ATTACK_SECONDS" \
    --depth 5 --max-links-per-page 40 --max-files-per-dir 30 --max-parameters 100 \
    --skip csrfmiddlewaretoken --header "Referer: $BASE/" \
    --tasks 4 --timeout 20 --verify-ssl 0 \
    --endpoint "http://127.0.0.1:9/" --dns-endpoint localhost --no-bugreport \
    --store-session "$WORK/wapiti/$name" --store-config "$WORK/wapiti/config" \
    --user-agent "allied-responses-security-scan" \
    --format json --output "$OUT/$name.json" --log "$OUT/$name.log" --verbose 1 \
    "$@" </dev/null >"$OUT/$name.out" 2>&1 || rc=$?
  echo "$name $((SECONDS - began))" >>"$OUT/durations.txt"
  if [ "$rc" -ne 0 ]; then
    tail -20 "$OUT/$name.out" >&2
    die "wapiti failed in scan '$name' (exit $rc, see $OUT/$name.out)."
  fi
  # Wapiti also exits 0 when it could not reach the target: a report of nothing is a failure.
  "$VENV/bin/python" -c '
import json, sys
report = json.load(open(sys.argv[1]))
sys.exit(0 if report["infos"]["crawled_pages_nbr"] > 0 else "no page crawled")
' "$OUT/$name.json" || die "scan '$name' reached nothing (see $OUT/$name.out)."
  echo "done in $((SECONDS - began))s: $OUT/$name.json"
}

# Signs USER in, runs the scan, then says whether the session survived it (if it had not, the
# end of the scan would have been an unauthenticated one).
scan_as() {
  local name=$1 user=$2
  shift 2
  local cookies="$WORK/cookies-$name.json"
  session login "$BASE" "$cookies" "$user" "$DEMO_PASSWORD" || die "could not sign in as $user."
  scan "$name" "$cookies" "$@"
  if session check "$BASE" "$cookies"; then
    echo "scan '$name': the session of $user was still signed in at the end" | tee -a "$OUT/sessions.txt"
  else
    echo "WARNING: scan '$name': the session of $user had ended before the scan did" | tee -a "$OUT/sessions.txt"
  fi
}

# Five scans, each with its own time budget. Wapiti attacks one request at a time (about ten a
# second here) and walks the forms in URL order, so one big form can use up every module's time
# before the next is reached: the drafter's forms are split into three scans (the questions; the
# response's contact details; the account pages: security, two-factor setup) so that each gets
# attacked. The summary lists which forms each module reached.
session anonymous "$BASE" "$WORK/cookies-anonymous.json"
scan anonymous "$WORK/cookies-anonymous.json" "$BASE/" "$MODULES"
scan_as drafter-questions "$SCAN_DRAFTER" "$BASE/" "$MODULES" --start "$BASE/responses/" \
  --exclude "$BASE/accounts/*" --exclude "$BASE/reports/*" --exclude "$BASE/responses/*/details/*"
scan_as drafter-details "$SCAN_DRAFTER" "$BASE/responses/" "$FORM_MODULES" \
  --exclude "$BASE/responses/*/questions/*" --exclude "$BASE/responses/*/history/*" \
  --exclude "$BASE/responses/*/compare/*"
scan_as drafter-account "$SCAN_DRAFTER" "$BASE/accounts/" "$FORM_MODULES" \
  --start "$BASE/accounts/security/" --start "$BASE/accounts/two-factor/setup/"
scan_as analyst "$SCAN_ANALYST" "$BASE/" "$MODULES" --exclude "$BASE/accounts/*" \
  --start "$BASE/reports/" --start "$BASE/reports/compare/" --start "$BASE/responses/"

# --- 5. summary ---------------------------------------------------------------------------------
say "Summary (reports in $OUT/)"
"$VENV/bin/python" - "$OUT" <<'PY' | tee "$OUT/summary.txt"
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

out = Path(sys.argv[1])
durations = dict(line.split() for line in (out / "durations.txt").read_text().splitlines())
levels = {0: "info", 1: "low", 2: "medium", 3: "high", 4: "critical"}
url_re = re.compile(r"https?://127\.0\.0\.1:\d+(\S*)")
id_re = re.compile(r"/\d+(?=/)")
for name, seconds in durations.items():
    report = json.loads((out / f"{name}.json").read_text())
    crawled = report.get("infos", {}).get("crawled_pages_nbr", "?")
    counts = {section: sum(map(len, report.get(section, {}).values())) for section in ("vulnerabilities", "anomalies", "additionals")}
    print(f"\n[{name}] {seconds}s, {crawled} URLs and forms crawled: "
          + ", ".join(f"{n} {section}" for section, n in counts.items()))
    # What each attack module reached in its time: the forms and the URLs with parameters.
    reached, module, stopped = defaultdict(set), None, set()
    for line in (out / f"{name}.out").read_text(errors="replace").splitlines():
        if line.startswith("[*] Launching module "):
            module = line.split()[-1]
            reached[module]
        elif "Max attack time was reached" in line and module:
            stopped.add(module)
        elif line.startswith("[+] ") and module and ("POST" in line or "?" in line):
            method, url = line[4:].rsplit(" (", 1)[0].split(" ", 1)
            path, _, query = url_re.sub(r"\1", url).partition("?")
            params = sorted({pair.split("=")[0] for pair in query.split("&") if pair})
            reached[module].add((f"{method} {id_re.sub('/N', path)}" + (f"?{'&'.join(params)}" if params else ""), path))
    for module, targets in reached.items():
        if targets:
            limit = " (stopped at its time limit)" if module in stopped else ""
            folded = Counter(shape for shape, _ in targets)
            shown = [f"{shape} (x{n})" if n > 1 else shape for shape, n in sorted(folded.items())]
            print(f"  attacked by {module}{limit}: {', '.join(shown)}")
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for category, items in sorted(report.get(section, {}).items()):
            if category == "HTTP Methods":
                # One entry per page probed, whatever was found; only the methods that answered
                # differently from GET (or a TRACE that echoes the request) are worth reading.
                odd = sorted({
                    f"{status} on {id_re.sub('/N', item.get('path', ''))}"
                    for item in items
                    for status in (
                        ["TRACE echoed"] if "TRACE method is allowed" in item.get("info", "")
                        else re.findall(r"([A-Z]+ \(\d+\))", item.get("info", "").rsplit(": ", 1)[-1])
                    )
                    if not status.startswith("OPTIONS ")
                })
                print(f"  additional / HTTP Methods (info): {len(items)} page(s) probed; methods that "
                      f"answered differently from GET: {', '.join(odd) if odd else 'none'}")
                continue
            # The same finding on many URLs is one line, with the URLs (ids folded) counted.
            grouped = defaultdict(set)
            for item in items:
                info = url_re.sub("<url>", item.get("info", "").split("\n")[0])[:200]
                key = (item.get("level") or 0, info, item.get("parameter") or "")
                grouped[key].add(f"{item.get('method', '')} {id_re.sub('/N', item.get('path', ''))}")
            for (level, info, parameter), where in sorted(grouped.items(), key=lambda kv: -kv[0][0]):
                param = f" [parameter {parameter}]" if parameter else ""
                shown = sorted(where)
                more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
                kind = {"vulnerabilities": "VULNERABILITY", "anomalies": "anomaly", "additionals": "additional"}[section]
                print(f"  {kind} / {category} ({levels.get(level, level)}){param}: {info}")
                print(f"      at {', '.join(shown[:5])}{more}")

# Server errors are findings too, whichever module provoked them.
statuses = Counter()
errors = Counter()
line_re = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) ')
for line in (out / "access.log").read_text(errors="replace").splitlines():
    match = line_re.search(line)
    if match:
        statuses[match["status"]] += 1
        if match["status"].startswith("5"):
            errors[f"{match['status']} {match['method']} {id_re.sub('/N', match['path'].split('?')[0])}"] += 1
print(f"\n[server] {sum(statuses.values())} requests by status: {dict(sorted(statuses.items()))}")
for request, count in errors.most_common(15):
    print(f"  server error: {request} (x{count})")
if not errors:
    print("  no server error (5xx)")
print("\n[headers of /accounts/login/]")
for line in (out / "headers.txt").read_text().splitlines()[1:]:
    if line.strip() and not line.lower().startswith(("date:", "content-length:", "vary:")):
        print(f"  {line.strip()[:160]}")
sessions = out / "sessions.txt"
if sessions.exists():
    print("\n" + sessions.read_text().strip())
PY
echo
echo "Scan finished in $((SECONDS - started))s. Reports: $OUT/*.json, scanner logs: $OUT/*.log, server: $OUT/server.log"
