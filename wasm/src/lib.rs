//! careprompt for JavaScript: the rules engine compiled to WebAssembly.
//!
//! This crate is the thin wasm-bindgen layer over the `careprompt` library.
//! Everything crosses the boundary as strings, bytes and small handles, and
//! everything that can go wrong comes back as data (JSON with an `ok` flag),
//! never as a thrown string: the JavaScript wrapper in `wasm/pkg-src` turns
//! it into objects and TypeScript types.
//!
//! Nothing here reads the clock, the network or any storage: the evaluation
//! date is always an argument, and plans never leave the function that
//! checks them.
#![forbid(unsafe_code)]

use careprompt::{CheckOptions, Date, RuleSet, Source};
use serde::Serialize;
use serde_json::value::RawValue;
use wasm_bindgen::prelude::*;

/// The result of a call: whether it worked and its JSON. On success `json`
/// is the call's output (for a check, exactly the CLI's `--format json`
/// report); on failure it is an error object or a diagnostics list.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Outcome {
    ok: bool,
    json: String,
}

#[wasm_bindgen]
impl Outcome {
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

impl Outcome {
    fn success(json: String) -> Outcome {
        Outcome { ok: true, json }
    }

    fn failure(json: String) -> Outcome {
        Outcome { ok: false, json }
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

/// An error that is not about a rules file or a plan's content: a bad date,
/// a bad argument, a batch that is not a JSON array or NDJSON.
#[derive(Serialize)]
struct CallError<'a> {
    kind: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    line: usize,
    column: usize,
}

fn call_error(kind: &str, message: String, help: Option<&str>) -> String {
    to_json(&CallError {
        kind,
        message,
        help,
        line: 0,
        column: 0,
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| String::from("null"))
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

#[derive(Serialize)]
struct SourceOut<'a> {
    name: &'a str,
    text: &'a str,
}

/// The built-in pack's rule tests and their fixtures: `[{"name", "text"}, ...]`
/// (tests end in `.toml`; the rest are fixtures they refer to).
#[wasm_bindgen(js_name = builtinTests)]
pub fn builtin_tests() -> String {
    let out: Vec<SourceOut<'_>> = careprompt::builtin_tests()
        .iter()
        .map(|(name, text)| SourceOut { name, text })
        .collect();
    to_json(&out)
}

/// The built-in rule pack's files: `[{"name": ..., "text": ...}, ...]`.
#[wasm_bindgen(js_name = builtinSources)]
pub fn builtin_sources() -> String {
    let sources = careprompt::builtin_sources();
    let out: Vec<SourceOut<'_>> = sources
        .iter()
        .map(|s| SourceOut {
            name: &s.name,
            text: &s.text,
        })
        .collect();
    to_json(&out)
}

#[derive(serde::Deserialize)]
struct SourceIn {
    name: String,
    text: String,
}

fn parse_sources(json: &str) -> Result<Vec<Source>, String> {
    let list: Vec<SourceIn> = serde_json::from_str(json).map_err(|e| {
        call_error(
            "argument",
            format!("the rule sources are not a list of {{name, text}} objects: {e}"),
            Some("pass an array like [{\"name\": \"rules.cpr\", \"text\": \"...\"}]"),
        )
    })?;
    Ok(list
        .into_iter()
        .map(|s| Source {
            name: s.name,
            text: s.text,
        })
        .collect())
}

/// Formats one rules file. On success `json` is `{"text": ...}`; on failure
/// it is the diagnostics (`{"diagnostics": [...]}`).
#[wasm_bindgen(js_name = formatRules)]
pub fn format_rules(name: &str, text: &str) -> Outcome {
    #[derive(Serialize)]
    struct Formatted<'a> {
        text: &'a str,
    }
    match careprompt::format_source(name, text) {
        Ok(formatted) => Outcome::success(to_json(&Formatted { text: &formatted })),
        Err(e) => Outcome::failure(e.to_json()),
    }
}

fn parse_date(as_of: &str) -> Result<Date, String> {
    Date::parse(as_of).map_err(|e| {
        call_error(
            "date",
            format!("the evaluation date `{as_of}` is not a date: {e}"),
            Some("give the evaluation date as YYYY-MM-DD, for example 2026-11-26"),
        )
    })
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

#[derive(Serialize)]
struct Diagnostics<'a> {
    diagnostics: &'a [careprompt::Diagnostic],
}

fn compiled(result: Result<RuleSet, careprompt::CompileError>) -> Compiled {
    match result {
        Ok(rules) => {
            // The rules work; these are `careprompt lint`'s warnings about them.
            let warnings = careprompt::lint::lint(&rules, None);
            Compiled {
                ok: true,
                rules: Some(rules),
                diagnostics: to_json(&Diagnostics {
                    diagnostics: &warnings,
                }),
            }
        }
        Err(e) => Compiled {
            ok: false,
            rules: None,
            diagnostics: e.to_json(),
        },
    }
}

/// Compiles rule sources given as JSON (`[{"name", "text"}, ...]`).
#[wasm_bindgen(js_name = compileRules)]
pub fn compile_rules(sources_json: &str) -> Compiled {
    match parse_sources(sources_json) {
        Ok(sources) => compiled(RuleSet::compile(&sources)),
        Err(error) => Compiled {
            ok: false,
            rules: None,
            diagnostics: format!("{{\"diagnostics\":[],\"error\":{error}}}"),
        },
    }
}

/// Compiles the built-in children's mental health pack.
#[wasm_bindgen(js_name = compileBuiltin)]
pub fn compile_builtin() -> Compiled {
    compiled(RuleSet::builtin())
}

/// One entry of a batch result.
#[derive(Serialize)]
struct BatchEntry<'a> {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RawValue>,
}

/// How a batch of plans is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BatchFormat {
    Array,
    Ndjson,
}

