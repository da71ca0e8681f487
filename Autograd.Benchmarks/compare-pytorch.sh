#!/usr/bin/env bash
# Races Autograd's training steps against PyTorch's on this machine, back to back, per thread count.
#
#   Autograd.Benchmarks/compare-pytorch.sh [W1 W2 W3 W4 W5 W6]   (default: W1 W2 W4 W5 W6; W3 takes minutes)
#   TIME_BOX=3 THREADS="1 2" ROUNDS=1 OUT=results.md Autograd.Benchmarks/compare-pytorch.sh
#
# Prints a table of medians and the ratio ours/PyTorch (below 1 = we are faster), one row per round and workload and writes it to
# Autograd.Benchmarks/results/compare-pytorch-<UTC date>.md. Only ratios from the same run are comparable:
# the machine's speed drifts (and it is shared).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
workloads=("${@:-W1 W2 W4 W5 W6}")
read -r -a workloads <<< "${workloads[*]}"
time_box="${TIME_BOX:-3}"
threads_list="${THREADS:-1 2}"
rounds="${ROUNDS:-1}"
python=/usr/bin/python3
peer=Autograd.Benchmarks/Peers/workloads.py   # the repository's own copy of the PyTorch workloads

if ! "$python" -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: apt-get install -y python3-torch libopenblas0-pthread" >&2
  exit 1
fi
if ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
  echo "warning: OpenBLAS is not installed; PyTorch's matmul falls back to the reference BLAS (apt-get install libopenblas0-pthread)" >&2
fi

# OpenBLAS 0.3.21 (Debian 12's, under PyTorch's matmul) does not know recent CPU models and falls back to its SSE3
# "Prescott" kernels (it does on this machine's Xeon): give it the kernels the CPU has, as the Gemm benchmarks do for
# their OpenBLAS peer, unless the caller chose a core. PyTorch's own kernels keep their default (AVX2).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
openblas_core="$(OPENBLAS_VERBOSE=2 "$python" -c "import torch; torch.ones(64, 64) @ torch.ones(64, 64)" 2>&1 |
  sed -n 's/^Core: //p' | head -n 1)"
echo "# PyTorch's OpenBLAS runs its ${openblas_core:-unknown} kernels" >&2

dotnet build -c Release Autograd.Benchmarks -v quiet -nologo > /dev/null

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
run_ours() {
  echo "# round $round, threads=$threads: Autograd" >&2
  "${pin[@]}" dotnet run -c Release --no-build --project Autograd.Benchmarks -- \
    workloads --threads "$threads" --seconds "$time_box" "${workloads[@]}" \
    | tee /dev/stderr | awk -v t="$threads" -v r="$round" '/^RESULT/ { print "ours", t, r, $0 }' >> "$results"
}
run_torch() {
  echo "# round $round, threads=$threads: PyTorch" >&2
  "${pin[@]}" "$python" "$peer" --threads "$threads" --seconds "$time_box" "${workloads[@]}" \
    | tee /dev/stderr | awk -v t="$threads" -v r="$round" '/^RESULT/ { print "torch", t, r, $0 }' >> "$results"
}
for round in $(seq 1 "$rounds"); do
  for threads in $threads_list; do
    # "1 CPU" means the process starts with one, as in a 1-CPU container (the runtime then sizes its GC and its
    # JIT's tiering for one core); limiting threads after start-up would hide the cost of allocation.
    pin=()
    if [ "$threads" = 1 ] && command -v taskset >/dev/null; then pin=(taskset -c 0); fi
    # Who goes first alternates between rounds, so a drift of the machine does not always favour one side.
    if [ $((round % 2)) = 1 ]; then run_ours; run_torch; else run_torch; run_ours; fi
  done
done

mkdir -p Autograd.Benchmarks/results
out="${OUT:-Autograd.Benchmarks/results/compare-pytorch-$(date -u +%Y-%m-%d).md}"
{
  echo "# Autograd vs PyTorch, training steps ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); time box ${time_box} s per workload;"
  echo "PyTorch $("$python" -c 'import torch; print(torch.__version__)'), its OpenBLAS on its ${openblas_core:-unknown} kernels;"
  echo "medians (and means) of single steps; ratio = ours / PyTorch on medians (below 1: Autograd is faster)."
  echo "The first step's loss shows both sides computed the same thing (both take their weights and data from the same"
  echo "seeded streams, workloads.py's set_layers/set_weights): \"same start\" checks it to 1e-5 (relative above 1)."
  echo
  echo "| workload | threads | round | Autograd µs median (mean) | PyTorch µs median (mean) | ratio | Autograd bytes/step | Autograd gen-0 / gen-2 per 1,000 steps | first loss (ours / torch) | same start (1e-5) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk '
    { for (i = 5; i <= NF; i++) { split($i, kv, "="); v[$1, $2, $3, $5, kv[1]] = kv[2] } ids[$2, $3, $5] = $6; order[++n] = $2 SUBSEP $3 SUBSEP $5 }
    END {
      for (i = 1; i <= n; i++) {
        key = order[i]; if (seen[key]++) continue
        split(key, p, SUBSEP); t = p[1]; r = p[2]; w = p[3]
        ours = v["ours", t, r, w, "median_us"]; torch = v["torch", t, r, w, "median_us"]
        ratio = (ours != "" && torch != "" && torch > 0) ? sprintf("%.3f", ours / torch) : "n/a"
        a = v["ours", t, r, w, "first_loss"]; b = v["torch", t, r, w, "first_loss"]
        d = a - b; if (d < 0) d = -d; scale = (b < 0 ? -b : b); if (scale < 1) scale = 1
        same = (a == "" || b == "") ? "n/a" : (d <= 1e-5 * scale ? "yes" : "NO")
        printf "| %s %s | %s | %s | %s (%s) | %s (%s) | %s | %s | %s / %s | %s / %s | %s |\n", w, ids[key], t, r, ours, v["ours", t, r, w, "mean_us"],
          torch, v["torch", t, r, w, "mean_us"], ratio, v["ours", t, r, w, "alloc_bytes_per_step"],
          v["ours", t, r, w, "gc0_per_1k"], v["ours", t, r, w, "gc2_per_1k"],
          a, b, same
      }
    }' "$results"
} > "$out"
echo
cat "$out"
echo
echo "Written to $out"
