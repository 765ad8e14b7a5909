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
    // And so must the whole pack, where the floor is checked: every rule
    // fires on some plan and is clear on another.
    let pack = careprompt_bench::ids(&careprompt::RuleSet::builtin().unwrap());
    let seen: Vec<&String> = report.pack_by_rule.keys().collect();
    assert_eq!(seen.len(), pack.len(), "{seen:?}");
    for (id, (fires, clear, _)) in &report.pack_by_rule {
        assert!(*fires > 0, "{id} never fires on the generated plans");
        assert!(*clear > 0, "{id} is never clear on the generated plans");
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

/// Removes object fields at random (never `plan_id` or `child`).
fn punch_holes(v: &mut serde_json::Value, rng: &mut careprompt_bench::gen::Rng, top: bool) {
    match v {
        serde_json::Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                if !(top && (k == "plan_id" || k == "child")) && rng.chance(0.12) {
                    map.remove(&k);
                } else if let Some(child) = map.get_mut(&k) {
                    punch_holes(child, rng, false);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                punch_holes(item, rng, false);
            }
        }
        _ => {}
    }
}

#[test]
fn the_floor_is_three_valued_like_careprompt_on_plans_with_gaps() {
    use careprompt::OutcomeKind;
    let rules = careprompt::RuleSet::builtin().unwrap();
    let ids = careprompt_bench::ids(&rules);
    let options = careprompt_bench::options();
    let cutoffs = careprompt_bench::Cutoffs::new(options.as_of);
    let mut unknowns = 0;
    for seed in 0..300 {
        let mut plan = careprompt_bench::gen::plan_value(seed, 5_000);
        let mut rng = careprompt_bench::gen::Rng::new(seed + 1_000_000);
        punch_holes(&mut plan, &mut rng, true);
        let bytes = serde_json::to_vec(&plan).unwrap();
        let want = rules.outcomes_json(&bytes, &options).unwrap();
        let got = careprompt_bench::floor::pack(&plan, &cutoffs);
        for ((id, _), g) in careprompt_bench::floor::PACK.iter().zip(&got) {
            let i = ids.iter().position(|x| x == id).unwrap();
            assert_eq!(Some(g), want.get(i), "seed {seed}: {id}");
        }
        unknowns += want.iter().filter(|o| **o == OutcomeKind::Unknown).count();
    }
    assert!(
        unknowns > 300,
        "only {unknowns} unknown outcomes: the gaps exercise too little"
    );
}
