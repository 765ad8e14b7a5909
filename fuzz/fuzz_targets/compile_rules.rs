//! Compiles arbitrary text as rules against the built-in schema; when it
//! compiles, checks two example plans with it, explains every rule and lints
//! it. `import`s are answered with the input itself, so self-imports and
//! import chains are exercised too.
#![no_main]

use std::sync::OnceLock;

use careprompt::{CheckOptions, CompileOptions, Date, Loader, RuleSet, Schema, Source};
use libfuzzer_sys::fuzz_target;

static SCHEMA: OnceLock<Option<Schema>> = OnceLock::new();

const PLANS: [&[u8]; 2] = [
    include_bytes!("../../examples/plans/ex-01-out-of-area-residential-adhd-medication.json"),
    include_bytes!("../../examples/plans/ex-07-sparse-data.json"),
];

struct Echo<'t>(&'t str);

impl Loader for Echo<'_> {
    fn load(&self, _path: &str) -> Result<String, String> {
        Ok(self.0.to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(schema) = SCHEMA.get_or_init(|| Schema::builtin().ok()).clone() else {
        return;
    };
    let loader = Echo(text);
    let options = CompileOptions {
        schema: Some(schema),
        overrides: Vec::new(),
        loader: Some(&loader),
    };
    let rules = match RuleSet::compile_with(&[Source::new("fuzz.cpr", text)], &options) {
        Ok(r) => r,
        Err(e) => {
            assert!(
                !e.diagnostics.is_empty(),
                "a compile error with no diagnostics"
            );
            let _ = e.to_string();
            return;
        }
    };
    let as_of = Date::from_ymd(2026, 11, 26).unwrap_or(Date::from_days(0));
    let check = CheckOptions::new(as_of);
    let infos = rules.rules();
    for plan in PLANS {
        let Ok(report) = rules.check_json(plan, &check) else {
            continue;
        };
        assert_eq!(report.outcomes.len(), infos.len());
        let _ = report.to_json();
        if let Ok(kinds) = rules.outcomes_json(plan, &check) {
            let from_report: Vec<_> = report.outcomes.iter().map(|o| o.outcome).collect();
            assert_eq!(
                kinds, from_report,
                "outcomes_json disagrees with check_json"
            );
        }
    }
    let report = rules.check_json(PLANS[0], &check).ok();
    for info in infos.iter().take(8) {
        if let Ok(x) = rules.explain(&info.text.id, PLANS[0], &check) {
            let _ = x.render();
            if let Some(o) = report.as_ref().and_then(|r| r.outcome(&info.text.id)) {
                assert_eq!(
                    o.outcome, x.outcome,
                    "explain disagrees with check on {}",
                    info.text.id
                );
            }
        }
    }
    let _ = careprompt::lint::lint(&rules, None);
});
