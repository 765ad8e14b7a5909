//! Runs one benchmarked operation in a loop, for profilers (perf, callgrind)
//! and for timing native careprompt from another harness (the Node benchmark):
//!
//!     bench-loop OP SIZE [ITERATIONS] [MILLIS]
//!
//! OP is compile, compile-new (texts never compiled before), extract,
//! outcomes, eval, report, report-json, value or ignored; SIZE is the plan size in bytes (2000, 5000, 10000). With
//! ITERATIONS > 0 it runs that many calls and prints the mean to stderr;
//! with ITERATIONS = 0 it warms up, times batches for MILLIS milliseconds
//! (default 1500) and prints `{"us_per_call": MEDIAN}` to stdout, measured
//! the same way as wasm/bench/bench.mjs measures the WebAssembly package.

use std::hint::black_box;
use std::time::{Duration, Instant};

use careprompt::RuleSet;
use careprompt_bench::gen;

type Op<'a> = Box<dyn FnMut(usize) -> Result<usize, Box<dyn std::error::Error>> + 'a>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "outcomes".into());
    let size: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5_000);
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let millis: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_500);
    let rules = RuleSet::builtin()?;
    let options = careprompt_bench::options();
    let plans: Vec<Vec<u8>> = (0..16).map(|s| gen::plan(1_000 + s, size)).collect();
    let prepared: Vec<_> = plans
        .iter()
        .map(|p| rules.prepare(p))
        .collect::<Result<_, _>>()?;
    let sources = careprompt::builtin_sources();
    let plan = |i: usize| {
        plans
            .get(i % plans.len())
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    let mut f: Op = match op.as_str() {
        "compile" => Box::new(|_| Ok(RuleSet::compile(black_box(&sources))?.source_names().len())),
        // Texts not compiled before (nothing from the parse cache).
        "compile-new" => Box::new(|i| {
            let fresh: Vec<_> = sources
                .iter()
                .map(|s| careprompt::Source::new(s.name.clone(), format!("{}\n# {i}\n", s.text)))
                .collect();
            Ok(RuleSet::compile(black_box(&fresh))?.source_names().len())
        }),
        "extract" => Box::new(|i| Ok(rules.prepare(black_box(plan(i)))?.warnings().len())),
        "outcomes" => Box::new(|i| Ok(rules.outcomes_json(black_box(plan(i)), &options)?.len())),
        "eval" => Box::new(|i| {
            Ok(prepared
                .get(i % prepared.len())
                .map(|p| p.outcomes(&options).len())
                .unwrap_or_default())
        }),
        "report" => Box::new(|i| {
            Ok(rules
                .check_json(black_box(plan(i)), &options)?
                .outcomes
                .len())
        }),
        "report-json" => Box::new(|i| {
            Ok(rules
                .check_json(black_box(plan(i)), &options)?
                .to_json()
                .len())
        }),
        "value" => Box::new(|i| {
            Ok(
                serde_json::from_slice::<serde_json::Value>(black_box(plan(i)))?
                    .as_object()
                    .map(|o| o.len())
                    .unwrap_or_default(),
            )
        }),
        "ignored" => Box::new(|i| {
            serde_json::from_slice::<serde::de::IgnoredAny>(black_box(plan(i)))?;
            Ok(1)
        }),
        other => return Err(format!("unknown op {other}").into()),
    };
    let mut sink = 0usize;
    if n > 0 {
        let start = Instant::now();
        for i in 0..n {
            sink += f(i)?;
        }
        let per = start.elapsed().as_secs_f64() / n as f64;
        eprintln!("{op} {size}: {:.2} us per call ({sink})", per * 1e6);
        return Ok(());
    }
    // Warm up a quarter of the time, then median of batches of at least ~2 ms.
    let mut i = 0usize;
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(millis / 4) {
        sink += f(i)?;
        i += 1;
    }
    let mut batches = Vec::new();
    let mut batch = 1usize;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(millis) {
        let t0 = Instant::now();
        for _ in 0..batch {
            sink += f(i)?;
            i += 1;
        }
        let dt = t0.elapsed().as_secs_f64() * 1e6;
        batches.push(dt / batch as f64);
        if dt < 2000.0 {
            batch *= 2;
        }
    }
    batches.sort_by(f64::total_cmp);
    let median = batches.get(batches.len() / 2).copied().unwrap_or_default();
    black_box(sink);
    println!("{{\"us_per_call\": {median:.4}}}");
    Ok(())
}
