#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust workspace's tests, the rule
# pack's own tests, the WASM package (Node and Chromium), and a short run of
# each fuzz target. Installs what it needs when it is missing.
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
cargo run --quiet --release -p careprompt-cli -- test --coverage --min-coverage 100 rules/jtai-childrens-mental-health | tee -a "$log"

step "example local pack (its tests, and the built-in tests under its overrides)"
cargo run --quiet --release -p careprompt-cli -- test rules/examples/fictional-borough-local-pack | tee -a "$log"

if [ -x wasm/scripts/test.sh ]; then
  step "WASM package, browser pages and extension (Node, Chromium)"
  wasm/scripts/test.sh 2>&1 | tee -a "$log"
fi

if [ -x fuzz/run-ci.sh ]; then
  step "fuzz targets (short runs)"
  fuzz/run-ci.sh
fi

step "all tests passed"
# One closing line with every count: cargo's `test result: ok. N passed; M failed`,
# and the `N passed, M failed` lines of the rule pack and the WASM tests.
awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
  /^[a-z]*:? ?[0-9]+ passed, [0-9]+ failed/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed,?$/) p += $(i-1); if ($i ~ /^failed,?$/) f += $(i-1) } }
  END { printf "all: %d passed, %d failed\n", p, f }
' "$log"
