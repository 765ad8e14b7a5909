//! The correctness gate: on every generated plan, every peer engine and the
//! hand-written floor give careprompt's answers (fires / does not fire for
//! the peers on the subset; fires / clear / unknown for the floor on the
//! whole pack). The benchmark runs the same gate before it times anything.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use careprompt_bench::gate;

#[test]
fn every_engine_agrees_with_careprompt_on_generated_plans() {
    let report = gate::run(0..120, &[2_000, 5_000, 10_000]).unwrap_or_else(|e| panic!("{e}"));
    // The plans must exercise the rules: each subset rule fires on some plan and not on others.
    for (id, fired) in &report.fired {
        assert!(*fired > 0, "{id} never fires on the generated plans");
        assert!(*fired < report.plans, "{id} fires on every generated plan");
    }
}

#[test]
fn generated_plans_are_deterministic_sized_and_valid() {
    let rules = careprompt::RuleSet::builtin().unwrap();
    for (_, size) in careprompt_bench::gen::SIZES {
        for seed in 0..20 {
            let a = careprompt_bench::gen::plan(seed, size);
            assert_eq!(a, careprompt_bench::gen::plan(seed, size));
            assert!(
                a.len() >= size && a.len() < size + 700,
                "{} bytes for {size}",
                a.len()
            );
            let report = rules.check_json(&a, &careprompt_bench::options()).unwrap();
            assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        }
    }
}
