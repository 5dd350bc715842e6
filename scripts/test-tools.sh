#!/usr/bin/env bash
# Installs the external tools the test suite calls into .tools/ at the repository root.
# Idempotent and quiet: a tool already present is left alone. One function per tool; add a
# function and a line at the end for the next one. Exits non-zero, naming the tool, on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/.tools"
mkdir -p "$TOOLS"

# Microsoft's SARIF validator (Sarif.Multitool, self-contained for linux-x64), used by the SARIF report tests.
install_sarif_multitool() {
  local version=5.7.0
  local package="$TOOLS/node_modules/@microsoft/sarif-multitool-linux"
  local tool="$package/Sarif.Multitool"
  if [ -f "$tool" ] && grep -q "\"version\": \"$version\"" "$package/package.json" 2>/dev/null; then
    return 0
  fi
  command -v npm >/dev/null || { echo "test-tools: npm is needed to install the SARIF validator" >&2; return 1; }
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "@microsoft/sarif-multitool-linux@$version" >/dev/null
  # npm may skip the package's install script (which only does this), so do it here.
  chmod u+x "$tool"
}

install_sarif_multitool || { echo "test-tools: installing the SARIF validator failed" >&2; exit 1; }
