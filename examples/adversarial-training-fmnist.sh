#!/usr/bin/env bash
# Standard vs PGD adversarial training of the reference CNN on the full Fashion-MNIST, then clean
# and PGD-20 (L∞, ε = 0.1) accuracy on the first 1,000 test images, one JSON line per model.
# The issue's target: adversarial training gains at least 40 points of PGD-20 accuracy at ε = 0.1
# and loses at most 10 points of clean accuracy. Arguments (all optional): data folder (default
# ../shared/datasets/fashion-mnist), epochs (5), training images (60000), test images (1000),
# PGD steps during training (7). The full run costs about (steps + 2) times standard training.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
data="${1:-../../shared/datasets/fashion-mnist}"
dotnet run -c Release adversarial-training-fmnist.cs -- "$data" "${2:-5}" "${3:-60000}" "${4:-1000}" "${5:-7}"
