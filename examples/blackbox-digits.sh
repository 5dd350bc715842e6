#!/usr/bin/env bash
# Runs the five black-box attacks (Square, NES-PGD, SimBA, HopSkipJump, Boundary) on 100 correctly
# classified digits with budgets up to 10,000 queries per image, beside PGD, DeepFool and C&W as
# white-box references, and prints one table row per run. Takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BULWARK_FIGURES=1 dotnet test tests/Bulwark.Tests -c Release --filter "FullyQualifiedName~BlackBoxDigitsFigures" \
  --logger "console;verbosity=detailed" | grep -E '^ [a-z0-9-]+ \| |^ attack \|'
