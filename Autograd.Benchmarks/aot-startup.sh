#!/usr/bin/env bash
# NativeAOT against the JIT for a program that uses the Autograd package: binary size, time from start to the end
# of the first training step, and float32 256³ matmul GFLOP/s. Re-run it after a kernel change.
#
#   Autograd.Benchmarks/aot-startup.sh                 (RUNS=7 start-ups per variant, median; WORK=/tmp/autograd-aot)
#
# The program is .ci/package-consumer/Program.cs in a new console project that references the package packed from
# this checkout (.ci/package-consumer.sh). Variants:
#   dotnet run       `dotnet run -c Release` of the consumer project, already built (what a user types)
#   dotnet dll       `dotnet bin/Release/net10.0/consumer.dll`
#   AOT x86-64-v3    `dotnet publish -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=x86-64-v3`
#   AOT default      the same without -p:IlcInstructionSet (the default target: x86-64-v2, SSE4.2, no AVX)
# and PyTorch: `/usr/bin/python3 -c "import torch"` and the same W2-like first step in PyTorch.
# "First step" = `consumer train 1`: build the 784-256-128-10 MLP, one SGD step on a batch of 64, print the loss;
# measured from the shell around the process (wall clock, start to exit). NativeAOT needs gcc or clang and zlib:
# .ci/aot-prerequisites.sh installs them when missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${WORK:-/tmp/autograd-aot}"
runs="${RUNS:-7}"
python=/usr/bin/python3
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash "$repo/.ci/aot-prerequisites.sh"

version="$(bash "$repo/.ci/package-consumer.sh" "$work")"
export NUGET_PACKAGES="$work/packages"
consumer="$work/consumer"
dotnet build "$consumer" -c Release -p:TreatWarningsAsErrors=true -nologo -v quiet >&2
publish() {   # publish DIR [extra msbuild args]: NativeAOT, timed
  local out="$1"; shift
  local start=$SECONDS
  dotnet publish "$consumer" -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true "$@" \
    -o "$out" -nologo -v quiet >&2
  echo "$((SECONDS - start))"
}
v3_seconds="$(publish "$work/aot-v3" -p:IlcInstructionSet=x86-64-v3)"
default_seconds="$(publish "$work/aot-default")"

# median of $runs wall-clock runs of a command, in milliseconds
median_ms() {
  local times=()
  for ((i = 0; i < runs; i++)); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
# 256³ GFLOP/s on 1 thread and on all cores: "1 thread / all"
gflops() {
  local one all
  one=$("$@" matmul 256 1 | sed -n 's/^matmul [0-9x]*: \([0-9.]*\) GFLOP\/s.*/\1/p')
  all=$("$@" matmul 256 "$(nproc)" | sed -n 's/^matmul [0-9x]*: \([0-9.]*\) GFLOP\/s.*/\1/p')
  echo "$one / $all"
}

torch_step='
import torch
torch.manual_seed(1)
x = torch.randn(64, 784); y = torch.arange(64) % 10
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                            torch.nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
opt.zero_grad(); loss = torch.nn.functional.cross_entropy(model(x), y); loss.backward(); opt.step()
print(f"step 1 loss {loss.item():.6f}")'

dll="$consumer/bin/Release/net10.0/consumer.dll"
echo "# Autograd $version, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs"
echo
echo "| variant | size | start to first step | 256³ matmul GFLOP/s, 1 thread / $(nproc) |"
echo "|---|---|---|---|"
echo "| dotnet run -c Release | (as below) | $(median_ms dotnet run -c Release --project "$consumer" -- train 1) ms | |"
echo "| dotnet consumer.dll | $(du -ck "$(dirname "$dll")"/*.dll | tail -n 1 | cut -f1) KB of DLLs + the shared runtime | $(median_ms dotnet "$dll" train 1) ms | $(gflops dotnet "$dll") |"
for variant in v3 default; do
  binary="$work/aot-$variant/consumer"
  seconds_var="${variant}_seconds"
  echo "| NativeAOT $variant (publish ${!seconds_var} s) | $(($(stat -c %s "$binary") / 1024)) KB | $(median_ms "$binary" train 1) ms | $(gflops "$binary") |"
done
if "$python" -c "import torch" 2>/dev/null; then
  echo "| python3 -c \"import torch\" | | $(median_ms "$python" -c "import torch") ms (import only) | |"
  echo "| PyTorch, the same first step | | $(median_ms "$python" -c "$torch_step") ms | |"
else
  echo "(PyTorch is missing: apt-get install python3-torch)"
fi
echo
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
