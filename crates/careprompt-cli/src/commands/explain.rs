//! `careprompt explain`: how one rule was decided on one plan.

use std::path::PathBuf;

use careprompt::CheckOptions;

use crate::args::{as_of_date, Format};
use crate::console::{emit, eprint_error, load_rules, located};
use crate::exit::Exit;
use crate::rules;

pub fn run(
    rule: &str,
    rule_paths: &[PathBuf],
    as_of: Option<&str>,
    format: Format,
    plan: &str,
) -> Exit {
    let as_of = match as_of_date(as_of) {
        Ok(d) => d,
        Err(m) => {
            eprint_error(&m);
            return Exit::Error;
        }
    };
    let rules = match load_rules(rule_paths, &[]) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bytes = if plan == "-" {
        let mut b = Vec::new();
        let limit = careprompt::MAX_PLAN_BYTES as u64 + 1;
        let stdin = std::io::stdin().lock();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::Read::take(stdin, limit), &mut b) {
            eprint_error(&format!("<stdin>: {}", rules::short_io(&e)));
            return Exit::Error;
        }
        if b.len() > careprompt::MAX_PLAN_BYTES {
            eprint_error(&format!(
                "<stdin>: the plan is larger than {} bytes, the limit",
                careprompt::MAX_PLAN_BYTES
            ));
            return Exit::Error;
        }
        b
    } else {
        match rules::read_limited(std::path::Path::new(plan), careprompt::MAX_PLAN_BYTES) {
            Ok(b) => b,
            Err(e) => {
                eprint_error(&format!("{plan}: {e}"));
                return Exit::Error;
            }
        }
    };
    match rules.explain(rule, &bytes, &CheckOptions::new(as_of)) {
        Ok(x) => {
            if format == Format::Json {
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&x).unwrap_or_default()
                ));
            } else {
                emit(&x.render());
            }
            Exit::Ok
        }
        Err(careprompt::explain::ExplainError::Plan(e)) => {
            eprint_error(&located(plan, &careprompt::host::plan_error_text(&e)));
            Exit::Error
        }
        Err(e) => {
            eprint_error(&e.to_string());
            Exit::Error
        }
    }
}
