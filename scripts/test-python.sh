#!/usr/bin/env bash
# Builds the Python wheel (crates/careprompt-py, with maturin), installs it
# into a fresh virtual environment with pytest, mypy and pandas, and runs the
# package's pytest suite there against the repository's plans and the CLI.
# Ends with one count line: `python: N passed, M failed`.
#
# maturin is installed into its own virtual environment (target/py-tools),
# never system-wide. Needs python3 (3.9 or later) and network access to PyPI
# for maturin, pytest, mypy and pandas.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

say() { printf '  %s\n' "$*"; }

tools="$ROOT/target/py-tools"
if [ ! -x "$tools/bin/maturin" ]; then
  say "installing maturin into $tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.5,<2'
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say "building the wheel"
"$tools/bin/maturin" build --quiet --release -m crates/careprompt-py/Cargo.toml --out "$work/wheels" >&2
wheel=$(ls "$work"/wheels/careprompt-*.whl)
say "built $(basename "$wheel")"

# The parity tests compare with the CLI's output.
cli="$ROOT/target/release/careprompt"
cargo build --quiet --release -p careprompt-cli

say "installing it into a fresh virtual environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" pytest mypy pandas

# Run from outside the source tree so the installed package is the one imported.
cd "$work"
set +e
CAREPROMPT_REPO="$ROOT" CAREPROMPT_CLI="$cli" "$work/venv/bin/python" -m pytest \
  -p no:cacheprovider -q --junitxml="$work/junit.xml" "$ROOT/crates/careprompt-py/tests"
status=$?
set -e
"$work/venv/bin/python" - "$work/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"python: {tests - failed - skipped} passed, {failed} failed")
PY
exit $status
