#!/usr/bin/env bash
# usage: .ci/package-smoke.sh [--aot]
# Packs the library and uses the package as a user would (.ci/package-consumer.sh): a new console project references
# the exact version from a local folder feed, builds in Release with warnings as errors and trains a W2-like MLP
# (784-256-128-10, batch 64) for 5 steps; its output must name the version and commit packed and show a finite,
# falling loss. Checks the package's metadata and contents first (license, README and that it has no relative links,
# tags, repository commit, XML docs, symbols). With --aot, also publishes the consumer with NativeAOT (x86-64-v3) and
# runs the binary the same way.
# Called by .ci/run after the tests; works in a temporary folder and leaves the repository's bin/ and obj/ alone.
set -euo pipefail
cd "$(dirname "$0")/.."
aot=false
[[ "${1:-}" == "--aot" ]] && aot=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "package-smoke: $*" >&2; exit 1; }

echo "== package smoke: pack and make a consumer project"
version="$(bash .ci/package-consumer.sh "$work")"
export NUGET_PACKAGES="$work/packages"
nupkg="$work/feed/Autograd.$version.nupkg"
commit="$(git rev-parse HEAD 2>/dev/null || true)"

nuspec="$(unzip -p "$nupkg" Autograd.nuspec)"
needles=('<license type="expression">MIT</license>' '<readme>README.md</readme>' '<tags>autograd ' '<description>')
[[ -n "$commit" ]] && needles+=("commit=\"$commit\"")
for needle in "${needles[@]}"; do
  grep -qF -- "$needle" <<<"$nuspec" || fail "the nuspec of $nupkg lacks $needle"
done
files="$(unzip -Z1 "$nupkg")"
for file in README.md lib/net10.0/Autograd.dll lib/net10.0/Autograd.xml buildTransitive/Autograd.targets; do
  grep -qxF "$file" <<<"$files" || fail "$nupkg lacks $file"
done
# The package page shows README.md with no repository to resolve relative links against: every link and picture
# (Markdown inline or reference-style, or HTML) must be absolute (http, https, mailto) or an anchor in the page.
relative_links="$(unzip -p "$nupkg" README.md | grep -oE '\]\([^)]*\)|^ {0,3}\[[^]]+\]: *[^ ]+|(href|src)="[^"]*"' |
  sed -E 's/^\]\(//; s/\)$//; s/^ *\[[^]]+\]: *//; s/^(href|src)="//; s/"$//' | grep -vE '^(https?://|mailto:|#)' || true)"
[[ -z "$relative_links" ]] || fail "the packed README.md has relative links, broken on a package page: $relative_links"
grep -qxF lib/net10.0/Autograd.pdb <<<"$(unzip -Z1 "$work/feed/Autograd.$version.snupkg")" ||
  fail "the symbols package lacks lib/net10.0/Autograd.pdb"
echo "Autograd.$version.nupkg: metadata and contents as expected"

# The output must come from the package just packed (version and commit) and the loss must fall.
check_output() {
  local output="$1"
  echo "$output"
  grep -qE "^Autograd $version\\+${commit}" <<<"$output" || fail "the consumer did not run Autograd $version+$commit"
  grep -qE '^loss [0-9.]+ -> [0-9.]+ in 5 step\(s\)$' <<<"$output" || fail "no final loss line"
}

echo "== package smoke: dotnet run -c Release (JIT)"
check_output "$(dotnet run -c Release --project "$work/consumer" -p:TreatWarningsAsErrors=true -- train 5)"
# The package's buildTransitive targets set the tiering option in the consumer's runtimeconfig.json.
grep -q '"System.Runtime.TieredCompilation.CallCountingDelayMs": 0' \
  "$work/consumer/bin/Release/net10.0/consumer.runtimeconfig.json" ||
  fail "the consumer's runtimeconfig.json lacks the package's System.Runtime.TieredCompilation.CallCountingDelayMs"

if $aot; then
  echo "== package smoke: NativeAOT publish (x86-64-v3)"
  bash .ci/aot-prerequisites.sh
  dotnet publish "$work/consumer" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=x86-64-v3 \
    -p:TreatWarningsAsErrors=true -o "$work/aot" >&2
  check_output "$("$work/aot/consumer" train 5)"
fi
echo "== package smoke passed"
