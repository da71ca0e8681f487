#!/usr/bin/env bash
# All-reduce bandwidth of Autograd's ProcessGroup against OpenMPI's own C loop, 2 local ranks, in one run.
#   Autograd.Benchmarks/compare-mpi.sh [RANKS (2)]
# Needs: apt-get install openmpi-bin libopenmpi-dev (mpicc comes with libopenmpi-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
ranks="${1:-2}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_oob_tcp_if_include=lo TERM=dumb
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mpicc -O2 Autograd.Benchmarks/Peers/allreduce.c -o "$work/allreduce"
dotnet build -c Release Autograd.Benchmarks >/dev/null
echo "# $(date -u +%F), $(nproc) CPUs, $(mpirun --version | head -n 1)"
for round in 1 2; do
  mpirun --oversubscribe -np "$ranks" "$work/allreduce"
  mpirun --oversubscribe -np "$ranks" dotnet Autograd.Benchmarks/bin/Release/net10.0/Autograd.Benchmarks.dll allreduce
done