#[wasm_bindgen]
impl Rules {
    /// Checks one plan (UTF-8 JSON bytes). On success `json` is the report,
    /// byte for byte what `careprompt check --format json` prints for it.
    #[wasm_bindgen(js_name = checkBytes)]
    pub fn check_bytes(&self, plan: &[u8], as_of: &str) -> Outcome {
        let as_of = match parse_date(as_of) {
            Ok(d) => d,
            Err(e) => return Outcome::failure(e),
        };
        self.check_one(plan, as_of)
    }

    /// Checks one plan given as a string (see [`Rules::check_bytes`]).
    #[wasm_bindgen(js_name = checkText)]
    pub fn check_text(&self, plan: &str, as_of: &str) -> Outcome {
        self.check_bytes(plan.as_bytes(), as_of)
    }

    /// Checks many plans: a JSON array of plans (`format` = `"array"`), one
    /// plan per line (`"ndjson"`), or either (`"auto"`: an array when the
    /// first non-blank character is `[`). On success `json` is an array of
    /// `{"index", "line"?, "ok", "report" | "error"}` in input order.
    #[wasm_bindgen(js_name = checkManyBytes)]
    pub fn check_many_bytes(&self, plans: &[u8], as_of: &str, format: &str) -> Outcome {
        let as_of = match parse_date(as_of) {
            Ok(d) => d,
            Err(e) => return Outcome::failure(e),
        };
        let first = plans.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let format = match format {
            "array" => BatchFormat::Array,
            "ndjson" => BatchFormat::Ndjson,
            "auto" | "" => {
                if first == Some(b'[') {
                    BatchFormat::Array
                } else {
                    BatchFormat::Ndjson
                }
            }
            other => {
                return Outcome::failure(call_error(
                    "argument",
                    format!("unknown batch format `{other}`"),
                    Some("use \"array\", \"ndjson\" or \"auto\""),
                ))
            }
        };
        let mut results: Vec<(Option<usize>, Outcome)> = Vec::new();
        match format {
            BatchFormat::Array => {
                let items: Vec<&RawValue> =
                    match serde_json::from_slice(plans) {
                        Ok(items) => items,
                        Err(e) => return Outcome::failure(to_json(&CallError {
                            kind: "syntax",
                            message: format!(
                                "the batch is not a JSON array of plans: {}",
                                strip_position(&e)
                            ),
                            help: Some(
                                "give a JSON array of plan objects, or one plan per line (NDJSON)",
                            ),
                            line: e.line(),
                            column: e.column(),
                        })),
                    };
                for item in items {
                    results.push((None, self.check_one(item.get().as_bytes(), as_of)));
                }
            }
            BatchFormat::Ndjson => {
                for (n, line) in plans.split(|b| *b == b'\n').enumerate() {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    results.push((Some(n + 1), self.check_one(line, as_of)));
                }
            }
        }
        // Each result's JSON goes into the batch verbatim.
        let raws: Vec<Option<Box<RawValue>>> = results
            .iter()
            .map(|(_, outcome)| RawValue::from_string(outcome.json.clone()).ok())
            .collect();
        let entries: Vec<BatchEntry<'_>> = results
            .iter()
            .zip(&raws)
            .enumerate()
            .map(|(index, ((line, outcome), raw))| BatchEntry {
                index,
                line: *line,
                ok: outcome.ok,
                report: raw.as_deref().filter(|_| outcome.ok),
                error: raw.as_deref().filter(|_| !outcome.ok),
            })
            .collect();
        Outcome::success(to_json(&entries))
    }

