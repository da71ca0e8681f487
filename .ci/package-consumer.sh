#!/usr/bin/env bash
# usage: .ci/package-consumer.sh DIR
# Packs the library into DIR/feed (Release, ContinuousIntegrationBuild, build output under DIR/artifacts so the
# repository's own bin/ and obj/ stay as they were) and makes DIR/consumer: a new console project that references
# the exact version packed from that folder feed, the rest from the machine's NuGet sources, with
# .ci/package-consumer/Program.cs as its program. The consumer's packages restore into DIR/packages (the user's cache
# is only read, as a fallback folder), so a package packed earlier under the same version is never picked up instead;
# callers that build the consumer must export NUGET_PACKAGES=DIR/packages too.
# Prints the version packed on stdout; everything else goes to stderr.
# Used by .ci/package-smoke.sh and Autograd.Benchmarks/aot-startup.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf "$dir/feed" "$dir/consumer" "$dir/packages/autograd"   # never a package packed by an earlier run
dotnet pack "$root/Autograd/Autograd.csproj" -c Release -o "$dir/feed" --artifacts-path "$dir/artifacts" \
  -p:ContinuousIntegrationBuild=true -nologo >&2
nupkg=$(find "$dir/feed" -name 'Autograd.*.nupkg' | head -n 1)
version=$(basename "$nupkg" .nupkg)
version=${version#Autograd.}
if [[ ! -f "$dir/feed/Autograd.$version.snupkg" ]]; then
  echo "package-consumer: no symbols package next to $nupkg" >&2
  exit 1
fi

cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
export NUGET_PACKAGES="$dir/packages"
dotnet new console -o "$dir/consumer" --framework net10.0 >&2
fallback=""
if [[ -d "$cache" ]]; then
  fallback="<fallbackPackageFolders><add key=\"cache\" value=\"$cache\" /></fallbackPackageFolders>"
fi
# Autograd comes from the local feed only (source mapping); every other package from the machine's sources.
cat > "$dir/consumer/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="autograd-local" value="$dir/feed" />
  </packageSources>
  $fallback
  <packageSourceMapping>
    <packageSource key="autograd-local">
      <package pattern="Autograd" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
CONFIG
dotnet add "$dir/consumer/consumer.csproj" package Autograd --version "$version" >&2
cp "$root/.ci/package-consumer/Program.cs" "$dir/consumer/Program.cs"
echo "$version"
