#!/usr/bin/env bash
# The real-browser test of the web console (issue 5): Chromium, headless, through every page of
# Tests/Browser/pages.json on a throwaway demo brand.
#
#   scripts/browser-test.sh                 the console test (needs `swift build` done first)
#   scripts/browser-test.sh --self-test     the driver's own test against Tests/Browser/fake_console.py (no Swift)
#   scripts/browser-test.sh --only funnel   extra arguments go to scripts/browser_test.py
#
# Steps: Chromium and CJK fonts from Debian packages when missing (scripts/browser-setup.sh); a Python virtual
# environment in .test-env/browser-venv, reinstalled only when scripts/browser-requirements.txt changes; `siyu demo`
# generating a brand into a temporary data directory and serving it on a free port of 127.0.0.1 until /healthz answers;
# the test; and, however it ends, the server stopped and the data directory removed.
#
# Environment:
#   SIYU_BIN                 the siyu binary (default: $(swift build --show-bin-path)/siyu)
#   SIYU_BROWSER_PEOPLE      demo size (default 3000 people ...)
#   SIYU_BROWSER_DAYS        ... over 60 days: enough for cohorts, repeat buyers and a CLV fit, generated in seconds
#   SIYU_DEMO_EMAIL / SIYU_DEMO_PASSWORD                 the login that sees everything
#   SIYU_DEMO_VIEWER_EMAIL / SIYU_DEMO_VIEWER_PASSWORD   a login with the viewer role
#   SIYU_SCREENSHOTS         where screenshots go (default .test-env/screenshots; docs/screenshots to refresh the README's, with SIYU_BROWSER_PEOPLE=24000 SIYU_BROWSER_DAYS=90)
#   SIYU_CHROMIUM            a Chromium/Chrome binary to use instead of Debian's
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work="$root/.test-env"
mkdir -p "$work"

say() { printf '\n==> %s\n' "$*"; }

# --- Chromium ----------------------------------------------------------------------------------
say "Chromium (Debian packages)"
bash scripts/browser-setup.sh

# --- Python ------------------------------------------------------------------------------------
say "Python virtual environment for the browser driver"
venv="$work/browser-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! cmp -s scripts/browser-requirements.txt "$venv/.requirements" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/browser-requirements.txt
  cp scripts/browser-requirements.txt "$venv/.requirements"
fi

if [ "${1:-}" = "--self-test" ]; then
  say "Browser driver self-test (fake console)"
  exec "$venv/bin/python" scripts/browser_test.py "$@"
fi

# --- Server ------------------------------------------------------------------------------------
bin=${SIYU_BIN:-"$(swift build --show-bin-path)/siyu"}
if [ ! -x "$bin" ]; then
  echo "no siyu binary at $bin: run \`swift build\` first (or set SIYU_BIN)" >&2
  exit 1
fi
data=$(mktemp -d /tmp/siyu-browser.XXXXXX)
server_pid=""
cleanup() {
  status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # A graceful stop takes about a second; don't let a stuck server hold CI.
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -s "$data/server.log" ]; then
    echo "--- last lines of the server log ($data/server.log) ---" >&2
    tail -25 "$data/server.log" >&2
  fi
  rm -rf "$data"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

people=${SIYU_BROWSER_PEOPLE:-3000}
days=${SIYU_BROWSER_DAYS:-60}

# The demo's logins: `siyu demo` creates both and resets them to the documented password on every start
# (README, "The web console"); SIYU_DEMO_PASSWORD changes it for the demo command and for this test alike.
email=${SIYU_DEMO_EMAIL:-demo@siyu.local}
password=${SIYU_DEMO_PASSWORD:-qinghe-demo}
viewer_email=${SIYU_DEMO_VIEWER_EMAIL:-viewer@siyu.local}
viewer_password=${SIYU_DEMO_VIEWER_PASSWORD:-${SIYU_DEMO_PASSWORD:-qinghe-demo}}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
# `siyu demo` generates the brand, then serves it and keeps it alive (its visitors and orders arrive
# through the tracking API as they happen), as a new user sees it.
say "siyu demo (brand in $data) on $base"
"$bin" demo --data-dir "$data" --people "$people" --days "$days" --host 127.0.0.1 --port "$port" --log-level warning \
  >"$data/demo.out" 2>"$data/server.log" &
server_pid=$!
healthy=""
for _ in $(seq 900); do  # up to 180 s: generating, then a debug build on a busy 2-core machine can be slow to start
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "siyu demo exited before answering /healthz" >&2
    exit 1
  fi
  if python3 -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('$base/healthz', timeout=2).status == 200 else 1)" 2>/dev/null; then
    healthy=1
    break
  fi
  sleep 0.2
done
[ -n "$healthy" ] || { echo "siyu demo did not answer $base/healthz within 180 s" >&2; exit 1; }
# The banner comes once the server listens.
for _ in $(seq 50); do grep -q 'Write key' "$data/demo.out" && break; sleep 0.2; done
grep -E 'Workspace|orders' "$data/demo.out" || true
echo "healthy"

# The demo's data ends at the start of the current hour and its live traffic is thin at night, so in the first
# minutes of a day (Asia/Shanghai) "today" may lack an order or a click yet. A few events through the ingestion
# API make every one of today's tiles non-zero whenever the test runs.
write_key=$(sed -n 's/^ *Write key *\([^ ]*\)$/\1/p' "$data/demo.out" | head -1)
if [ -n "$write_key" ]; then
  python3 - "$base" "$write_key" <<'EOF' || echo "warning: could not send the live events" >&2
import base64, json, sys, urllib.request
base, key = sys.argv[1], sys.argv[2]
auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
sent = 0
for user in range(1, 4):
    order = {"order_id": f"browser-test-{user}", "revenue": 39.0, "currency": "CNY"}
    for name, properties in [("Product Clicked", {}), ("Product Viewed", {}), ("Product Added", {}), ("Order Completed", order)]:
        body = json.dumps({"userId": f"browser-test-{user}", "event": name, "properties": properties}).encode()
        request = urllib.request.Request(f"{base}/v1/track", body, {"Content-Type": "application/json", "Authorization": auth})
        sent += urllib.request.urlopen(request, timeout=5).status == 200
print(f"sent {sent} live events")
EOF
fi

# --- Test --------------------------------------------------------------------------------------
say "Browser test"
"$venv/bin/python" scripts/browser_test.py --base-url "$base" --plan Tests/Browser/pages.json \
  --email "$email" --password "$password" --viewer-email "$viewer_email" --viewer-password "$viewer_password" \
  --screenshots "${SIYU_SCREENSHOTS:-$work/screenshots}" "$@"
