//! careprompt side by side with datalogic-rs, zen-expression and cel, and
//! with the two floors. Run through `scripts/bench.sh`, which also runs the
//! batch and WebAssembly parts and writes `target/bench/summary.md`.
//!
//! Every timed call works on one plan; successive calls rotate through
//! [`PLANS`] different generated plans of the group's size, so that no
//! engine is timed on a single document its branch predictor has learnt.
//! The correctness gate runs first: the benchmark refuses to time engines
//! that disagree with careprompt.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Duration;

use careprompt::RuleSet;
use careprompt_bench::peers::{self, Cel, Datalogic, Zen};
use careprompt_bench::{floor, gate, gen, Cutoffs};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use serde::de::IgnoredAny;

/// Plans per size that the timed calls rotate through.
const PLANS: u64 = 16;

struct Fixture {
    pack: RuleSet,
    subset: RuleSet,
    cutoffs: Cutoffs,
    rules: Vec<peers::PeerRule>,
    dl: Datalogic,
    zen: Zen,
    cel: Cel,
    /// (size label, plans as bytes)
    sizes: Vec<(&'static str, Vec<Vec<u8>>)>,
}

fn fixture() -> Fixture {
    let report = gate::run(0..40, &[2_000, 5_000, 10_000])
        .unwrap_or_else(|e| panic!("correctness gate failed: {e}"));
    eprintln!(
        "correctness gate: {} plans, every engine agrees with careprompt",
        report.plans
    );
    let cutoffs = Cutoffs::new(careprompt_bench::as_of());
    let rules = peers::rules(&cutoffs);
    Fixture {
        pack: RuleSet::builtin().unwrap(),
        subset: careprompt_bench::careprompt_subset().unwrap(),
        dl: Datalogic::compile(&rules).unwrap(),
        zen: Zen::compile(&rules).unwrap(),
        cel: Cel::compile(&rules).unwrap(),
        rules,
        cutoffs,
        sizes: gen::SIZES
            .iter()
            .map(|(label, size)| {
                (
                    *label,
                    (0..PLANS)
                        .map(|seed| gen::plan(1_000 + seed, *size))
                        .collect(),
                )
            })
            .collect(),
    }
}

/// Calls `f` on the next of `items` each time.
fn rotate<'a, T, R>(items: &'a [T], mut f: impl FnMut(&'a T) -> R + 'a) -> impl FnMut() -> R + 'a {
    let mut i = 0;
    move || {
        i = (i + 1) % items.len();
        f(&items[i])
    }
}

