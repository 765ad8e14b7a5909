#!/usr/bin/env bash
# The performance suite (issue 7), in one command:
#
#   scripts/bench.sh
#
# 1. builds the CLI and the benchmark crate (release);
# 2. generates the workload: 100,000 plans as NDJSON (target/bench/cohort.ndjson)
#    and the Node fixtures (seeded, deterministic; nothing is checked in);
# 3. runs the criterion benchmarks (crates/careprompt-bench/benches/engines.rs):
#    compile, ingest, eval and end to end, careprompt next to datalogic-rs,
#    zen-expression, cel and the two floors, after the correctness gate;
# 4. runs the CLI on the cohort with RAYON_NUM_THREADS=1 and 2: throughput
#    (hyperfine, installed with apt when missing) and peak memory
#    (/usr/bin/time -v maximum resident set size);
# 5. runs the Node benchmark (wasm/bench/bench.mjs): the WebAssembly package
#    from a string and from a Uint8Array, native in the same run, and
#    json-logic-js and json-logic-engine on the same JSONLogic rules;
# 6. writes the summary table (medians and ratios) to target/bench/summary.md.
#
# About 10-15 minutes on 2 cores. Environment:
#   CAREPROMPT_BENCH_SECS   criterion measurement time per benchmark (default 2)
#   CAREPROMPT_BENCH_PLANS  plans in the cohort (default 100000)
#   CAREPROMPT_BENCH_SKIP   space-separated parts to skip: criterion batch node
# Nothing here asserts on timings: it measures and reports.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/target/bench
mkdir -p "$OUT"
export CAREPROMPT_BENCH_SECS=${CAREPROMPT_BENCH_SECS:-2}
PLANS=${CAREPROMPT_BENCH_PLANS:-100000}
SKIP=" ${CAREPROMPT_BENCH_SKIP:-} "
AS_OF=2026-11-26

step() { printf '\n==> %s\n' "$*" >&2; }
skipping() { [[ "$SKIP" == *" $1 "* ]]; }

machine() {
  python3 - "$1" <<'PY'
import json, os, sys
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
load = open('/proc/loadavg').read().split()[:3]
print(json.dumps({'nproc': os.cpu_count(), 'cpu': cpu, 'loadavg': load, 'when': sys.argv[1]}))
PY
}
machine start > "$OUT/machine-start.json"

step "build (release)"
cargo build --release -p careprompt-cli -p careprompt-bench --bins

step "workload: $PLANS plans"
lines=$( [ -f "$OUT/cohort.ndjson" ] && wc -l < "$OUT/cohort.ndjson" || echo 0 )
if [ "$lines" -ne "$PLANS" ] || [ ! -f "$OUT/node-fixtures.json" ]; then
  target/release/gen-cohort "$OUT" "$PLANS"
else
  echo "reusing $OUT/cohort.ndjson ($lines plans)" >&2
fi

if ! skipping criterion; then
  step "criterion (measurement ${CAREPROMPT_BENCH_SECS}s per benchmark)"
  rm -rf target/criterion
  cargo bench -p careprompt-bench --bench engines 2>&1 | tee "$OUT/criterion.log" | grep -E 'gate|^[a-z].*time:|^[a-z-]+/' >&2 || true
  grep -q 'every engine agrees' "$OUT/criterion.log" || { echo "the correctness gate did not pass; see $OUT/criterion.log" >&2; exit 1; }
fi

if ! skipping batch; then
  step "batch: careprompt check on $PLANS plans, RAYON_NUM_THREADS=1 and 2, and pinned to one core"
  command -v hyperfine >/dev/null 2>&1 || { apt-get install -y -qq hyperfine >/dev/null 2>&1 || true; }
  cli=(target/release/careprompt check --format ndjson --as-of "$AS_OF" "$OUT/cohort.ndjson")
  for t in 1 2; do
    # Peak memory: one run under /usr/bin/time -v.
    RAYON_NUM_THREADS=$t /usr/bin/time -v "${cli[@]}" > /dev/null 2> "$OUT/batch-time-$t.txt" || true
    if command -v hyperfine >/dev/null 2>&1; then
      hyperfine --runs 3 --warmup 1 --export-json "$OUT/batch-$t.json" \
        "RAYON_NUM_THREADS=$t ${cli[*]} > /dev/null 2>&1"
    else
      # No hyperfine: three timed runs, the median kept.
      python3 - "$OUT/batch-$t.json" "$t" "${cli[@]}" <<'PY'
import json, os, subprocess, sys, time
out, t, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
env = dict(os.environ, RAYON_NUM_THREADS=t)
times = []
for _ in range(3):
    s = time.perf_counter(); subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); times.append(time.perf_counter() - s)
times.sort()
json.dump({'results': [{'median': times[1], 'times': times}]}, open(out, 'w'))
PY
    fi
  done
  # Single-core throughput proper: the whole process pinned to one core
  # (RAYON_NUM_THREADS=1 alone still lets the thread that reads and writes
  # run beside the worker, on the other core).
  rm -f "$OUT/batch-1core.json"
  if command -v taskset >/dev/null 2>&1 && command -v hyperfine >/dev/null 2>&1; then
    hyperfine --runs 3 --warmup 1 --export-json "$OUT/batch-1core.json" \
      "taskset -c 0 env RAYON_NUM_THREADS=1 ${cli[*]} > /dev/null 2>&1"
  fi
fi

if ! skipping node; then
  step "Node: the WebAssembly package, native, json-logic-js, json-logic-engine"
  # Always (re)built, so the package measured is the engine measured above
  # (cargo makes this quick when nothing changed).
  wasm/scripts/build.sh
  if [ ! -d wasm/bench/node_modules/json-logic-engine ] || [ ! -d wasm/bench/node_modules/json-logic-js ]; then
    (cd wasm/bench && npm ci --no-audit --no-fund >&2)
  fi
  node wasm/bench/bench.mjs "$ROOT" >&2
fi

machine end > "$OUT/machine-end.json"
step "summary"
python3 scripts/bench-summary.py "$ROOT"
echo "wrote $OUT/summary.md" >&2
