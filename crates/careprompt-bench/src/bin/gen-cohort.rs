//! Writes the benchmark's generated data (nothing of it is checked in):
//!
//! - `DIR/cohort.ndjson`: COUNT plans (default 100,000), one a line, a mix
//!   of 2, 5 and 10 KB plans (seeds 0..COUNT);
//! - `DIR/node-fixtures.json`: for the Node benchmark, the subset's
//!   JSONLogic rules, plans of each size, and careprompt's answers on them.
//!
//! Usage: gen-cohort [DIR] [COUNT]   (DIR defaults to target/bench)

use std::io::Write;

use careprompt_bench::{gen, peers, Cutoffs, SUBSET};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/bench".into()));
    let count: u64 = match args.next() {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    std::fs::create_dir_all(&dir)?;

    let path = dir.join("cohort.ndjson");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut bytes = 0usize;
    for seed in 0..count {
        let plan = gen::plan(seed, gen::cohort_size(seed));
        bytes += plan.len() + 1;
        out.write_all(&plan)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    eprintln!(
        "wrote {} ({count} plans, {:.1} MB)",
        path.display(),
        bytes as f64 / 1e6
    );

    let options = careprompt_bench::options();
    let cutoffs = Cutoffs::new(options.as_of);
    let subset = careprompt_bench::careprompt_subset()?;
    let pack = careprompt::RuleSet::builtin()?;
    let mut plans = serde_json::Map::new();
    let mut expected = serde_json::Map::new();
    let mut expected_pack = serde_json::Map::new();
    for (label, size) in gen::SIZES {
        let mut texts = Vec::new();
        let mut answers = Vec::new();
        let mut pack_answers = Vec::new();
        for seed in 0..16 {
            let plan = gen::plan(1_000 + seed, size);
            let outcomes = subset.outcomes_json(&plan, &options)?;
            answers.push(
                outcomes
                    .iter()
                    .map(|o| careprompt_bench::fires(*o))
                    .collect::<Vec<_>>(),
            );
            let pack_outcomes = pack.outcomes_json(&plan, &options)?;
            pack_answers.push(pack_outcomes.iter().map(|o| o.as_str()).collect::<Vec<_>>());
            texts.push(String::from_utf8(plan)?);
        }
        plans.insert(label.into(), json!(texts));
        expected.insert(label.into(), json!(answers));
        expected_pack.insert(label.into(), json!(pack_answers));
    }
    let fixtures = json!({
        "as_of": careprompt_bench::AS_OF,
        "cutoffs": { "as_of": cutoffs.as_of, "m3": cutoffs.m3, "m6": cutoffs.m6, "m12": cutoffs.m12, "term": cutoffs.term, "dob3": cutoffs.dob3 },
        "subset": SUBSET,
        // The subset's careprompt sources, for the package to compile in Node
        // (careprompt on the same 24 rules as the JavaScript engines).
        "subset_sources": careprompt_bench::pack_subset_sources(SUBSET).iter().map(|s| json!({ "name": s.name, "text": s.text })).collect::<Vec<_>>(),
        "jsonlogic": peers::rules(&cutoffs).iter().map(|r| json!({ "id": r.id, "logic": r.jsonlogic })).collect::<Vec<_>>(),
        "plans": plans,
        "expected_subset_fires": expected,
        "expected_pack_outcomes": expected_pack,
    });
    let path = dir.join("node-fixtures.json");
    std::fs::write(&path, serde_json::to_vec(&fixtures)?)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
