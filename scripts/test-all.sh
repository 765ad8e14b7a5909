#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust workspace's tests, the rule
# pack's own tests, the WASM package (Node and Chromium), and a short run of
# each fuzz target. Installs what it needs when it is missing.
# This is the README's test command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test --workspace"
cargo test --workspace

step "rule pack tests (careprompt test, 100% of rules exercised)"
cargo run --quiet --release -p careprompt-cli -- test --coverage --min-coverage 100 rules/jtai-childrens-mental-health

if [ -x wasm/scripts/test.sh ]; then
  step "WASM package, browser pages and extension (Node, Chromium)"
  wasm/scripts/test.sh
fi

if [ -x fuzz/run-ci.sh ]; then
  step "fuzz targets (short runs)"
  fuzz/run-ci.sh
fi

step "all tests passed"
