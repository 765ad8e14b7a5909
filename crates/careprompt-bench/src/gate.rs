//! The correctness gate, shared by the crate's test and the benchmark (which
//! runs it before timing anything): on generated plans, each peer engine
//! gives careprompt's fires / does-not-fire answer for every rule of
//! [`crate::SUBSET`], and the hand-written floor gives careprompt's
//! three-valued outcome for every rule of the pack.

use std::collections::BTreeMap;

use careprompt::{OutcomeKind, RuleSet};

use crate::peers::{self, Cel, Datalogic, Zen};
use crate::{floor, gen, Cutoffs, SUBSET};

/// What the gate saw.
#[derive(Debug, Default)]
pub struct GateReport {
    /// Plans checked.
    pub plans: usize,
    /// For each subset rule, on how many plans it fired.
    pub fired: BTreeMap<String, usize>,
    /// Outcomes of the whole pack over all plans: (fires, clear, unknown).
    pub pack_outcomes: (usize, usize, usize),
    /// For each rule of the pack, its outcomes over all plans: (fires, clear, unknown).
    pub pack_by_rule: BTreeMap<String, (usize, usize, usize)>,
}

/// Runs the gate on the plans of `seeds` at each of `sizes`.
pub fn run(seeds: std::ops::Range<u64>, sizes: &[usize]) -> Result<GateReport, String> {
    let pack = RuleSet::builtin().map_err(|e| e.to_string())?;
    let subset = crate::careprompt_subset().map_err(|e| e.to_string())?;
    let subset_ids = crate::ids(&subset);
    if subset_ids != SUBSET {
        return Err(format!(
            "the careprompt subset has rules {subset_ids:?}, not {SUBSET:?}"
        ));
    }
    let pack_ids = crate::ids(&pack);
    let options = crate::options();
    let cutoffs = Cutoffs::new(options.as_of);
    let rules = peers::rules(&cutoffs);
    let peer_ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
    if peer_ids != SUBSET {
        return Err(format!("the peer rules are {peer_ids:?}, not {SUBSET:?}"));
    }
    let dl = Datalogic::compile(&rules)?;
    let zen = Zen::compile(&rules)?;
    let cel = Cel::compile(&rules)?;
    let mut session = dl.session();
    let mut vm = Zen::vm();
    let mut report = GateReport::default();
    for size in sizes {
        for seed in seeds.clone() {
            let bytes = gen::plan(seed, *size);
            let at = format!("plan seed {seed} size {size}");
            let expected = pack
                .outcomes_json(&bytes, &options)
                .map_err(|e| format!("{at}: {e}"))?;
            // The floor, on the whole pack.
            let value: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
            let floor_out = floor::pack(&value, &cutoffs);
            for ((id, _), got) in floor::PACK.iter().zip(&floor_out) {
                let i = pack_ids
                    .iter()
                    .position(|p| p == id)
                    .ok_or_else(|| format!("{id} is not in the pack"))?;
                let want = expected.get(i).copied();
                if want != Some(*got) {
                    return Err(format!(
                        "{at}: floor says {got:?} for {id}, careprompt {want:?}"
                    ));
                }
            }
            if floor_out.len() != pack_ids.len() {
                return Err(format!(
                    "the floor has {} rules, the pack {}",
                    floor_out.len(),
                    pack_ids.len()
                ));
            }
            for (id, o) in pack_ids.iter().zip(&expected) {
                let by_rule = report.pack_by_rule.entry(id.clone()).or_default();
                match o {
                    OutcomeKind::Fires => {
                        report.pack_outcomes.0 += 1;
                        by_rule.0 += 1;
                    }
                    OutcomeKind::Clear => {
                        report.pack_outcomes.1 += 1;
                        by_rule.1 += 1;
                    }
                    OutcomeKind::Unknown => {
                        report.pack_outcomes.2 += 1;
                        by_rule.2 += 1;
                    }
                }
            }
            // The subset: careprompt's subset rule set agrees with the pack, and every peer with both.
            let sub = subset
                .outcomes_json(&bytes, &options)
                .map_err(|e| format!("{at}: {e}"))?;
            let want: Vec<bool> = sub.iter().map(|o| crate::fires(*o)).collect();
            for (k, id) in SUBSET.iter().enumerate() {
                let i = pack_ids
                    .iter()
                    .position(|p| p == id)
                    .ok_or_else(|| format!("{id} is not in the pack"))?;
                if expected.get(i) != sub.get(k) {
                    return Err(format!(
                        "{at}: {id} is {:?} in the pack, {:?} in the subset",
                        expected.get(i),
                        sub.get(k)
                    ));
                }
                if want.get(k) == Some(&true) {
                    *report.fired.entry((*id).to_string()).or_default() += 1;
                } else {
                    report.fired.entry((*id).to_string()).or_default();
                }
            }
            let data = Datalogic::parse(&bytes)?;
            let scope = Zen::parse(&bytes)?;
            let ctx = cel.parse(&bytes)?;
            let answers = [
                ("floor", floor::subset(&value, &cutoffs)),
                (
                    "datalogic-rs",
                    dl.eval(&mut session, &data)
                        .map_err(|e| format!("{at}: datalogic-rs: {e}"))?,
                ),
                (
                    "zen-expression",
                    zen.eval(&mut vm, &scope)
                        .map_err(|e| format!("{at}: zen-expression: {e}"))?,
                ),
                (
                    "cel",
                    cel.eval(&ctx).map_err(|e| format!("{at}: cel: {e}"))?,
                ),
            ];
            for (engine, got) in answers {
                for (k, id) in SUBSET.iter().enumerate() {
                    if got.get(k) != want.get(k) {
                        return Err(format!(
                            "{at}: {engine} says fires={:?} for {id}, careprompt {:?} ({:?})",
                            got.get(k),
                            want.get(k),
                            sub.get(k)
                        ));
                    }
                }
            }
            report.plans += 1;
        }
    }
    Ok(report)
}
