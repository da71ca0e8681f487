#!/usr/bin/env bash
# Runs the examples end to end; called by .ci/run from the repository root (any directory works).
#   1. spiral: trains to >= 98% training accuracy (the example exits 1 below it) and writes two PNGs.
#   2. fashion-mnist, when the data set is installed: one epoch asserting test accuracy >= 0.80,
#      then reloads the saved safetensors weights and evaluates them.
# Exit code 3 from fashion-mnist means the data set is absent: that step is skipped, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
examples=(dotnet run -c Release --project Autograd.Examples --)

echo "== examples: spiral"
start=$SECONDS
"${examples[@]}" spiral --out "$out"
for png in spiral-loss.png spiral-decision-regions.png; do
  if [[ ! -s "$out/$png" ]] || [[ "$(head -c 4 "$out/$png" | tail -c 3)" != "PNG" ]]; then
    echo "examples: $out/$png is missing, empty or not a PNG" >&2
    exit 1
  fi
done
echo "== spiral passed in $((SECONDS - start)) s"

echo "== examples: fashion-mnist"
if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo -n); fi
  { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq dataset-fashion-mnist; } ||
    echo "examples: could not install dataset-fashion-mnist; the Fashion-MNIST step will be skipped"
fi

examples=(dotnet run -c Release --no-build --project Autograd.Examples --)
start=$SECONDS
status=0
"${examples[@]}" fashion-mnist --epochs 1 --min-accuracy 0.80 --save "$out/fashion-mnist.safetensors" || status=$?
if [[ $status -eq 3 ]]; then
  echo "== fashion-mnist skipped: data set not installed"
  exit 0
elif [[ $status -ne 0 ]]; then
  echo "examples: fashion-mnist failed with exit code $status" >&2
  exit "$status"
fi
"${examples[@]}" fashion-mnist --evaluate "$out/fashion-mnist.safetensors" --min-accuracy 0.80
echo "== fashion-mnist passed in $((SECONDS - start)) s"
