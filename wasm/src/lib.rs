//! careprompt for JavaScript: the rules engine compiled to WebAssembly.
//!
//! This crate holds only the wasm-bindgen bindings over the `careprompt`
//! library: what a binding shares with every other (batches, the forms of
//! errors, sources given as JSON, rule tests over files in memory) is the
//! library's host layer, `careprompt::host`. Everything crosses the
//! boundary as strings, bytes and small handles, and everything that can go
//! wrong comes back as data (JSON with an `ok` flag), never as a thrown
//! string: the JavaScript wrapper in `wasm/pkg-src` turns it into objects
//! and TypeScript types.
//!
//! Nothing here reads the clock, the network or any storage: the evaluation
//! date is always an argument, and plans never leave the function that
//! checks them.
#![forbid(unsafe_code)]

use careprompt::host::{self, BatchFormat, HostError};
use careprompt::{CheckOptions, Date, RuleSet};
use serde::Serialize;
use wasm_bindgen::prelude::*;

// `test` too: the workspace's `cargo test` and clippy then cover it.
#[cfg(any(feature = "workbench", test))]
mod workbench;

/// The result of a call: whether it worked and its JSON. On success `json`
/// is the call's output (for a check, exactly the CLI's `--format json`
/// report); on failure it is an error object or a diagnostics list.
#[wasm_bindgen(js_name = CallResult)]
#[derive(Debug, Clone)]
pub struct CallResult {
    ok: bool,
    json: String,
}

#[wasm_bindgen(js_class = CallResult)]
impl CallResult {
    /// Whether the call succeeded.
    #[wasm_bindgen(getter)]
    pub fn ok(&self) -> bool {
        self.ok
    }

    /// The JSON text of the result or of the error.
    #[wasm_bindgen(getter)]
    pub fn json(&self) -> String {
        self.json.clone()
    }
}

impl CallResult {
    fn success(json: String) -> CallResult {
        CallResult { ok: true, json }
    }

    fn failure(json: String) -> CallResult {
        CallResult { ok: false, json }
    }

    fn host_error(e: &HostError) -> CallResult {
        CallResult::failure(e.to_json())
    }

    /// A call's result from the host layer's answer: the JSON it succeeded
    /// with, or the error's JSON (as `careprompt::host::check_one` gives).
    fn from_json_result(result: Result<String, String>) -> CallResult {
        match result {
            Ok(json) => CallResult::success(json),
            Err(json) => CallResult::failure(json),
        }
    }

    /// Whether the call succeeded (for Rust callers and tests).
    pub fn is_ok(&self) -> bool {
        self.ok
    }

    /// The JSON text (for Rust callers and tests).
    pub fn text(&self) -> &str {
        &self.json
    }
}

/// The library version (`careprompt 0.1.0` has version `0.1.0`).
#[wasm_bindgen]
pub fn version() -> String {
    careprompt::VERSION.to_string()
}

/// The case-plan JSON Schema, as text.
#[wasm_bindgen(js_name = casePlanSchema)]
pub fn case_plan_schema() -> String {
    careprompt::case_plan_schema().to_string()
}

/// The built-in pack's rule tests and their fixtures: `[{"name", "text"}, ...]`
/// (tests end in `.toml`; the rest are fixtures they refer to).
#[wasm_bindgen(js_name = builtinTests)]
pub fn builtin_tests() -> String {
    host::sources_json(careprompt::builtin_tests().iter().map(|(n, t)| (*n, *t)))
}

/// The built-in rule pack's files: `[{"name": ..., "text": ...}, ...]`.
#[wasm_bindgen(js_name = builtinSources)]
pub fn builtin_sources() -> String {
    let sources = careprompt::builtin_sources();
    host::sources_json(sources.iter().map(|s| (s.name.as_str(), s.text.as_str())))
}

/// Formats one rules file. On success `json` is `{"text": ...}`; on failure
/// it is the diagnostics (`{"diagnostics": [...]}`).
#[wasm_bindgen(js_name = formatRules)]
pub fn format_rules(name: &str, text: &str) -> CallResult {
    #[derive(Serialize)]
    struct Formatted<'a> {
        text: &'a str,
    }
    match careprompt::format_source(name, text) {
        Ok(formatted) => CallResult::success(
            serde_json::to_string(&Formatted { text: &formatted }).unwrap_or_default(),
        ),
        Err(e) => CallResult::failure(host::compile_error_json(&e)),
    }
}

