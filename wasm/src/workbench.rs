//! The browser workbench's binding (cargo feature `workbench`): the
//! analysis layer (`careprompt::analysis`) behind one handle, so the page's
//! editor gets diagnostics, completion, hover, definitions and rule tests
//! from the same code as the language server, plus what a page needs
//! beyond an editor: checking a plan against the open pack, explaining one
//! rule on one plan, and writing a rule test case from a plan and its
//! outcome.
//!
//! Kept out of the npm package's `.wasm` (its size budget): `build.sh`
//! builds a second `.wasm` with this feature for `www/vendor/workbench/`.
//! Like the rest of the crate, nothing here reads the clock, the network or
//! any storage, and plan values never appear in an error message.

use careprompt::analysis::{self, Workspace};
use careprompt::report::OutcomeKind;
use careprompt::{CheckOptions, Date, Level, RuleSet};
use serde::Serialize;
use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::CallResult;

/// The open files of one rule pack and what the engine makes of them.
#[wasm_bindgen]
pub struct Workbench {
    ws: Workspace,
}

impl Default for Workbench {
    fn default() -> Workbench {
        Workbench::new()
    }
}

/// A test case written from a plan and the outcome it gets.
#[derive(Serialize)]
struct MadeCase {
    /// The rule's outcome on the plan.
    outcome: &'static str,
    /// The paths whose absence left it unknown.
    missing: Vec<String>,
    /// The case as TOML, to append to a `.test.toml` file.
    toml: String,
}

fn error_json(kind: &str, message: String, help: &str) -> String {
    json!({ "kind": kind, "message": message, "help": help, "line": 0, "column": 0 }).to_string()
}

#[wasm_bindgen]
impl Workbench {
    /// An empty workbench, checked against the built-in case-plan schema.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Workbench {
        Workbench {
            ws: Workspace::new(),
        }
    }

    /// Answers one analysis request (`{"method", "params"}` as JSON text)
    /// with `{"result": ...}` or `{"error": "..."}`: the methods of
    /// `careprompt::analysis::json` (set_file, remove_file, diagnostics,
    /// symbols, format, completion, hover, definition, references,
    /// code_actions, run_tests).
    pub fn request(&mut self, request: &str) -> String {
        analysis::json::handle(&mut self.ws, request)
    }

    /// The names of the files held, as a JSON array, in name order.
    #[wasm_bindgen(js_name = fileNames)]
    pub fn file_names(&self) -> String {
        serde_json::to_string(&self.ws.file_names()).unwrap_or_else(|_| String::from("[]"))
    }

    /// Checks a plan (JSON text) against the open pack's rules. On success
    /// `json` is the report (as `careprompt check --format json` prints it).
    #[wasm_bindgen(js_name = checkPlan)]
    pub fn check_plan(&self, plan: &str, as_of: &str) -> CallResult {
        let (rules, as_of) = match self.ready(as_of) {
            Ok(v) => v,
            Err(e) => return CallResult::failure(e),
        };
        CallResult::from_json_result(careprompt::host::check_one(rules, plan.as_bytes(), as_of))
    }

    /// Explains rule `rule` on a plan: its outcome and the trace of its
    /// condition, part by part (as `careprompt explain --format json`).
    pub fn explain(&self, rule: &str, plan: &str, as_of: &str) -> CallResult {
        let (rules, as_of) = match self.ready(as_of) {
            Ok(v) => v,
            Err(e) => return CallResult::failure(e),
        };
        match rules.explain(rule, plan.as_bytes(), &CheckOptions::new(as_of)) {
            Ok(x) => {
                let text = x.render();
                let mut value = serde_json::to_value(&x).unwrap_or_default();
                if let Some(o) = value.as_object_mut() {
                    o.insert("text".into(), serde_json::Value::String(text));
                }
                CallResult::success(value.to_string())
            }
            Err(careprompt::explain::ExplainError::Plan(e)) => {
                CallResult::failure(careprompt::host::plan_error_json(&e))
            }
            Err(e) => CallResult::failure(error_json(
                "rule",
                e.to_string(),
                "choose a rule of the open pack",
            )),
        }
    }

    /// Writes a rule test case from a plan: checks the plan, takes rule
    /// `rule`'s outcome, and answers `{"outcome", "missing", "toml"}`
    /// where `toml` is a `[[case]]` (named `name`, with the plan inline
    /// and the date) that expects that outcome, and for `unknown` the
    /// missing paths, in the format `careprompt test` reads.
    #[wasm_bindgen(js_name = makeCase)]
    pub fn make_case(&self, rule: &str, plan: &str, as_of: &str, name: &str) -> CallResult {
        let (rules, date) = match self.ready(as_of) {
            Ok(v) => v,
            Err(e) => return CallResult::failure(e),
        };
        match case_for(rules, rule, plan, date, name) {
            Ok(made) => CallResult::success(serde_json::to_string(&made).unwrap_or_default()),
            Err(e) => CallResult::failure(e),
        }
    }
}

