#!/usr/bin/env bash
# Makes sure the browser test has a headless Chromium and fonts that draw Chinese.
#
# Installs from the machine's Debian packages, and only what is missing:
#   chromium          the browser (Debian's name; driven over the DevTools protocol, no chromedriver needed)
#   fonts-noto-cjk    Chinese glyphs, or zh-CN screenshots show boxes (tofu) instead of text
#   fonts-liberation  Arial/Helvetica/Times-metric fonts for Latin text (a "Recommends" of chromium
#                     that --no-install-recommends would otherwise drop)
# Idempotent: when everything is there it only checks (well under a second) and says so.
#
# Runs as root (CI, developers' machines here). As another user it uses `sudo -n` when that works
# without a password, and otherwise stops, naming the command to run once as root.
#
# Environment:
#   SIYU_CHROMIUM=/path/to/chrome   use this browser instead; nothing is installed for it.
set -euo pipefail

say() { printf 'browser-setup: %s\n' "$*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

find_browser() {
  if [ -n "${SIYU_CHROMIUM:-}" ]; then
    [ -x "$SIYU_CHROMIUM" ] && { echo "$SIYU_CHROMIUM"; return 0; }
    say "SIYU_CHROMIUM=$SIYU_CHROMIUM is not an executable file" >&2
    return 2
  fi
  local name
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

missing=()
browser=$(find_browser) || { [ $? = 2 ] && exit 1; browser=""; }
[ -z "$browser" ] && missing+=(chromium)
# Fonts: only the Debian packages are checked (fc-list would also work but is slower and less exact).
installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
installed fonts-liberation || missing+=(fonts-liberation)

if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      cat >&2 <<EOF
browser-setup: missing Debian packages: ${missing[*]}
browser-setup: installing them needs root, and this script runs as $(id -un) without password-less sudo.
browser-setup: run this once as root:

    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}

EOF
      # Fonts alone are not worth failing for: the checks do not read glyphs.
      if [ -z "$browser" ]; then
        say "then run the test again (or set SIYU_CHROMIUM to an existing Chromium or Chrome binary)" >&2
        exit 1
      fi
      say "continuing without ${missing[*]}: Chinese text in screenshots may show as boxes" >&2
      missing=()
    fi
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian packages"
    started=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    # The package lists may be absent (fresh container) or stale (a security update replaced the version
    # the lists name, so the download 404s): update first, every time we actually install.
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/siyu-browser-setup-apt.log 2>&1 \
      || { tail -30 /tmp/siyu-browser-setup-apt.log >&2; say "apt-get install failed (full log: /tmp/siyu-browser-setup-apt.log)" >&2; exit 1; }
    say "installed ${missing[*]} in $((SECONDS - started)) s"
    browser=$(find_browser) || { say "chromium was installed but no chromium binary is on PATH" >&2; exit 1; }
  fi
else
  say "chromium, fonts-noto-cjk and fonts-liberation already installed; nothing to do"
fi

# --version starts no browser window and takes ~0.1 s; it proves the binary and its libraries load.
version=$("$browser" --version 2>/dev/null) || { say "$browser does not run (missing libraries?): try apt-get install -y chromium" >&2; exit 1; }
say "using $browser ($version)"