/// A compiled rule set. Compile once, check many plans.
#[wasm_bindgen]
pub struct Rules {
    rules: RuleSet,
}

/// The result of compiling: a [`Rules`] handle, or the diagnostics.
#[wasm_bindgen]
pub struct Compiled {
    ok: bool,
    rules: Option<RuleSet>,
    diagnostics: String,
}

#[wasm_bindgen]
impl Compiled {
    /// Whether the rules compiled.
    #[wasm_bindgen(getter)]
    pub fn ok(&self) -> bool {
        self.ok
    }

    /// The diagnostics as JSON: `{"diagnostics": [...]}`: the errors, or when
    /// the rules compiled, lint warnings (as `careprompt lint` gives them).
    #[wasm_bindgen(getter)]
    pub fn diagnostics(&self) -> String {
        self.diagnostics.clone()
    }

    /// Takes the compiled rules out (once); `undefined` when compiling failed
    /// or they were taken already.
    #[wasm_bindgen(js_name = takeRules)]
    pub fn take_rules(&mut self) -> Option<Rules> {
        self.rules.take().map(|rules| Rules { rules })
    }
}

fn compiled(result: Result<RuleSet, careprompt::CompileError>) -> Compiled {
    match result {
        Ok(rules) => {
            // The rules work; these are `careprompt lint`'s warnings about them.
            let warnings = careprompt::lint::lint(&rules, None);
            Compiled {
                ok: true,
                rules: Some(rules),
                diagnostics: host::diagnostics_json(&warnings),
            }
        }
        Err(e) => Compiled {
            ok: false,
            rules: None,
            diagnostics: host::compile_error_json(&e),
        },
    }
}

/// Compiles rule sources given as JSON (`[{"name", "text"}, ...]`); files
/// they import are looked up among the same sources.
#[wasm_bindgen(js_name = compileRules)]
pub fn compile_rules(sources_json: &str) -> Compiled {
    match host::parse_sources(sources_json) {
        Ok(sources) => compiled(host::compile(&sources)),
        Err(error) => Compiled {
            ok: false,
            rules: None,
            diagnostics: format!("{{\"diagnostics\":[],\"error\":{}}}", error.to_json()),
        },
    }
}

/// Compiles the built-in children's mental health pack.
#[wasm_bindgen(js_name = compileBuiltin)]
pub fn compile_builtin() -> Compiled {
    compiled(RuleSet::builtin())
}

#[wasm_bindgen]
impl Rules {
    /// Checks one plan (UTF-8 JSON bytes). On success `json` is the report,
    /// byte for byte what `careprompt check --format json` prints for it.
    #[wasm_bindgen(js_name = checkBytes)]
    pub fn check_bytes(&self, plan: &[u8], as_of: &str) -> CallResult {
        match host::parse_as_of(as_of) {
            Ok(d) => self.check_one(plan, d),
            Err(e) => CallResult::host_error(&e),
        }
    }

    /// Checks one plan given as a string (see [`Rules::check_bytes`]).
    #[wasm_bindgen(js_name = checkText)]
    pub fn check_text(&self, plan: &str, as_of: &str) -> CallResult {
        self.check_bytes(plan.as_bytes(), as_of)
    }

    /// The fast path of [`Rules::check_bytes`]: the report without the
    /// rules' words (`careprompt::Report::to_compact`: a letter per
    /// outcome, a newline, the evidence, missing paths and warnings as
    /// JSON), which the JavaScript wrapper combines with
    /// [`Rules::words_json`], fetched once, into the same report. A failure
    /// is `!` followed by the error's JSON (the text [`Rules::check_bytes`]
    /// gives), so no handle is allocated for the result.
    #[wasm_bindgen(js_name = checkCompactBytes)]
    pub fn check_compact_bytes(&self, plan: &[u8], as_of: &str) -> String {
        let as_of = match host::parse_as_of(as_of) {
            Ok(d) => d,
            Err(e) => return format!("!{}", e.to_json()),
        };
        match self.rules.check_compact(plan, &CheckOptions::new(as_of)) {
            Ok(compact) => compact,
            Err(e) => format!("!{}", host::plan_error_json(&e)),
        }
    }

