#!/usr/bin/env bash
# Installs what is missing, builds the wasm package, and runs every wasm test:
#   1. Node tests of the package API          (tests/api.test.mjs)
#   2. TypeScript: tsc --strict on a usage file (tests/types/)
#   3. Native CLI vs wasm parity, byte for byte (tests/parity.test.mjs)
#   4. Real Chromium: plan checker, playground, workbench, extension (tests/e2e-*.test.mjs)
#   5. The npm tarball in a fresh project: Node, tsc, esbuild + Chromium, size budget (tests/tarball.test.mjs)
# Exits non-zero when anything fails. Run from anywhere.
#
#   CAREPROMPT_CLI=path      compare with this CLI binary instead of building one
#   CAREPROMPT_SKIP_BUILD=1  reuse wasm/pkg as it is
#   CHROMIUM=path            the browser (default /usr/bin/chromium)
set -euo pipefail
WASM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(cd "$WASM_DIR/.." && pwd)
# shellcheck source=tools.sh
. "$WASM_DIR/scripts/tools.sh"

ensure_node
ensure_chromium
ensure_npm_deps

if [ "${CAREPROMPT_SKIP_BUILD:-}" != 1 ]; then
  bash "$WASM_DIR/scripts/build.sh"
fi
[ -f "$WASM_DIR/pkg/gen/careprompt_wasm_bg.wasm" ] || die "no wasm/pkg: run scripts/build.sh"

# The tests import the package by its name, through its package.json exports.
mkdir -p "$WASM_DIR/node_modules/@careprompt"
ln -sfn ../../pkg "$WASM_DIR/node_modules/@careprompt/careprompt"

# The native CLI for the parity test (one cargo build at a time: after the wasm build).
if [ -z "${CAREPROMPT_CLI:-}" ]; then
  say "building the native CLI for the parity test"
  (cd "$ROOT_DIR" && cargo build --release -q -p careprompt-cli >&2)
  export CAREPROMPT_CLI="$ROOT_DIR/target/release/careprompt"
fi

status=0
cd "$WASM_DIR"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

say "tsc --strict on tests/types/usage.mts"
tsc_pass=0 tsc_fail=0
if node_modules/.bin/tsc -p tests/types/tsconfig.json; then tsc_pass=1; else tsc_fail=1; status=1; fi

say "node --test (API, parity, Chromium)"
# One file at a time: two cores, and each browser test starts its own Chromium.
set +e
node --test --test-concurrency=1 --test-reporter=spec \
  tests/api.test.mjs tests/parity.test.mjs tests/bundle.test.mjs \
  tests/e2e-checker.test.mjs tests/e2e-playground.test.mjs tests/e2e-workbench.test.mjs tests/e2e-extension.test.mjs \
  tests/tarball.test.mjs 2>&1 | tee "$log"
node_status=${PIPESTATUS[0]}
set -e
[ "$node_status" = 0 ] || status=1

count() { sed -n "s/^ℹ $1 \([0-9][0-9]*\)\$/\1/p" "$log" | tail -n1; }
node_pass=$(count pass); node_fail=$(count fail)
passed=$(( ${node_pass:-0} + tsc_pass ))
failed=$(( ${node_fail:-0} + tsc_fail ))
[ "$node_status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "wasm: $passed passed, $failed failed"
exit $status
