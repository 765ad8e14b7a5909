#!/usr/bin/env bash
# SSD import benchmark (a benchmark, not a test): a national-scale synthetic
# SSD (85,000 children, six years) imported from CSV and through ODBC from a
# local throwaway PostgreSQL 15 cluster, then checked and reported on
# (import -> check -> cohort report). Prints wall time and peak RSS of each
# step as a Markdown table, for docs/performance.md.
#
#   scripts/bench-ssd.sh [CHILDREN]      (default 85000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-85000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
AS_OF=2026-03-31

if ! dpkg -s odbc-postgresql unixodbc-dev >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq odbc-postgresql unixodbc-dev >/dev/null
fi
DRIVER=$(find /usr/lib -name psqlodbcw.so | head -n1)
[ -n "${SKIP_BUILD:-}" ] || cargo build --quiet --release -p careprompt-cli --features odbc -p careprompt-ssdgen
CP=target/release/careprompt
GEN=target/release/careprompt-ssdgen

work=$(mktemp -d /tmp/careprompt-ssd-bench.XXXXXX)
chmod 755 "$work"
PGUSER_OS=nobody
[ "$(id -u)" -ne 0 ] && PGUSER_OS=$(id -un)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su -s /bin/sh "$PGUSER_OS" -c "$*"; else sh -c "$*"; fi; }
mkdir -p "$work/data" "$work/sock"
[ "$(id -u)" -eq 0 ] && chown "$PGUSER_OS" "$work/data" "$work/sock"
PORT=$((20000 + RANDOM % 20000))
stop() { as_pg "$PGBIN/pg_ctl -D $work/data -m fast stop" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap stop EXIT

rows=()
measure() { # label command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/last.out" 2>&1 || { cat "$work/last.out"; exit 1; }
  read -r secs kb <"$work/time"
  rows+=("| $label | $secs s | $((kb / 1024)) MB |")
  echo "$label: ${secs}s, $((kb / 1024)) MB" >&2
}

measure "generate $N children (CSV + SQL)" $GEN --out "$work/csv" --sql "$work/ssd.sql" --children "$N" --seed 2026 --as-of $AS_OF --system systemc
du -sh "$work/csv" >&2
measure "import ssd from CSV" $CP import ssd "$work/csv" --out "$work/csv.ndjson" --as-of $AS_OF

as_pg "$PGBIN/initdb -D $work/data -U $PGUSER_OS --auth=trust -E UTF8 --locale=C" >/dev/null
as_pg "$PGBIN/pg_ctl -D $work/data -l $work/data/server.log -w -o \"-k $work/sock -p $PORT -c listen_addresses=''\" start" >/dev/null
measure "load the SQL into PostgreSQL (psql)" psql -X -q -v ON_ERROR_STOP=1 -h "$work/sock" -p $PORT -U $PGUSER_OS -d postgres -f "$work/ssd.sql"
CONN="Driver=$DRIVER;Server=$work/sock;Port=$PORT;Database=postgres;UID=$PGUSER_OS"
measure "import ssd through ODBC (psqlODBC, local socket)" $CP import ssd --odbc "$CONN" --out "$work/odbc.ndjson" --as-of $AS_OF
cmp "$work/csv.ndjson" "$work/odbc.ndjson" && echo "ODBC plans equal CSV plans" >&2
# psqlODBC buffers a whole result set unless told to use a cursor.
measure "import ssd through ODBC, psqlODBC UseDeclareFetch=1;Fetch=5000" $CP import ssd --odbc "$CONN;UseDeclareFetch=1;Fetch=5000" --out "$work/odbc2.ndjson" --as-of $AS_OF
cmp "$work/csv.ndjson" "$work/odbc2.ndjson" && echo "ODBC (cursor) plans equal CSV plans" >&2
measure "check the plans (NDJSON reports to /dev/null)" sh -c "$CP check --as-of $AS_OF --format ndjson $work/csv.ndjson >/dev/null"
measure "check + cohort report (HTML and CSV)" sh -c "$CP check --as-of $AS_OF --format ndjson --html-report $work/cohort.html --csv-report $work/cohort.csv $work/csv.ndjson >/dev/null"

echo
echo "children: $N; rows: $(cat "$work"/csv/*.csv | wc -l); CSV size: $(du -sh "$work/csv" | cut -f1); plans: $(wc -l <"$work/csv.ndjson")"
echo
echo "| step | wall time | peak RSS |"
echo "| --- | --- | --- |"
printf '%s\n' "${rows[@]}"