    /// [`Rules::check_many_bytes`] for a string.
    #[wasm_bindgen(js_name = checkManyText)]
    pub fn check_many_text(&self, plans: &str, as_of: &str, format: &str) -> Outcome {
        self.check_many_bytes(plans.as_bytes(), as_of, format)
    }

    /// Runs rule test files (TOML) against these rules. `tests_json` and
    /// `fixtures_json` are `[{"name", "text"}, ...]`; a test's `base` and
    /// `plan` paths are looked up, resolved against the test file's name,
    /// among the fixtures (and the tests). `ok` is whether every case
    /// passed; `json` is the test run (what `careprompt test --format json`
    /// prints for the same files).
    #[wasm_bindgen(js_name = runTests)]
    pub fn run_tests(&self, tests_json: &str, fixtures_json: &str) -> Outcome {
        let tests = match parse_sources(tests_json) {
            Ok(files) => files,
            Err(e) => return Outcome::failure(e),
        };
        let fixtures = match parse_sources(fixtures_json) {
            Ok(files) => files,
            Err(e) => return Outcome::failure(e),
        };
        let files: Vec<(String, String)> = tests
            .iter()
            .map(|s| (s.name.clone(), s.text.clone()))
            .collect();
        let read = |path: &str| -> Result<String, String> {
            let wanted = normalise_path(path);
            fixtures
                .iter()
                .chain(tests.iter())
                .find(|s| normalise_path(&s.name) == wanted)
                .map(|s| s.text.clone())
                .ok_or_else(|| format!("no file `{path}` was given to the test run"))
        };
        let run = careprompt::testing::run_tests(&self.rules, &files, &read);
        // Pretty, as `careprompt test --format json` prints it.
        let json = serde_json::to_string_pretty(&run).unwrap_or_else(|_| String::from("null"));
        Outcome { ok: run.ok(), json }
    }

    /// The rules in this set, in order:
    /// `[{"id", "title", "theme", "kind", "severity", "learning", "next_steps", "file", "line"}, ...]`.
    #[wasm_bindgen(js_name = rulesJson)]
    pub fn rules_json(&self) -> String {
        to_json(&self.rules.rules())
    }
}

/// `a/./b/../c` as `a/c`, for matching file names given by callers.
fn normalise_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl Rules {
    fn check_one(&self, plan: &[u8], as_of: Date) -> Outcome {
        let options = CheckOptions::new(as_of);
        match self.rules.check_json(plan, &options) {
            Ok(report) => Outcome::success(report.to_json()),
            Err(e) => Outcome::failure(e.to_json()),
        }
    }

    /// The compiled rule set (for Rust callers).
    pub fn rule_set(&self) -> &RuleSet {
        &self.rules
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
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
    fn paths_normalise() {
        assert_eq!(normalise_path("a/./b/../c"), "a/c");
        assert_eq!(normalise_path("/a//b/"), "a/b");
        assert_eq!(normalise_path("../x"), "x");
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
