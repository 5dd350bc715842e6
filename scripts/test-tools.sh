#!/usr/bin/env bash
# Installs the tools some tests need beyond the .NET SDK: Microsoft's SARIF validator (npm, into
# .tools/ at the repository root) and Debian's Chromium (apt). One function per tool, each doing
# nothing when its tool is already there, and a main section at the end that calls them.
# Quiet unless it installs something or fails; exits non-zero, naming the tool, on failure.
# scripts/test.sh runs it before the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/.tools"
mkdir -p "$TOOLS"

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

# Microsoft's SARIF validator (Sarif.Multitool, self-contained for linux-x64), used by the SARIF report tests.
install_sarif_multitool() {
  local version=5.7.0
  local package="$TOOLS/node_modules/@microsoft/sarif-multitool-linux"
  local tool="$package/Sarif.Multitool"
  if [ -f "$tool" ] && grep -q "\"version\": \"$version\"" "$package/package.json" 2>/dev/null; then
    return 0
  fi
  command -v npm >/dev/null || { echo "test-tools: npm is needed to install the SARIF validator" >&2; return 1; }
  echo "test-tools: installing the SARIF validator (npm)" >&2
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "@microsoft/sarif-multitool-linux@$version" >/dev/null
  # npm may skip the package's install script (which only does this), so do it here.
  chmod u+x "$tool"
}

# Debian's Chromium, for the HTML report's browser test (tests/Bulwark.Tests/Assessment/Reports).
install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  echo "test-tools: installing chromium (apt)" >&2
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

# Main: one line per tool.
install_sarif_multitool || { echo "test-tools: installing the SARIF validator failed" >&2; exit 1; }
install_chromium || { echo "test-tools: installing chromium failed" >&2; exit 1; }
