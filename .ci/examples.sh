#!/usr/bin/env bash
# Runs the examples end to end; called by .ci/run from the repository root (any directory works).
#   1. spiral: trains to >= 98% training accuracy (the example exits 1 below it) and writes its curves as CSV;
#      Autograd.Examples.Plots draws them as two PNGs (and, after steps 3 and 4, their PNGs too).
#   2. fashion-mnist, when the data set is installed: one epoch asserting test accuracy >= 0.80,
#      then reloads the saved safetensors weights and evaluates them.
#      Then resuming: 2 epochs (with dropout and a cosine schedule) uninterrupted, and stopped after epoch 1 then
#      resumed from its checkpoint, must print the same "Weights SHA-256" (bit-identical final weights).
#   3. fashion-mnist-cnn, short: one epoch on 6,000 images asserting test accuracy >= 0.70, and its PNG.
#   4. char-transformer, short: 60 steps of a one-block model asserting validation loss <= 3.0 nats/char.
# Exit code 3 means a data set is absent: that step is skipped, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo -n); fi
trap 'rm -rf "$out"' EXIT
examples=(dotnet run -c Release --project Autograd.Examples --)
plots=(dotnet run -c Release --project Autograd.Examples.Plots --)

# Draws the PNGs of the CSVs in $out and checks that each named PNG is there and is a PNG.
draw_and_check() {
  "${plots[@]}" "$out"
  plots=(dotnet run -c Release --no-build --project Autograd.Examples.Plots --)
  for png in "$@"; do
    if [[ ! -s "$out/$png" ]] || [[ "$(head -c 4 "$out/$png" | tail -c 3)" != "PNG" ]]; then
      echo "examples: $out/$png is missing, empty or not a PNG" >&2
      exit 1
    fi
  done
}

echo "== examples: spiral"
start=$SECONDS
"${examples[@]}" spiral --out "$out"
draw_and_check spiral-loss.png spiral-decision-regions.png
echo "== spiral passed in $((SECONDS - start)) s"

echo "== examples: fashion-mnist"
if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq dataset-fashion-mnist; } ||
    echo "examples: could not install dataset-fashion-mnist; the Fashion-MNIST step will be skipped"
fi

examples=(dotnet run -c Release --no-build --project Autograd.Examples --)
start=$SECONDS
status=0
"${examples[@]}" fashion-mnist --epochs 1 --min-accuracy 0.80 --save "$out/fashion-mnist.safetensors" || status=$?
if [[ $status -eq 3 ]]; then
  echo "== fashion-mnist skipped: data set not installed"
elif [[ $status -ne 0 ]]; then
  echo "examples: fashion-mnist failed with exit code $status" >&2
  exit "$status"
fi
if [[ $status -eq 0 ]]; then
  "${examples[@]}" fashion-mnist --evaluate "$out/fashion-mnist.safetensors" --min-accuracy 0.80
  echo "== fashion-mnist passed in $((SECONDS - start)) s"

  echo "== examples: fashion-mnist interrupted and resumed from a checkpoint"
  start=$SECONDS
  run=(fashion-mnist --epochs 2 --dropout 0.2 --schedule cosine)
  weights_hash() { grep '^Weights SHA-256 ' | tail -n 1 || true; }
  uninterrupted=$("${examples[@]}" "${run[@]}" --save "$out/uninterrupted.safetensors" | weights_hash)
  "${examples[@]}" "${run[@]}" --stop-after 1 --checkpoint "$out/run.checkpoint" >/dev/null
  resumed=$("${examples[@]}" "${run[@]}" --resume "$out/run.checkpoint" --save "$out/resumed.safetensors" | weights_hash)
  if [[ -z "$uninterrupted" ]] || [[ "$resumed" != "$uninterrupted" ]]; then
    echo "examples: the resumed run's weights differ from the uninterrupted run's ('$resumed' vs '$uninterrupted')" >&2
    exit 1
  fi
  echo "== fashion-mnist resumed bit for bit ($resumed) in $((SECONDS - start)) s"

  echo "== examples: fashion-mnist-cnn (short)"
  start=$SECONDS
  "${examples[@]}" fashion-mnist-cnn --epochs 1 --limit 6000 --min-accuracy 0.70 --out "$out"
  draw_and_check fashion-mnist-cnn.png
  echo "== fashion-mnist-cnn passed in $((SECONDS - start)) s"
fi

echo "== examples: char-transformer (short)"
if [[ ! -e /usr/lib/bible.data ]]; then
  { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq bible-kjv; } ||
    echo "examples: could not install bible-kjv; the char-transformer step will be skipped"
fi
start=$SECONDS
status=0
"${examples[@]}" char-transformer --steps 60 --layers 1 --eval-every 30 --warmup 10 --sample 80 --max-loss 3.0 --out "$out" || status=$?
if [[ $status -eq 3 ]]; then
  echo "== char-transformer skipped: bible-kjv not installed"
elif [[ $status -ne 0 ]]; then
  echo "examples: char-transformer failed with exit code $status" >&2
  exit "$status"
else
  draw_and_check char-transformer-loss.png
  echo "== char-transformer passed in $((SECONDS - start)) s"
fi
