//! Imports arbitrary bytes as a CIN census XML file. The import must give
//! plans and a log, or an error, never panic; and every plan it writes must
//! be one the engine accepts. fuzz/run-ci.sh gives it inputs up to 1 MiB,
//! enough to nest elements tens of thousands deep (the parser recurses per
//! level; the importer checks the depth first).
#![no_main]

use std::sync::OnceLock;

use careprompt::{CheckOptions, Date, RuleSet};
use careprompt_import::cin;
use libfuzzer_sys::fuzz_target;

static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
static FILE: OnceLock<std::path::PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some(rules) = RULES.get_or_init(|| RuleSet::builtin().ok()) else {
        return;
    };
    let file = FILE.get_or_init(|| {
        std::env::temp_dir().join(format!("careprompt-fuzz-cin-{}.xml", std::process::id()))
    });
    if std::fs::write(file, data).is_err() {
        return;
    }
    let options = cin::Options {
        la_code: Some("201".into()),
        max_input_bytes: None,
        as_of: None,
    };
    let Ok(import) = cin::import_file(file, &options) else {
        return;
    };
    let _ = import.log.to_json();
    let check = CheckOptions::new(Date::from_ymd(2026, 3, 31).unwrap_or(Date::from_days(0)));
    for plan in import.plans.values() {
        let json = plan.to_json();
        if let Err(e) = rules.check_json(json.as_bytes(), &check) {
            panic!("the importer wrote a plan the engine refuses: {e}\n{json}");
        }
    }
});
