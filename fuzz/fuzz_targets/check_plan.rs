//! Checks arbitrary bytes as a case plan against the built-in pack. It must
//! give a report or a plan error, never panic; the three ways in (plan
//! bytes, a parsed `serde_json::Value`, outcomes only) must agree; and the
//! plan reader must find exactly the JSON syntax errors serde_json finds.
#![no_main]

use std::sync::OnceLock;

use careprompt::{CheckOptions, Date, PlanErrorKind, RuleSet};
use libfuzzer_sys::fuzz_target;

static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some(rules) = RULES.get_or_init(|| RuleSet::builtin().ok()) else {
        return;
    };
    let as_of = Date::from_ymd(2026, 11, 26).unwrap_or(Date::from_days(0));
    let options = CheckOptions::new(as_of);
    let from_bytes = rules.check_json(data, &options);
    match &from_bytes {
        Ok(report) => {
            let json = report.to_json();
            assert!(
                serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                "a report that is not JSON"
            );
            let s = &report.summary;
            assert_eq!(s.fires + s.clear + s.unknown, report.outcomes.len());
            let kinds = rules.outcomes_json(data, &options);
            let from_report: Vec<_> = report.outcomes.iter().map(|o| o.outcome).collect();
            assert_eq!(
                kinds.ok(),
                Some(from_report),
                "outcomes_json disagrees with check_json"
            );
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            let _ = e.to_json();
            assert!(
                rules.outcomes_json(data, &options).is_err(),
                "outcomes_json accepts what check_json refuses"
            );
        }
    }
    // careprompt's plan reader against serde_json on what is JSON. serde_json
    // skips text it does not keep without checking its UTF-8 and, past 128
    // levels, both stop; schema problems stop careprompt before a later
    // syntax error, so only its verdicts of "well-formed" and "malformed" are
    // compared.
    if std::str::from_utf8(data).is_ok() {
        let serde_ok = serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok();
        match &from_bytes {
            Ok(_) => assert!(serde_ok, "accepted text serde_json refuses"),
            Err(e) if e.kind == PlanErrorKind::Syntax => {
                assert!(!serde_ok, "refused text serde_json reads: {e:?}")
            }
            Err(_) => {}
        }
    }
    // The same plan parsed first: when both ways accept it, the reports match.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let (Ok(a), Ok(b)) = (&from_bytes, rules.check_value(&value, &options)) {
            assert_eq!(
                a.to_json(),
                b.to_json(),
                "check_value disagrees with check_json"
            );
        }
    }
});