impl Workbench {
    /// The compiled rules and the parsed date, or the error as JSON.
    fn ready(&self, as_of: &str) -> Result<(&RuleSet, Date), String> {
        let date = careprompt::host::parse_as_of(as_of).map_err(|e| e.to_json())?;
        // The workspace compiles the items that parse; a pack with a broken
        // item is not the pack its author wrote, so nothing is checked with it.
        let broken = self
            .ws
            .file_names()
            .into_iter()
            .filter(|f| analysis::FileKind::of(f) == analysis::FileKind::Rules)
            .find(|f| {
                self.ws
                    .diagnostics(f)
                    .iter()
                    .any(|d| d.diagnostic.severity == Level::Error)
            });
        let rules = match (broken, self.ws.rule_set()) {
            (None, Some(rules)) => rules,
            (broken, _) => {
                return Err(error_json(
                    "rules",
                    match broken {
                        Some(f) => format!("the rules do not compile: `{f}` has errors"),
                        None => "the rules do not compile".into(),
                    },
                    "fix the errors listed under Problems first",
                ))
            }
        };
        Ok((rules, date))
    }
}

/// A TOML basic string: JSON's string escapes are all TOML escapes too.
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

fn case_for(
    rules: &RuleSet,
    rule: &str,
    plan: &str,
    as_of: Date,
    name: &str,
) -> Result<MadeCase, String> {
    let report = rules
        .check_json(plan.as_bytes(), &CheckOptions::new(as_of))
        .map_err(|e| careprompt::host::plan_error_json(&e))?;
    let Some(outcome) = report.outcome(rule) else {
        return Err(error_json(
            "rule",
            format!("no rule has the id `{rule}`"),
            "choose a rule of the open pack",
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(error_json(
            "argument",
            "the case has no name".into(),
            "name the case after what it shows",
        ));
    }
    let word = outcome.outcome.as_str();
    let plan_text = plan.trim();
    // A multi-line literal string keeps the plan readable; a plan holding
    // `'''` goes in a basic string instead.
    let plan_toml = if plan_text.contains("'''") {
        toml_string(plan_text)
    } else {
        format!("'''\n{plan_text}\n'''")
    };
    let mut toml = format!(
        "\n[[case]]\nname = {}\nas_of = {as_of}\nplan_json = {plan_toml}\n[case.expect]\n{} = \"{word}\"\n",
        toml_string(name),
        toml_string(rule),
    );
    let missing = if outcome.outcome == OutcomeKind::Unknown {
        outcome.missing.clone()
    } else {
        Vec::new()
    };
    if !missing.is_empty() {
        let paths: Vec<String> = missing.iter().map(|p| toml_string(p)).collect();
        toml.push_str(&format!(
            "[case.expect_missing]\n{} = [{}]\n",
            toml_string(rule),
            paths.join(", ")
        ));
    }
    Ok(MadeCase {
        outcome: word,
        missing,
        toml,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const AS_OF: &str = "2026-11-26";
    const RULES: &str = r#"rule T-01 {
  title "Virtual School involvement"
  theme "Education"
  kind practice
  severity high
  when child.looked_after and education.virtual_school.involved = false
  prompt "Consider involving the Virtual School."
}
"#;
    const FIRES: &str = r#"{"plan_id": "P-1", "child": {"looked_after": true}, "education": {"virtual_school": {"involved": false}}}"#;
    const UNKNOWN: &str = r#"{"plan_id": "P-2", "child": {"looked_after": true}}"#;

    fn call(wb: &mut Workbench, method: &str, params: Value) -> Value {
        let answer = wb.request(&json!({ "method": method, "params": params }).to_string());
        serde_json::from_str(&answer).unwrap()
    }

    fn bench_with(tests: &str) -> Workbench {
        let mut wb = Workbench::new();
        call(
            &mut wb,
            "set_file",
            json!({"file": "rules.cpr", "text": RULES}),
        );
        call(
            &mut wb,
            "set_file",
            json!({"file": "tests/rules.test.toml", "text": tests}),
        );
        wb
    }

    #[test]
    fn requests_go_to_the_analysis() {
        let mut wb = bench_with("");
        let d = call(&mut wb, "diagnostics", json!({"file": "rules.cpr"}));
        // Lint warnings (no learning point, no next steps), no errors.
        let severities: Vec<&Value> = d["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| &x["diagnostic"]["severity"])
            .collect();
        assert!(
            !severities.is_empty() && severities.iter().all(|s| *s == "warning"),
            "{d}"
        );
        call(
            &mut wb,
            "set_file",
            json!({"file": "bad.cpr", "text": "const a =\nconst b =\nconst c =\n"}),
        );
        let d = call(&mut wb, "diagnostics", json!({"file": "bad.cpr"}));
        let syntax = d["result"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["diagnostic"]["code"] == "syntax")
            .count();
        assert_eq!(syntax, 3, "{d}");
        let names: Vec<String> = serde_json::from_str(&wb.file_names()).unwrap();
        assert_eq!(names, ["bad.cpr", "rules.cpr", "tests/rules.test.toml"]);
        // While a file does not parse, checks say so rather than guess.
        let o = wb.check_plan(FIRES, AS_OF);
        assert!(!o.is_ok());
        assert_eq!(
            serde_json::from_str::<Value>(o.text()).unwrap()["kind"],
            "rules"
        );
    }

    #[test]
    fn checks_and_explains_with_the_open_rules() {
        let wb = bench_with("");
        let r = wb.check_plan(FIRES, AS_OF);
        assert!(r.is_ok(), "{}", r.text());
        let v: Value = serde_json::from_str(r.text()).unwrap();
        assert_eq!(v["outcomes"][0]["outcome"], "fires");
        let x = wb.explain("T-01", UNKNOWN, AS_OF);
        assert!(x.is_ok(), "{}", x.text());
        let v: Value = serde_json::from_str(x.text()).unwrap();
        assert_eq!(v["outcome"], "unknown");
        assert_eq!(v["trace"]["result"], "unknown");
        assert!(v["text"].as_str().unwrap().contains("is missing"), "{v}");
        let bad = wb.explain("T-1", FIRES, AS_OF);
        assert!(!bad.is_ok());
        assert!(bad.text().contains("did you mean `T-01`"), "{}", bad.text());
        let bad_date = wb.explain("T-01", FIRES, "soon");
        assert_eq!(
            serde_json::from_str::<Value>(bad_date.text()).unwrap()["kind"],
            "date"
        );
        // A plan error names a position, never a value.
        let bad_plan = wb.check_plan(r#"{"child": {"looked_after": "secret"}}"#, AS_OF);
        assert!(!bad_plan.is_ok());
        assert!(!bad_plan.text().contains("secret"), "{}", bad_plan.text());
    }

    #[test]
    fn a_case_made_from_a_plan_passes_when_the_tests_run() {
        let header = "as_of = 2026-11-26\n";
        let wb = bench_with(header);
        let mut text = header.to_string();
        for (plan, name, want) in [
            (FIRES, "fires \"quoted\" name", "fires"),
            (UNKNOWN, "unknown without the Virtual School", "unknown"),
            (
                r#"{"plan_id": "has ''' quotes", "child": {"looked_after": false}}"#,
                "clear when not looked after",
                "clear",
            ),
        ] {
            let made = wb.make_case("T-01", plan, AS_OF, name);
            assert!(made.is_ok(), "{}", made.text());
            let v: Value = serde_json::from_str(made.text()).unwrap();
            assert_eq!(v["outcome"], want);
            text.push_str(v["toml"].as_str().unwrap());
        }
        assert!(text.contains("\"T-01\" = [\"education.virtual_school.involved\"]"));
        let mut wb = bench_with(&text);
        let answer = call(&mut wb, "run_tests", Value::Null);
        let run = &answer["result"]["run"];
        let cases: Vec<(String, bool)> = run["files"][0]["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["passed"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            cases,
            [
                ("fires \"quoted\" name".to_string(), true),
                ("unknown without the Virtual School".to_string(), true),
                ("clear when not looked after".to_string(), true),
            ],
            "{text}\n{answer}"
        );
        assert_eq!(answer["result"]["rules"][0]["exercised"], true);

        // A case that would not pass is not written.
        assert!(!wb.make_case("T-02", FIRES, AS_OF, "x").is_ok());
        assert!(!wb.make_case("T-01", FIRES, AS_OF, "  ").is_ok());
        assert!(!wb.make_case("T-01", "{", AS_OF, "x").is_ok());
    }
}
