#!/usr/bin/env bash
# The SSD database test: starts a throwaway PostgreSQL 15 cluster (initdb in
# a temporary directory, Unix socket only, run as an unprivileged user),
# loads synthetic SSD written by careprompt-ssdgen, imports it through ODBC
# (psqlODBC) and checks the plans equal the CSV import byte for byte; then
# bad input, a missing table, and a failed connection. The cluster is always
# stopped. Prints `ssd-db: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAILED: $*"; }

# What the test needs: the ODBC driver manager and the PostgreSQL driver.
if ! dpkg -s odbc-postgresql unixodbc-dev >/dev/null 2>&1; then
  echo "installing odbc-postgresql unixodbc-dev"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq odbc-postgresql unixodbc-dev >/dev/null
fi
DRIVER=$(find /usr/lib -name psqlodbcw.so 2>/dev/null | head -n1)
if [ -z "$DRIVER" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "ssd-db: 0 passed, 1 failed (no psqlODBC driver or PostgreSQL server binaries)"
  exit 1
fi

cargo build --quiet -p careprompt-cli --features odbc -p careprompt-ssdgen || {
  echo "ssd-db: 0 passed, 1 failed (build)"
  exit 1
}
CP=target/debug/careprompt
GEN=target/debug/careprompt-ssdgen

work=$(mktemp -d /tmp/careprompt-ssd-db.XXXXXX)
chmod 755 "$work"
PGUSER_OS=nobody
if [ "$(id -u)" -ne 0 ]; then PGUSER_OS=$(id -un); fi
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    su -s /bin/sh "$PGUSER_OS" -c "$*"
  else
    sh -c "$*"
  fi
}
mkdir -p "$work/data" "$work/sock"
if [ "$(id -u)" -eq 0 ]; then chown "$PGUSER_OS" "$work/data" "$work/sock"; fi
PORT=$((20000 + RANDOM % 20000))
stop() {
  as_pg "$PGBIN/pg_ctl -D $work/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT

as_pg "$PGBIN/initdb -D $work/data -U $PGUSER_OS --auth=trust -E UTF8 --locale=C" >"$work/initdb.log" 2>&1 || {
  cat "$work/initdb.log"; echo "ssd-db: 0 passed, 1 failed (initdb)"; exit 1; }
as_pg "$PGBIN/pg_ctl -D $work/data -l $work/data/server.log -w -o \"-k $work/sock -p $PORT -c listen_addresses=''\" start" >/dev/null 2>&1 || {
  cat "$work/data/server.log"; echo "ssd-db: 0 passed, 1 failed (postgres did not start)"; exit 1; }
PSQL="psql -X -q -v ON_ERROR_STOP=1 -h $work/sock -p $PORT -U $PGUSER_OS -d postgres"
CONN="Driver=$DRIVER;Server=$work/sock;Port=$PORT;Database=postgres;UID=$PGUSER_OS;PWD=not-a-secret"
AS_OF=2026-03-31

run_case() { # name system seed schema [--inject-errors]
  local name=$1 system=$2 seed=$3 schema=$4 extra=${5:-}
  local d="$work/$name"
  $GEN --out "$d/csv" --sql "$d/ssd.sql" --schema "$schema" --children 400 --seed "$seed" --as-of $AS_OF --system "$system" $extra >/dev/null || { bad "$name: generate"; return; }
  $PSQL -f "$d/ssd.sql" >/dev/null 2>"$d/load.err" || { cat "$d/load.err"; bad "$name: load the SQL"; return; }
  $CP import ssd "$d/csv" --out "$d/csv.ndjson" --as-of $AS_OF >"$d/csv.out" 2>&1 || { cat "$d/csv.out"; bad "$name: CSV import"; return; }
  $CP import ssd --odbc "$CONN" --schema "$schema" --out "$d/odbc.ndjson" --as-of $AS_OF >"$d/odbc.out" 2>&1 || { cat "$d/odbc.out"; bad "$name: ODBC import"; return; }
  if cmp -s "$d/csv.ndjson" "$d/odbc.ndjson"; then ok "$name: ODBC plans equal the CSV plans byte for byte ($(wc -l <"$d/csv.ndjson") plans)"; else bad "$name: ODBC plans differ from CSV"; diff <(head -c 3000 "$d/csv.ndjson") <(head -c 3000 "$d/odbc.ndjson") | head -20; fi
  # The logs agree on every count, table by table.
  if python3 - "$d/csv.import-log.json" "$d/odbc.import-log.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda log: [(t["table"], t["present"], t["read"], t["used"], t["rejected"], t["not_carried"], t["warnings"]) for t in log["tables"]]
reasons = lambda log: sorted((i["table"], i.get("child") or "", i["level"], i["reason"]) for i in log["issues"])
sys.exit(0 if key(a) == key(b) and reasons(a) == reasons(b) else 1)
PY
  then ok "$name: the import logs agree on counts and reasons"; else bad "$name: the import logs differ"; fi
}

run_case systemc systemc 11 ssd_development
run_case mosaic mosaic 12 ssd_mosaic
run_case bad eclipse 13 ssd_bad --inject-errors

# Bad input is reported by table, row id and column, counted, and the rest imported.
if python3 - "$work/bad/odbc.import-log.json" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
t = {x["table"]: x for x in log["tables"]}
reasons = [i["reason"] for i in log["issues"]]
need = [
    any("BAD-ORPHAN" in r and "orphan" in r for r in reasons),
    any("BAD-DUP" in r and "duplicate" in r for r in reasons),
    any("BAD-OVERLAP-2" in r and "overlapping" in r for r in reasons),
    any("BAD-FUTURE" in r and "after the evaluation date" in r for r in reasons),
    any("BAD-TYPE" in r and "`csdq_sdq_score`" in r for r in reasons),
    any("BAD-NOLINK" in r for r in reasons),
    t["ssd_missing"]["rejected"] >= 2,
    log["plans"] == 400,
    not any("high" in r.split("`")[0] for r in reasons),
]
sys.exit(0 if all(need) else 1)
PY
then ok "bad input: orphans, duplicates, overlaps, future rows, wrong types reported by table, row id and column; all 400 plans written"; else bad "bad input not reported as expected"; fi

# A missing required table: exit 2, output left as it was.
$PSQL -c "CREATE SCHEMA ssd_empty" >/dev/null
echo keep >"$work/keep.ndjson"
$CP import ssd --odbc "$CONN" --schema ssd_empty --out "$work/keep.ndjson" --force --as-of $AS_OF >"$work/empty.out" 2>&1
code=$?
if [ $code -eq 2 ] && grep -q "ssd_person" "$work/empty.out" && [ "$(cat "$work/keep.ndjson")" = keep ]; then ok "missing ssd_person: exit 2, output left as it was"; else bad "missing ssd_person: exit $code"; cat "$work/empty.out"; fi

# A connection that fails: exit 2, the driver's message without credentials, output untouched.
BADCONN="Driver=$DRIVER;Server=$work/sock;Port=1;Database=postgres;UID=careprompt_user_x;PWD=Sup3rSecretPw"
$CP import ssd --odbc "$BADCONN" --out "$work/keep.ndjson" --force --as-of $AS_OF >"$work/fail.out" 2>&1
code=$?
if [ $code -eq 2 ] && grep -q "odbc:" "$work/fail.out" && ! grep -q "Sup3rSecretPw\|careprompt_user_x" "$work/fail.out" && [ "$(cat "$work/keep.ndjson")" = keep ]; then ok "failed connection: exit 2, credentials stripped, output left as it was"; else bad "failed connection: exit $code"; cat "$work/fail.out"; fi

echo "ssd-db: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
