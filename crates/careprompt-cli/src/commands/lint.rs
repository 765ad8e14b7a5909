//! `careprompt lint`: compile rules and warn about likely mistakes.

use std::path::PathBuf;

use crate::args::Format;
use crate::console::{emit, load_rules, print_diagnostic};
use crate::exit::Exit;
use crate::rules;

pub fn run(paths: &[PathBuf], format: Format) -> Exit {
    let rules = match load_rules(paths, &[]) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // Tests next to the rules count towards "has a test".
    let mut tested = std::collections::BTreeSet::new();
    for p in paths {
        let dir = if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(PathBuf::from).unwrap_or_default()
        };
        for f in rules::files_under(
            &dir,
            &|n| rules::name_has_extension(n, &["test.toml"]),
            false,
        ) {
            if let Ok(t) = rules::read_text_limited(&f, careprompt::MAX_RULES_BYTES) {
                for id in careprompt::lint::expected_rule_ids(&t) {
                    tested.insert(id);
                }
            }
        }
    }
    // A pack built on the built-in pack is tested by the built-in tests too.
    if paths.is_empty() || matches!(paths, [one] if crate::packs::is_pack(one)) {
        for (name, text) in careprompt::builtin_tests() {
            if name.ends_with(".test.toml") {
                tested.extend(careprompt::lint::expected_rule_ids(text));
            }
        }
    }
    let warnings = careprompt::lint::lint(&rules, Some(&tested));
    if format == Format::Json {
        emit(&format!(
            "{}\n",
            serde_json::json!({ "diagnostics": warnings })
        ));
    } else {
        for w in &warnings {
            print_diagnostic(w);
        }
        emit(&format!(
            "{} rule(s) checked, {} warning(s)\n",
            rules.rules().len(),
            warnings.len()
        ));
    }
    Exit::Ok
}
