#!/usr/bin/env bash
# Packages the crates meant for users (careprompt, careprompt-import,
# careprompt-lsp, careprompt-cli) as crates.io would receive them, and builds each package on
# its own (`cargo publish --dry-run`: nothing is uploaded). The three are
# packaged together, so the packages that depend on careprompt are verified
# against the just-packaged careprompt (a local registry overlay), not
# against crates.io, where it is not published yet. Then checks that the
# careprompt package carries its rule pack and schema, and the licences.
# Ends with one count line: `packages: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(careprompt careprompt-import careprompt-lsp careprompt-cli)
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done

# Cargo unpacks each package of the overlay under
# $CARGO_HOME/registry/src/-<hash>/, where the hash comes from the path of the
# checkout, and it reuses an unpacked copy that is already there rather than
# unpacking the new one. A checkout at a path used before (CI's) would then
# verify the crates that depend on careprompt against an old careprompt. The
# copies of our own packages are removed first, so every run verifies today's.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for c in "${crates[@]}"; do
  for stale in "$cargo_home"/registry/src/-*/"$c"-[0-9]*; do
    if [ -e "$stale" ]; then rm -rf -- "$stale"; fi
  done
done
# Cargo also takes a built registry crate as up to date by its version alone,
# so the builds of an earlier run's packages go too.
rm -rf -- "${CARGO_TARGET_DIR:-target}/package"

passed=0
failed=0
# --allow-dirty: CI runs on a checkout that may hold build outputs; the
# package contents are checked below instead.
if cargo publish --dry-run --allow-dirty "${args[@]}"; then
  passed=$((passed + ${#crates[@]}))
else
  failed=$((failed + ${#crates[@]}))
fi

check_list() {
  local crate=$1
  shift
  local list
  list=$(cargo package --list --allow-dirty -p "$crate")
  for want in "$@"; do
    if grep -qxF "$want" <<<"$list"; then
      passed=$((passed + 1))
    else
      echo "the $crate package lacks $want" >&2
      failed=$((failed + 1))
    fi
  done
}
check_list careprompt \
  pack/jtai-childrens-mental-health/constants.cpr \
  pack/jtai-childrens-mental-health/education.cpr \
  pack/jtai-childrens-mental-health/tests/education.test.toml \
  schema/case-plan.schema.json \
  LICENSE-MIT LICENSE-APACHE README.md
check_list careprompt-import LICENSE-MIT LICENSE-APACHE README.md
check_list careprompt-lsp LICENSE-MIT LICENSE-APACHE README.md
check_list careprompt-cli LICENSE-MIT LICENSE-APACHE README.md

# No stray snapshot drafts may ship with the CLI.
if cargo package --list --allow-dirty -p careprompt-cli | grep -q '\.snap\.new$'; then
  echo "the careprompt-cli package holds .snap.new files" >&2
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi

echo "packages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