    /// The fastest check: each rule's outcome and nothing else, one letter
    /// per rule in the rule set's order (`f` fires, `c` clear, `u`
    /// unknown), as `careprompt::RuleSet::outcomes_json` decides them; no
    /// evidence is recorded and no report built. A failure is `!` and the
    /// error's JSON, as for [`Rules::check_compact_bytes`].
    #[wasm_bindgen(js_name = checkOutcomesBytes)]
    pub fn check_outcomes_bytes(&self, plan: &[u8], as_of: &str) -> String {
        let as_of = match host::parse_as_of(as_of) {
            Ok(d) => d,
            Err(e) => return format!("!{}", e.to_json()),
        };
        match self.rules.outcomes_json(plan, &CheckOptions::new(as_of)) {
            Ok(outcomes) => outcomes.iter().map(|o| o.code()).collect(),
            Err(e) => format!("!{}", host::plan_error_json(&e)),
        }
    }

    /// [`Rules::check_outcomes_bytes`] for a string.
    #[wasm_bindgen(js_name = checkOutcomesText)]
    pub fn check_outcomes_text(&self, plan: &str, as_of: &str) -> String {
        self.check_outcomes_bytes(plan.as_bytes(), as_of)
    }

    /// [`Rules::check_compact_bytes`] for a string.
    #[wasm_bindgen(js_name = checkCompactText)]
    pub fn check_compact_text(&self, plan: &str, as_of: &str) -> String {
        self.check_compact_bytes(plan.as_bytes(), as_of)
    }

    /// Every rule's words and the pack, once per rule set
    /// (`careprompt::RuleSet::words_json`), for [`Rules::check_compact_bytes`].
    #[wasm_bindgen(js_name = wordsJson)]
    pub fn words_json(&self) -> String {
        self.rules.words_json()
    }

    /// Checks many plans: a JSON array of plans (`format` = `"array"`), one
    /// plan per line (`"ndjson"`), or either (`"auto"`: the host layer's one
    /// detection rule, `careprompt::host::detect_layout`). On success `json`
    /// is an array of `{"index", "line"?, "ok", "report" | "error"}` in
    /// input order.
    #[wasm_bindgen(js_name = checkManyBytes)]
    pub fn check_many_bytes(&self, plans: &[u8], as_of: &str, format: &str) -> CallResult {
        let run = || -> Result<String, HostError> {
            let as_of = host::parse_as_of(as_of)?;
            let format = BatchFormat::parse(format)?;
            host::check_batch(&self.rules, plans, as_of, format)
        };
        match run() {
            Ok(json) => CallResult::success(json),
            Err(e) => CallResult::host_error(&e),
        }
    }

    /// [`Rules::check_many_bytes`] for a string.
    #[wasm_bindgen(js_name = checkManyText)]
    pub fn check_many_text(&self, plans: &str, as_of: &str, format: &str) -> CallResult {
        self.check_many_bytes(plans.as_bytes(), as_of, format)
    }

    /// Runs rule test files (TOML) against these rules. `tests_json` and
    /// `fixtures_json` are `[{"name", "text"}, ...]`; a test's `base` and
    /// `plan` paths are looked up, resolved against the test file's name,
    /// among the fixtures (and the tests). `ok` is whether every case
    /// passed; `json` is the test run (what `careprompt test --format json`
    /// prints for the same files).
    #[wasm_bindgen(js_name = runTests)]
    pub fn run_tests(&self, tests_json: &str, fixtures_json: &str) -> CallResult {
        let tests = match host::parse_sources(tests_json) {
            Ok(files) => files,
            Err(e) => return CallResult::host_error(&e),
        };
        let fixtures = match host::parse_sources(fixtures_json) {
            Ok(files) => files,
            Err(e) => return CallResult::host_error(&e),
        };
        let run = host::run_tests(&self.rules, &tests, &fixtures);
        // Pretty, as `careprompt test --format json` prints it.
        let json = serde_json::to_string_pretty(&run).unwrap_or_else(|_| String::from("null"));
        CallResult { ok: run.ok(), json }
    }

    /// The rules in this set, in order:
    /// `[{"id", "title", "theme", "kind", "severity", "learning", "next_steps", "file", "line"}, ...]`.
    #[wasm_bindgen(js_name = rulesJson)]
    pub fn rules_json(&self) -> String {
        serde_json::to_string(&self.rules.rules()).unwrap_or_else(|_| String::from("null"))
    }
}

impl Rules {
    fn check_one(&self, plan: &[u8], as_of: Date) -> CallResult {
        CallResult::from_json_result(host::check_one(&self.rules, plan, as_of))
    }

