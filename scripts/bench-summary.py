#!/usr/bin/env python3
"""Writes target/bench/summary.md from one run of scripts/bench.sh: criterion's
medians (target/criterion/*/*/new/estimates.json), the batch runs
(target/bench/batch-*.json, batch-time-*.txt) and the Node benchmark
(target/bench/node.json). Usage: bench-summary.py [ROOT]"""

import glob
import json
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
OUT = os.path.join(ROOT, "target", "bench")
CRIT = os.path.join(ROOT, "target", "criterion")
SIZES = ["2KB", "5KB", "10KB"]


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


med = {}  # "group/bench/size" -> microseconds
for f in glob.glob(os.path.join(CRIT, "**", "new", "estimates.json"), recursive=True):
    name = os.path.relpath(os.path.dirname(os.path.dirname(f)), CRIT)
    e = load(f)
    if e:
        med[name] = e["median"]["point_estimate"] / 1000.0


def m(key):
    return med.get(key)


def fmt(us):
    if us is None:
        return "–"
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.2f} µs"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fr(r):
    return "–" if r is None else f"{r:.2f}×"


lines = []
w = lines.append
start = load(os.path.join(OUT, "machine-start.json"), {})
end = load(os.path.join(OUT, "machine-end.json"), {})
w("# careprompt performance summary")
w("")
w(f"Machine: {start.get('nproc', '?')} cores, {start.get('cpu', '?')}; load average "
  f"{' '.join(start.get('loadavg', []))} at the start, {' '.join(end.get('loadavg', []))} at the end "
  "(other work on the machine makes every number noisier; ratios within one run are more "
  "trustworthy than absolute times). Medians of one run of `scripts/bench.sh`.")
w("")

# Targets.
targets = []


def target(name, value, goal, ok, detail):
    targets.append((name, value, goal, "met" if ok else ("not met" if ok is not None else "–"), detail))


for s in SIZES:
    r = ratio(m(f"eval-pack/careprompt/{s}"), m(f"eval-pack/floor/{s}"))
    target(f"eval, whole pack, {s}: careprompt / hand-written floor", fr(r), "≤ 1.5×",
           None if r is None else r <= 1.5,
           f"{fmt(m(f'eval-pack/careprompt/{s}'))} vs {fmt(m(f'eval-pack/floor/{s}'))}")
PEERS = ["datalogic-rs", "zen-expression", "cel"]
for s in SIZES:
    peers = {p: m(f"eval-subset/{p}/{s}") for p in PEERS}
    known = {p: v for p, v in peers.items() if v is not None}
    if known:
        fastest = min(known, key=known.get)
        r = ratio(known[fastest], m(f"eval-subset/careprompt/{s}"))
        target(f"eval, 24-rule subset, {s}: fastest peer ({fastest}) / careprompt", fr(r), "≥ 3×",
               None if r is None else r >= 3,
               f"{fmt(known[fastest])} vs {fmt(m(f'eval-subset/careprompt/{s}'))}")
        r2 = ratio(known[fastest], m(f"eval-pack/careprompt/{s}"))
        target(f"eval, {s}: fastest peer on 24 rules / careprompt on the whole pack", fr(r2), "≥ 3×",
               None if r2 is None else r2 >= 3,
               f"{fmt(known[fastest])} vs {fmt(m(f'eval-pack/careprompt/{s}'))}")
for s in SIZES:
    for what in ["careprompt-outcomes", "careprompt-report"]:
        r = ratio(m(f"e2e/{what}/{s}"), m(f"e2e/IgnoredAny/{s}"))
        target(f"end to end, {s}: {what} / IgnoredAny floor", fr(r), "≤ 1.5×",
               None if r is None else r <= 1.5,
               f"{fmt(m(f'e2e/{what}/{s}'))} vs {fmt(m(f'e2e/IgnoredAny/{s}'))}")
    r = ratio(m(f"e2e/careprompt-outcomes/{s}"), m(f"e2e/serde_json-Value/{s}"))
    target(f"end to end, {s}: careprompt-outcomes / building a serde_json::Value", fr(r), "< 1×",
           None if r is None else r < 1,
           f"{fmt(m(f'e2e/careprompt-outcomes/{s}'))} vs {fmt(m(f'e2e/serde_json-Value/{s}'))}")
