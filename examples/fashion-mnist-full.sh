#!/usr/bin/env bash
# Trains the reference CNN (Adam, lr 1e-3, batch 128, 5 epochs) on the full Fashion-MNIST
# training set and prints the JSON result with the test accuracy of each epoch; then the MLP on
# the first 5,000 training images. Needs the full set, by default ../shared/datasets/fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/datasets/fashion-mnist}"
dotnet build src/Bulwark.Cli -c Release -v quiet -nologo >/dev/null
bulwark() { dotnet src/Bulwark.Cli/bin/Release/net10.0/Bulwark.Cli.dll "$@"; }
bulwark train --data-dir "$data" --arch cnn --epochs 5 --batch-size 128 --lr 0.001 --seed 0 --json
bulwark train --data-dir "$data" --arch mlp --train-limit 5000 --epochs 10 --seed 0 --json