    /// The compiled rule set (for Rust callers).
    pub fn rule_set(&self) -> &RuleSet {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    const PLAN: &str = r#"{"plan_id": "P-1", "child": {"looked_after": true}, "education": {"virtual_school": {"involved": false}}}"#;

    fn rules() -> Rules {
        let sources = format!(
            r#"[{{"name": "t.cpr", "text": {}}}]"#,
            serde_json::to_string(RULES).unwrap()
        );
        let mut compiled = compile_rules(&sources);
        assert!(compiled.ok(), "{}", compiled.diagnostics());
        compiled.take_rules().unwrap()
    }

    #[test]
    fn a_check_is_exactly_the_library_report() {
        let r = rules();
        let outcome = r.check_text(PLAN, AS_OF);
        assert!(outcome.is_ok());
        let direct = r
            .rule_set()
            .check_json(
                PLAN.as_bytes(),
                &CheckOptions::new(Date::parse(AS_OF).unwrap()),
            )
            .unwrap()
            .to_json();
        assert_eq!(outcome.text(), direct);
        assert_eq!(r.check_bytes(PLAN.as_bytes(), AS_OF).text(), direct);
    }

    #[test]
    fn the_compact_and_outcome_checks_are_the_librarys_and_errors_are_the_full_checks() {
        let r = rules();
        let options = CheckOptions::new(Date::parse(AS_OF).unwrap());
        let direct = r
            .rule_set()
            .check_compact(PLAN.as_bytes(), &options)
            .unwrap();
        assert_eq!(r.check_compact_text(PLAN, AS_OF), direct);
        assert_eq!(r.check_compact_bytes(PLAN.as_bytes(), AS_OF), direct);
        assert!(direct.starts_with("f\n"), "{direct}");
        assert_eq!(r.check_outcomes_text(PLAN, AS_OF), "f");
        assert_eq!(r.check_outcomes_bytes(PLAN.as_bytes(), AS_OF), "f");
        let words: serde_json::Value = serde_json::from_str(&r.words_json()).unwrap();
        assert_eq!(words["rules"][0]["rule"], "T-01");
        for (plan, date) in [("{", AS_OF), ("[]", AS_OF), (PLAN, "tomorrow")] {
            let compact = r.check_compact_text(plan, date);
            let full = r.check_text(plan, date);
            assert!(!full.is_ok());
            assert_eq!(
                compact.strip_prefix('!'),
                Some(full.text()),
                "{plan} {date}"
            );
            let outcomes = r.check_outcomes_text(plan, date);
            assert_eq!(
                outcomes.strip_prefix('!'),
                Some(full.text()),
                "{plan} {date}"
            );
        }
    }

    #[test]
    fn bad_dates_and_plans_are_errors_not_panics() {
        let r = rules();
        for date in ["", "tomorrow", "2026-02-30", "2026-11-26T00:00:00Z"] {
            let o = r.check_text(PLAN, date);
            assert!(!o.is_ok());
            let v: serde_json::Value = serde_json::from_str(o.text()).unwrap();
            assert_eq!(v["kind"], "date");
        }
        for plan in ["", "{", "[]", "null", "{\"child\": 3}"] {
            let o = r.check_text(plan, AS_OF);
            assert!(!o.is_ok(), "{plan}");
            let v: serde_json::Value = serde_json::from_str(o.text()).unwrap();
            assert!(v["message"].is_string());
        }
        assert!(!r.check_bytes(&[0xff, 0xfe], AS_OF).is_ok());
    }

    #[test]
    fn batches_as_array_and_ndjson() {
        let r = rules();
        let array = r.check_many_text(&format!("[{PLAN}, {{\"plan_id\": 3}}]"), AS_OF, "auto");
        assert!(array.is_ok());
        let v: serde_json::Value = serde_json::from_str(array.text()).unwrap();
        assert_eq!(v[0]["ok"], true);
        assert_eq!(v[0]["report"]["plan_id"], "P-1");
        assert_eq!(v[1]["ok"], false);
        assert_eq!(v[1]["error"]["kind"], "schema");

        let nd = r.check_many_text(&format!("{PLAN}\n\n{{bad\n{PLAN}\n"), AS_OF, "ndjson");
        let v: serde_json::Value = serde_json::from_str(nd.text()).unwrap();
        let lines: Vec<_> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["line"].as_u64(), e["ok"].as_bool()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (Some(1), Some(true)),
                (Some(3), Some(false)),
                (Some(4), Some(true))
            ]
        );

