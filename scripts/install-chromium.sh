#!/usr/bin/env bash
# The interactive page is tested in a real browser: Debian's chromium (Playwright never downloads one).
# Installs it with apt-get when it is missing; used by the README's test command and by .ci/run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium
