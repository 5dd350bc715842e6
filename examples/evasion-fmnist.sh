#!/usr/bin/env bash
# Issue 5's white-box and black-box figures on the full Fashion-MNIST: trains the reference CNN
# (5 epochs, ~90 % clean), exports it to ONNX, and attacks the first N correctly or incorrectly
# classified test images through the importer (white box) and ONNX Runtime (black box).
# Usage: examples/evasion-fmnist.sh [fashion-mnist IDX folder] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/datasets/fashion-mnist}"
n="${2:-500}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build src/Bulwark.Cli -c Release -v quiet -nologo >/dev/null
bulwark() { dotnet src/Bulwark.Cli/bin/Release/net10.0/Bulwark.Cli.dll "$@"; }
bulwark train --data-dir "$data" --arch cnn --epochs 5 --batch-size 128 --lr 0.001 --seed 0 --out "$work/cnn.safetensors" --json
bulwark model convert --checkpoint "$work/cnn.safetensors" --out "$work/cnn.onnx" --json
attack() { bulwark attack "$@" --model "$work/cnn.onnx" --data "$data" --out "$work/adv.npy" --json; }
attack fgsm --eps 0.1 --limit "$n"
attack pgd --eps 0.1 --steps 40 --limit "$n"
attack apgd-ce --eps 0.1 --steps 40 --limit "$n"
attack square --eps 0.1 --max-queries 10000 --correct-only --limit 100
attack deepfool --correct-only --limit 50
attack cw-l2 --steps 300 --correct-only --limit 50
attack hopskipjump --norm 2 --max-queries 10000 --correct-only --limit 50
bulwark certify --model "$work/cnn.onnx" --data "$data" --limit 100 --sigma 0.25 --n 1000 --radii 0,0.25,0.5 --json
bulwark robustness --model "$work/cnn.onnx" --data "$data" --limit 200 --eps 0,0.02,0.05,0.1 --steps 20 --sanity --json
