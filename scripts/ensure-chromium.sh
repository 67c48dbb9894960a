#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the e2e suite (playwright-core drives
# it; `npx playwright install` cannot download browsers here). Installs it with apt-get when
# missing; exits non-zero with the reason when it cannot.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ensure-chromium: $CHROMIUM is missing and installing it needs root (run: apt-get install -y chromium)" >&2
    exit 1
  fi
fi
echo "ensure-chromium: installing Debian's chromium package (first run only)..." >&2
if ! $SUDO apt-get update -qq >&2; then
  echo "ensure-chromium: apt-get update failed; cannot install chromium" >&2
  exit 1
fi
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2; then
  echo "ensure-chromium: apt-get install chromium failed" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium was installed but $CHROMIUM does not exist" >&2
  exit 1
fi
"$CHROMIUM" --version >&2 || true
