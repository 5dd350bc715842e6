#!/usr/bin/env bash
# Installs the tools some tests need beyond the .NET SDK: one function per tool, each doing
# nothing when its tool is already there, and a main section at the end that calls them.
# Quiet unless it installs something or fails. scripts/test.sh runs it before the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs a command as root: directly when root already, through sudo when it exists.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "test-tools: '$*' needs root and there is no sudo" >&2
    return 1
  fi
}

# Debian's Chromium, for the HTML report's browser test (tests/Bulwark.Tests/Assessment/Reports).
install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  echo "test-tools: installing chromium (apt)" >&2
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

# Main: one line per tool.
install_chromium