fn compile(c: &mut Criterion, fx: &Fixture) {
    let mut g = c.benchmark_group("compile");
    let pack_sources = careprompt::builtin_sources();
    let subset_sources = careprompt_bench::pack_subset_sources(careprompt_bench::SUBSET);
    g.bench_function("careprompt/pack", |b| {
        b.iter(|| RuleSet::compile(black_box(&pack_sources)).unwrap())
    });
    // Texts never compiled before in the process, so nothing comes from
    // the parse cache: every file's text gets a comment of its own.
    let mut round = 0u64;
    g.bench_function("careprompt/pack-new-texts", |b| {
        b.iter_batched(
            || {
                round += 1;
                pack_sources
                    .iter()
                    .map(|s| {
                        careprompt::Source::new(s.name.clone(), format!("{}\n# {round}\n", s.text))
                    })
                    .collect::<Vec<_>>()
            },
            |sources| RuleSet::compile(black_box(&sources)).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("careprompt/subset", |b| {
        b.iter(|| RuleSet::compile(black_box(&subset_sources)).unwrap())
    });
    g.bench_function("datalogic-rs/subset", |b| {
        b.iter(|| Datalogic::compile(black_box(&fx.rules)).unwrap())
    });
    g.bench_function("zen-expression/subset", |b| {
        b.iter(|| Zen::compile(black_box(&fx.rules)).unwrap())
    });
    g.bench_function("cel/subset", |b| {
        b.iter(|| Cel::compile(black_box(&fx.rules)).unwrap())
    });
    g.finish();
}

fn ingest(c: &mut Criterion, fx: &Fixture) {
    let mut g = c.benchmark_group("ingest");
    for (label, plans) in &fx.sizes {
        g.bench_function(BenchmarkId::new("careprompt", label), |b| {
            b.iter(rotate(plans, |p| fx.pack.prepare(black_box(p)).unwrap()))
        });
        g.bench_function(BenchmarkId::new("serde_json-Value", label), |b| {
            b.iter(rotate(plans, |p| {
                serde_json::from_slice::<serde_json::Value>(black_box(p)).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("IgnoredAny", label), |b| {
            b.iter(rotate(plans, |p| {
                serde_json::from_slice::<IgnoredAny>(black_box(p)).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("datalogic-rs", label), |b| {
            b.iter(rotate(plans, |p| Datalogic::parse(black_box(p)).unwrap()))
        });
        g.bench_function(BenchmarkId::new("zen-expression", label), |b| {
            b.iter(rotate(plans, |p| Zen::parse(black_box(p)).unwrap()))
        });
        g.bench_function(BenchmarkId::new("cel", label), |b| {
            b.iter(rotate(plans, |p| fx.cel.parse(black_box(p)).unwrap()))
        });
    }
    g.finish();
}

fn eval(c: &mut Criterion, fx: &Fixture) {
    let options = careprompt_bench::options();
    let mut g = c.benchmark_group("eval-pack");
    for (label, plans) in &fx.sizes {
        let prepared: Vec<_> = plans.iter().map(|p| fx.pack.prepare(p).unwrap()).collect();
        let values: Vec<serde_json::Value> = plans
            .iter()
            .map(|p| serde_json::from_slice(p).unwrap())
            .collect();
        g.bench_function(BenchmarkId::new("careprompt", label), |b| {
            b.iter(rotate(&prepared, |p| black_box(p).outcomes(&options)))
        });
        g.bench_function(BenchmarkId::new("floor", label), |b| {
            b.iter(rotate(&values, |v| floor::pack(black_box(v), &fx.cutoffs)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("eval-subset");
    for (label, plans) in &fx.sizes {
        let prepared: Vec<_> = plans
            .iter()
            .map(|p| fx.subset.prepare(p).unwrap())
            .collect();
        let values: Vec<serde_json::Value> = plans
            .iter()
            .map(|p| serde_json::from_slice(p).unwrap())
            .collect();
        let dl_data: Vec<_> = plans.iter().map(|p| Datalogic::parse(p).unwrap()).collect();
        let zen_data: Vec<_> = plans.iter().map(|p| Zen::parse(p).unwrap()).collect();
        let cel_data: Vec<_> = plans.iter().map(|p| fx.cel.parse(p).unwrap()).collect();
        g.bench_function(BenchmarkId::new("careprompt", label), |b| {
            b.iter(rotate(&prepared, |p| black_box(p).outcomes(&options)))
        });
        g.bench_function(BenchmarkId::new("floor", label), |b| {
            b.iter(rotate(&values, |v| {
                floor::subset(black_box(v), &fx.cutoffs)
            }))
        });
        let mut session = fx.dl.session();
        g.bench_function(BenchmarkId::new("datalogic-rs", label), |b| {
            b.iter(rotate(&dl_data, |d| {
                fx.dl.eval(&mut session, black_box(d)).unwrap()
            }))
        });
        let mut vm = Zen::vm();
        g.bench_function(BenchmarkId::new("zen-expression", label), |b| {
            b.iter(rotate(&zen_data, |s| {
                fx.zen.eval(&mut vm, black_box(s)).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("cel", label), |b| {
            b.iter(rotate(&cel_data, |ctx| {
                fx.cel.eval(black_box(ctx)).unwrap()
            }))
        });
    }
    g.finish();
}

fn end_to_end(c: &mut Criterion, fx: &Fixture) {
    let options = careprompt_bench::options();
    let mut g = c.benchmark_group("e2e");
    for (label, plans) in &fx.sizes {
        g.bench_function(BenchmarkId::new("careprompt-report", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.pack.check_json(black_box(p), &options).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("careprompt-report-json", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.pack
                    .check_json(black_box(p), &options)
                    .unwrap()
                    .to_json()
            }))
        });
        g.bench_function(BenchmarkId::new("careprompt-outcomes", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.pack.outcomes_json(black_box(p), &options).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("careprompt-subset-outcomes", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.subset.outcomes_json(black_box(p), &options).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("IgnoredAny", label), |b| {
            b.iter(rotate(plans, |p| {
                serde_json::from_slice::<IgnoredAny>(black_box(p)).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("serde_json-Value", label), |b| {
            b.iter(rotate(plans, |p| {
                serde_json::from_slice::<serde_json::Value>(black_box(p)).unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("floor-pack", label), |b| {
            b.iter(rotate(plans, |p| {
                let v: serde_json::Value = serde_json::from_slice(black_box(p)).unwrap();
                floor::pack(&v, &fx.cutoffs)
            }))
        });
        let mut session = fx.dl.session();
        g.bench_function(BenchmarkId::new("datalogic-rs", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.dl
                    .eval(&mut session, &Datalogic::parse(black_box(p)).unwrap())
                    .unwrap()
            }))
        });
        let mut vm = Zen::vm();
        g.bench_function(BenchmarkId::new("zen-expression", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.zen
                    .eval(&mut vm, &Zen::parse(black_box(p)).unwrap())
                    .unwrap()
            }))
        });
        g.bench_function(BenchmarkId::new("cel", label), |b| {
            b.iter(rotate(plans, |p| {
                fx.cel.eval(&fx.cel.parse(black_box(p)).unwrap()).unwrap()
            }))
        });
    }
    g.finish();
}

fn all(c: &mut Criterion) {
    let fx = fixture();
    compile(c, &fx);
    ingest(c, &fx);
    eval(c, &fx);
    end_to_end(c, &fx);
}

fn config() -> Criterion {
    // Short runs: the whole suite (about 80 benchmarks) takes a few minutes.
    // CAREPROMPT_BENCH_SECS changes the measurement time.
    let secs = std::env::var("CAREPROMPT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs_f64(secs))
        .sample_size(50)
        .noise_threshold(0.03)
}

criterion_group! {
    name = benches;
    config = config();
    targets = all
}
criterion_main!(benches);
