#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (FUZZ_SECONDS, 30 by default)
# and fails on a crash, a timeout or running out of memory. Needs a nightly
# toolchain (`cargo +nightly`) and cargo-fuzz; installs cargo-fuzz when it
# is missing. Without nightly it prints a note and succeeds: the fuzz
# targets are an extra, and the plain tests cover every crash found so far
# (crates/careprompt/tests/reliability.rs).
#
# Each run starts from the seed corpus in fuzz/corpus/<target>/ and writes
# what it discovers to a scratch directory, so the repository is not
# changed; a crashing input is left in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-30}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz/run-ci.sh: no nightly toolchain (cargo +nightly); skipping the fuzz targets."
  echo "  (install one with: rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run-ci.sh: installing cargo-fuzz"
  if ! cargo install cargo-fuzz --locked; then
    echo "fuzz/run-ci.sh: could not install cargo-fuzz; skipping the fuzz targets."
    exit 0
  fi
fi

targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

failed=()
for t in $targets; do
  mkdir -p "$scratch/$t" "corpus/$t"
  # The importers get inputs up to 1 MiB: long enough for the classes that
  # need size (a CIN census nested 20,000 deep is about 140 KB; a stray
  # quote that swallows thousands of rows). Other targets keep libFuzzer's
  # default length. -len_control=0 lets them try long inputs from the start
  # instead of growing the length slowly from the seeds'.
  max_len=()
  case "$t" in
    import_*) max_len=(-max_len=1048576 -len_control=0) ;;
  esac
  echo "==> fuzz $t for ${seconds}s ${max_len[*]}"
  if cargo +nightly fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
      "${max_len[@]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$scratch/$t.log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units)' "$scratch/$t.log" || true
  else
    echo "fuzz target $t FAILED; the end of its log:"
    tail -n 60 "$scratch/$t.log"
    failed+=("$t")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz targets failed: ${failed[*]} (inputs are in fuzz/artifacts/)"
  exit 1
fi
echo "all fuzz targets ran ${seconds}s each without a crash"
