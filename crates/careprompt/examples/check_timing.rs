//! Times `RuleSet::check_json` on every plan of an NDJSON file with the
//! built-in pack: the native figure the Python benchmark
//! (crates/careprompt-py/bench/bench.py) compares with.
//!
//! `cargo run --release -p careprompt --example check_timing -- PLANS.ndjson 2026-11-26 [ROUNDS]`
//! prints `native: <ns> ns per plan over <n> plans` (the best of ROUNDS passes).

use std::time::Instant;

use careprompt::{CheckOptions, Date, RuleSet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(as_of)) = (args.next(), args.next()) else {
        return Err("usage: check_timing PLANS.ndjson YYYY-MM-DD [ROUNDS]".into());
    };
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let text = std::fs::read(&path)?;
    let plans: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .collect();
    let rules = RuleSet::builtin()?;
    let options = CheckOptions::new(Date::parse(&as_of)?);
    let mut best = f64::INFINITY;
    let mut fired = 0usize;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for p in &plans {
            if let Ok(r) = rules.check_json(p, &options) {
                fired += r.summary.fires;
            }
        }
        let ns = start.elapsed().as_nanos() as f64 / plans.len().max(1) as f64;
        best = best.min(ns);
    }
    println!(
        "native: {best:.0} ns per plan over {} plans ({fired} prompts)",
        plans.len()
    );
    Ok(())
}
