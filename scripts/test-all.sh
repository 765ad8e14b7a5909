#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust workspace's tests, the rule
# pack's own tests, the Python package (in a fresh venv), the crates'
# packaging (cargo publish --dry-run), the WASM package (Node, tsc, Chromium,
# the npm tarball), and a short run of each fuzz target. Installs what it
# needs when it is missing.
# This is the README's test command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# Every runner's output is also kept here, to add up the counts at the end.
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# `cargo test` runs the workspace's default members: everything but the
# bench crate, whose peer engines are heavy to build. Its own tests (the
# gate's arithmetic) run next, on their own.
step "cargo test (the workspace without the bench crate)"
cargo test 2>&1 | tee -a "$log"

step "cargo test -p careprompt-bench (the benchmark gate's tests; no benchmarks run)"
cargo test -p careprompt-bench --test gate 2>&1 | tee -a "$log"

step "rule pack tests (careprompt test, 100% of rules exercised)"
cargo run --quiet --release -p careprompt-cli -- test --coverage --min-coverage 100 crates/careprompt/pack/jtai-childrens-mental-health | tee -a "$log"

step "Python package (wheel built with maturin, pytest in a fresh virtual environment)"
scripts/test-python.sh 2>&1 | tee -a "$log"

step "crates packaged and verified as crates.io would build them (cargo publish --dry-run)"
scripts/check-packages.sh 2>&1 | tee -a "$log"

step "example local pack (its tests, and the built-in tests under its overrides)"
cargo run --quiet --release -p careprompt-cli -- test rules/examples/fictional-borough-local-pack | tee -a "$log"

if [ -x wasm/scripts/test.sh ]; then
  step "WASM package, browser pages and extension (Node, Chromium)"
  wasm/scripts/test.sh 2>&1 | tee -a "$log"
fi

step "SSD database test (throwaway PostgreSQL, ODBC import equals CSV import)"
scripts/test-ssd-db.sh 2>&1 | tee -a "$log"
if [ -x editors/vscode/scripts/test.sh ]; then
  step "VS Code extension (grammar, bundle, careprompt lsp over stdio, .vsix)"
  CAREPROMPT_BIN="$PWD/target/debug/careprompt" editors/vscode/scripts/test.sh 2>&1 | tee -a "$log"
fi

if [ -x fuzz/run-ci.sh ]; then
  step "fuzz targets (short runs)"
  fuzz/run-ci.sh
fi

step "all tests passed"
# One closing line with every count: cargo's `test result: ok. N passed; M failed`,
# and the `N passed, M failed` lines of the rule pack, the Python suite, the
# crate packaging checks and the WASM tests.
awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
  /^[a-z-]*:? ?[0-9]+ passed, [0-9]+ failed/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed,?$/) p += $(i-1); if ($i ~ /^failed,?$/) f += $(i-1) } }
  END { printf "all: %d passed, %d failed\n", p, f }
' "$log"
