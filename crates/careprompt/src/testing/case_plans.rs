//! The plans a rule test file builds, one per case, without checking them:
//! for hosts that want to check the same plans another way (the Python
//! package's parity tests against the CLI use them).

use super::{build_plan, toml_date, TestFile};
use crate::Date;

/// One case's plan and evaluation date.
#[derive(Clone, Debug, PartialEq)]
pub struct CasePlan {
    /// The case's name.
    pub name: String,
    /// The evaluation date the case is checked at.
    pub as_of: Date,
    /// The plan, as compact JSON.
    pub plan: String,
}

/// The plans of the cases in the test file `name` holding `text`; `read`
/// returns the text of a file the test refers to (a base plan or a plan),
/// by its path resolved against the test file. The error is the first
/// problem found, as `careprompt test` would report it.
pub fn case_plans(
    name: &str,
    text: &str,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Vec<CasePlan>, String> {
    let parsed: TestFile = toml::from_str(text)
        .map_err(|e| format!("{name}: {}", e.message().trim().to_lowercase()))?;
    let file_as_of = match parsed.as_of.as_ref().map(toml_date) {
        Some(None) => return Err(format!("{name}: `as_of` is not a date")),
        other => other.flatten(),
    };
    let base = parsed.base.as_ref().map(|b| {
        let path = crate::resolve_import(name, b);
        read(&path).and_then(|t| {
            serde_json::from_str::<serde_json::Value>(&t)
                .map_err(|e| format!("base plan `{b}` is not valid JSON: {e}"))
        })
    });
    let mut out = Vec::new();
    for case in &parsed.case {
        let as_of = case
            .as_of
            .as_ref()
            .and_then(toml_date)
            .or(file_as_of)
            .ok_or_else(|| format!("{name}: case `{}` has no evaluation date", case.name))?;
        let plan = build_plan(case, base.as_ref(), name, read)
            .map_err(|e| format!("{name}: case `{}`: {e}", case.name))?;
        out.push(CasePlan {
            name: case.name.clone(),
            as_of,
            plan: plan.to_string(),
        });
    }
    Ok(out)
}
