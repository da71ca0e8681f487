#!/usr/bin/env bash
# Installs what NativeAOT's native link step needs when it is missing: a C compiler and linker (gcc or clang) and
# zlib's development files (Debian's zlib1g-dev). Used by .ci/package-smoke.sh --aot and Autograd.Benchmarks/aot-startup.sh.
set -euo pipefail
missing=()
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then missing+=(clang); fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "aot-prerequisites: installing ${missing[*]} for NativeAOT" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo -n); fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
