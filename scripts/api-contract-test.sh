#!/usr/bin/env bash
# The API contract seen from outside (Tests/Clients/api_contract.py), against the built `siyu`:
# a small demo brand is served; a Python client generated from its /openapi.json with
# openapi-python-client calls three endpoints; schemathesis sends generated valid and invalid
# requests to every operation and must find no 5xx and no answer that contradicts the document.
# Uses the Python environment of scripts/test (SIYU_TEST_PYTHON); scripts/test runs this after
# the Swift tests, alone, because it loads the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${SIYU_TEST_PYTHON:-.test-env/venv/bin/python}
siyu="$(swift build --show-bin-path)/siyu"
[ -x "$siyu" ] || { echo "build first: swift build" >&2; exit 1; }
work=$(mktemp -d /tmp/siyu-contract.XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 300 people: the workspace must report exactly the number the generator made.
"$siyu" demo --no-serve --people 300 --days 20 --data-dir "$work/data" >"$work/demo.log"
token=$(awk '/Admin token/ {print $NF}' "$work/demo.log")
key=$(awk '/Write key/ {print $NF}' "$work/demo.log")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$siyu" serve --data-dir "$work/data" --port "$port" --rate-limit 0 --log-level error >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
"$python" Tests/Clients/api_contract.py "http://127.0.0.1:$port" "$token" "$key" "$work" 300
