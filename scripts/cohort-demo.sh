#!/usr/bin/env bash
# One-command cohort run on the synthetic fixtures: imports the SSDA903
# return in tests/fixtures/ssda903 merged with the CIN census in
# tests/fixtures/cin (by child id), checks every plan, and writes
#   target/cohort/report.html   the cohort report (offline, no script)
#   target/cohort/report.csv    one row per plan
# with the plans, the import log and the per-plan reports beside them.
#
# Environment: AS_OF (default 2018-03-31, the end of the fixtures'
# collection year), CIN (default tests/fixtures/cin/fake_CIN_data.xml).
set -euo pipefail
cd "$(dirname "$0")/.."

AS_OF="${AS_OF:-2018-03-31}"
CIN="${CIN:-tests/fixtures/cin/fake_CIN_data.xml}"
OUT=target/cohort

cargo build --quiet --release -p careprompt-cli
bin=target/release/careprompt

rm -rf "$OUT"
mkdir -p "$OUT"

echo "==> import: SSDA903 tests/fixtures/ssda903 + CIN census $CIN"
"$bin" import cin "$CIN" --ssda903 tests/fixtures/ssda903 --as-of "$AS_OF" --out "$OUT/plans" \
  | tee "$OUT/import-summary.txt" | sed -n '1,20p'
echo "    (full summary: $OUT/import-summary.txt; every row: $OUT/plans.import-log.json)"

echo "==> check as of $AS_OF"
"$bin" check --as-of "$AS_OF" --format ndjson \
  --html-report "$OUT/report.html" --csv-report "$OUT/report.csv" \
  "$OUT/plans" > "$OUT/reports.ndjson"

echo "==> wrote $OUT/report.html and $OUT/report.csv"