c = m("compile/careprompt_pack")
target("compile the pack", fmt(c), "< 1 ms", None if c is None else c < 1000,
       "RuleSet::compile(builtin_sources()), files parsed before taken from the parse cache; "
       f"texts new to the process: {fmt(m('compile/careprompt_pack-new-texts'))}")

batch = {}
for t in ("1", "2"):
    b = load(os.path.join(OUT, f"batch-{t}.json"))
    secs = b["results"][0]["median"] if b else None
    rss = None
    try:
        with open(os.path.join(OUT, f"batch-time-{t}.txt")) as f:
            mm = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
            rss = int(mm.group(1)) / 1024 if mm else None
    except OSError:
        pass
    batch[t] = (secs, rss)
plans = 0
try:
    with open(os.path.join(OUT, "cohort.ndjson"), "rb") as f:
        plans = sum(1 for _ in f)
except OSError:
    pass
peak = max((v[1] for v in batch.values() if v[1] is not None), default=None)
target(f"batch of {plans:,} plans: peak memory", "–" if peak is None else f"{peak:.0f} MB", "< 100 MB",
       None if peak is None else peak < 100, "max RSS, /usr/bin/time -v, 1 and 2 threads")
s1, s2 = batch["1"][0], batch["2"][0]
core = load(os.path.join(OUT, "batch-1core.json"))
s1core = core["results"][0]["median"] if core else None
sp = ratio(s1core, s2)
target("batch: throughput on 2 cores / on 1 core", fr(sp), "≥ 1.8×", None if sp is None else sp >= 1.8,
       f"{s1core and f'{s1core:.2f} s'} vs {s2 and f'{s2:.2f} s'} (pinned to one core with taskset vs RAYON_NUM_THREADS=2)")
sp1 = ratio(s1, s2)
target("batch: throughput with 2 worker threads / with 1", fr(sp1), "(for comparison)", None,
       f"{s1 and f'{s1:.2f} s'} vs {s2 and f'{s2:.2f} s'} (RAYON_NUM_THREADS=1 vs 2, unpinned: with one worker, "
       "reading and writing still run on the other core)")

node = load(os.path.join(OUT, "node.json"), {})
for s in SIZES:
    wv = node.get("wasm", {}).get(s, {})
    nat = node.get("native", {}).get(s, {})
    # Like for like: the package's check() and its outcomes against native
    # outcomes; the report JSON (the raw handle, and check().json) against
    # native report JSON.
    for k, nk in (("api-check-string", "outcomes"), ("api-check-bytes", "outcomes"),
                  ("raw-check-string", "report-json"), ("raw-check-bytes", "report-json"),
                  ("api-json-string", "report-json")):
        nv = nat.get(nk)
        r = ratio(wv.get(k), nv)
        target(f"WASM end to end, {s}: {k} / native {nk}", fr(r), "≤ 2×", None if r is None else r <= 2,
               f"{fmt(wv.get(k))} vs {fmt(nv)}")
for s in SIZES:
    wv = node.get("wasm", {}).get(s, {})
    jle = node.get("jsonlogic", {}).get(s, {}).get("json-logic-engine e2e")
    for k, what in (("api-subset-string", "the same 24 rules"), ("api-check-string", "all the pack's rules")):
        r = ratio(wv.get(k), jle)
        target(f"WASM rules.check() / json-logic-engine end to end (24 rules), {s}: careprompt on {what}",
               fr(r), "< 1×", None if r is None else r < 1, f"{fmt(wv.get(k))} vs {fmt(jle)}")

w("## Targets")
w("")
w("| target | measured | goal | | detail |")
w("| --- | --- | --- | --- | --- |")
for t in targets:
    w("| " + " | ".join(t) + " |")
w("")


def table(title, group, benches, ref, note=""):
    w(f"## {title}")
    w("")
    if note:
        w(note)
        w("")
    w("| | " + " | ".join(SIZES) + " | " + " | ".join(f"÷ {ref} ({s})" for s in SIZES) + " |")
    w("| --- " * (1 + 2 * len(SIZES)) + "|")
    for b in benches:
        vals = [m(f"{group}/{b}/{s}") for s in SIZES]
        refs = [m(f"{group}/{ref}/{s}") for s in SIZES]
        w(f"| {b} | " + " | ".join(fmt(v) for v in vals) + " | "
          + " | ".join(fr(ratio(v, r)) for v, r in zip(vals, refs)) + " |")
    w("")