        assert!(!r.check_many_text("[1,", AS_OF, "array").is_ok());
        assert!(!r.check_many_text("[]", AS_OF, "xml").is_ok());
        assert_eq!(r.check_many_text("  ", AS_OF, "auto").text(), "[]");
    }

    #[test]
    fn compile_errors_are_data() {
        let mut c = compile_rules(r#"[{"name": "a.cpr", "text": "rule X {\n  when chld.x\n}"}]"#);
        assert!(!c.ok());
        assert!(c.take_rules().is_none());
        let v: serde_json::Value = serde_json::from_str(&c.diagnostics()).unwrap();
        let d = &v["diagnostics"][0];
        assert_eq!(d["file"], "a.cpr");
        assert!(d["line"].as_u64().unwrap() >= 1);

        let mut bad = compile_rules("not json");
        assert!(!bad.ok());
        assert!(bad.take_rules().is_none());
        let v: serde_json::Value = serde_json::from_str(&bad.diagnostics()).unwrap();
        assert_eq!(v["error"]["kind"], "argument");
    }

    #[test]
    fn lint_warnings_come_with_compiled_rules() {
        let text = format!("const never_used = 3\n{RULES}");
        let sources = format!(
            r#"[{{"name": "w.cpr", "text": {}}}]"#,
            serde_json::to_string(&text).unwrap()
        );
        let mut c = compile_rules(&sources);
        assert!(c.ok());
        assert!(c.take_rules().is_some());
        assert!(c.ok(), "still reports success after the rules are taken");
        let v: serde_json::Value = serde_json::from_str(&c.diagnostics()).unwrap();
        let d = &v["diagnostics"][0];
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["code"], "unused");
        assert_eq!(d["line"], 1);
    }

    #[test]
    fn builtin_pack_schema_and_format() {
        let mut c = compile_builtin();
        assert!(c.ok(), "{}", c.diagnostics());
        let rules = c.take_rules().unwrap();
        let list: serde_json::Value = serde_json::from_str(&rules.rules_json()).unwrap();
        assert!(list.as_array().unwrap().len() > 1);
        let sources: serde_json::Value = serde_json::from_str(&builtin_sources()).unwrap();
        assert!(sources
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["name"].is_string() && s["text"].is_string()));
        let schema: serde_json::Value = serde_json::from_str(&case_plan_schema()).unwrap();
        assert!(schema["properties"]["child"].is_object());
        assert_eq!(version(), careprompt::VERSION);
        let f = format_rules("x.cpr", RULES);
        assert!(f.is_ok(), "{}", f.text());
        assert!(!format_rules("x.cpr", "rule {").is_ok());
    }

    #[test]
    fn rule_tests_find_fixtures_by_resolved_path() {
        let r = rules();
        let test = "as_of = 2026-11-26\nbase = \"fixtures/../fixtures/p.json\"\n\n[[case]]\nname = \"fires\"\n[case.expect]\n\"T-01\" = \"fires\"\n";
        let tests = format!(
            r#"[{{"name": "t/x.test.toml", "text": {}}}]"#,
            serde_json::to_string(test).unwrap()
        );
        let fixtures = format!(
            r#"[{{"name": "t/fixtures/p.json", "text": {}}}]"#,
            serde_json::to_string(PLAN).unwrap()
        );
        let o = r.run_tests(&tests, &fixtures);
        assert!(o.is_ok(), "{}", o.text());
        let o = r.run_tests(&tests, "[]");
        assert!(!o.is_ok());
        assert!(!r.run_tests("{", "[]").is_ok());
    }

    #[test]
    fn a_batch_of_one_pretty_printed_plan_is_one_plan() {
        let r = rules();
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(PLAN).unwrap())
                .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(r.check_many_text(&pretty, AS_OF, "auto").text()).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["ok"], true);
        assert!(v[0].get("line").is_none());
    }
}

/// Compiles a local pack bundle (the JSON `careprompt pack --bundle`
/// writes): the hash is verified and the pack compiled exactly as the CLI
/// and the library's `careprompt::load_bundle` do, so the same bundle gives
/// byte-identical reports. `name` is the bundle's file name, for messages.
#[wasm_bindgen(js_name = compileBundle)]
pub fn compile_bundle(name: &str, text: &str) -> Compiled {
    compiled(careprompt::load_bundle(name, text))
}