w("## Compile")
w("")
w("| | median |")
w("| --- | --- |")
for b in ["careprompt_pack", "careprompt_pack-new-texts", "careprompt_subset", "datalogic-rs_subset", "zen-expression_subset", "cel_subset"]:
    w(f"| {b.replace('_', ' ')} | {fmt(m('compile/' + b))} |")
w("")
table("Ingest (plan bytes to each engine's parsed form)", "ingest",
      ["careprompt", "IgnoredAny", "serde_json-Value", "datalogic-rs", "zen-expression", "cel"], "IgnoredAny")
table("Eval, whole pack (parsed plan in, outcomes out)", "eval-pack", ["careprompt", "floor"], "floor")
table("Eval, 24-rule subset (parsed plan in, outcomes out)", "eval-subset",
      ["careprompt", "floor", "datalogic-rs", "zen-expression", "cel"], "careprompt")
table("End to end (plan bytes in)", "e2e",
      ["careprompt-outcomes", "careprompt-subset-outcomes", "careprompt-report", "careprompt-report-json",
       "IgnoredAny", "serde_json-Value", "floor-pack", "datalogic-rs", "zen-expression", "cel"], "IgnoredAny",
      "careprompt-outcomes/-report: the whole pack; floor-pack: serde_json::Value plus the hand-written pack; "
      "the peers (datalogic-rs, zen-expression, cel): parse plus the 24-rule subset.")

w("## Batch (CLI, NDJSON reports to /dev/null)")
w("")
w("| threads | wall time (median of 3) | plans/s | peak RSS |")
w("| --- | --- | --- | --- |")
if s1core:
    w(f"| 1, pinned to one core | {s1core:.2f} s | {plans / s1core:,.0f} | – |")
for t in ("1", "2"):
    secs, rss = batch[t]
    w(f"| {t} | {'–' if secs is None else f'{secs:.2f} s'} | "
      f"{'–' if not secs else f'{plans / secs:,.0f}'} | {'–' if rss is None else f'{rss:.0f} MB'} |")
w("")

if node:
    w(f"## WebAssembly and JavaScript (Node {node.get('node', '?')})")
    w("")
    w("Correctness: " + json.dumps(node.get("checks", {})))
    w("")
    keys = ["api-check-string", "api-check-bytes", "api-subset-string", "api-report-string", "api-json-string",
            "raw-compact-string", "raw-check-string", "raw-check-bytes", "JSON.parse"]
    jk = ["json-logic-js eval", "json-logic-engine eval", "json-logic-js e2e", "json-logic-engine e2e"]
    w("| | " + " | ".join(SIZES) + " |")
    w("| --- " * (1 + len(SIZES)) + "|")
    w("| native outcomes (same run) | " + " | ".join(fmt(node.get("native", {}).get(s, {}).get("outcomes")) for s in SIZES) + " |")
    w("| native report JSON (same run) | " + " | ".join(fmt(node.get("native", {}).get(s, {}).get("report-json")) for s in SIZES) + " |")
    for k in keys:
        w(f"| wasm {k} | " + " | ".join(fmt(node.get("wasm", {}).get(s, {}).get(k)) for s in SIZES) + " |")
    for k in jk:
        w(f"| {k} (24 rules) | " + " | ".join(fmt(node.get("jsonlogic", {}).get(s, {}).get(k)) for s in SIZES) + " |")
    w("")
    w("api-check: `rules.check()` and its `outcomes` read (all the pack's rules; api-subset: the 24 rules "
      "the JavaScript engines run); api-report: `rules.check().report` (the report object); api-json: "
      "`rules.check().json` (the report's JSON text); raw-compact: the handle's `checkCompactText` (what "
      "`report` asks the engine for); raw-check: the handle's `checkText`/`checkBytes` (report JSON text out).")
    w("")

with open(os.path.join(OUT, "summary.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
