//! Bad input, library side: every class of malformed or hostile plan and
//! rules text gives a clear error or warning, never a panic, a stack
//! overflow or a hang. docs/reliability.md lists each class with its test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use careprompt::{
    CompileError, CompileOptions, Loader, OutcomeKind, PlanError, PlanErrorKind, RuleSet, Source,
    MAX_CONDITIONS, MAX_CONDITION_DEPTH, MAX_DIAGNOSTICS, MAX_LIST_LEN, MAX_NESTING, MAX_NOTS,
    MAX_PLAN_BYTES, MAX_RULES_BYTES, MAX_RULES_FILES,
};
use serde_json::json;

mod common;
use common::{builtin, check, compile, compile_err, compile_ok, opts, AS_OF};

fn rule(id: &str, cond: &str) -> String {
    format!("rule {id} {{\n  title \"t\"\n  theme \"T\"\n  kind risk\n  severity high\n  when {cond}\n  prompt \"p\"\n}}\n")
}

fn codes(e: &CompileError) -> Vec<&'static str> {
    e.diagnostics.iter().map(|d| d.code).collect()
}

fn plan_err(rules: &RuleSet, bytes: &[u8]) -> PlanError {
    match rules.check_json(bytes, &opts()) {
        Ok(_) => panic!(
            "expected a plan error for {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        ),
        Err(e) => e,
    }
}

/// Runs `f` on a thread with the default 2 MiB test stack, failing if it
/// takes longer than `limit` (a hang) and propagating a panic (a crash).
fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    bounded_stack(2, limit, f)
}

/// As [`bounded`], on a stack of `mib` MiB.
fn bounded_stack<T: Send + 'static>(
    mib: usize,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let started = Instant::now();
    let out = std::thread::Builder::new()
        .stack_size(mib * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
    assert!(
        started.elapsed() < limit,
        "took {:?}, more than {limit:?}",
        started.elapsed()
    );
    out
}

// ---------------------------------------------------------------- plans

#[test]
fn malformed_json_is_a_syntax_error_with_line_and_column() {
    let rules = builtin();
    let e = plan_err(rules, b"{\n  \"plan_id\": \"p\",\n  \"child\": {\n}");
    assert_eq!(e.kind, PlanErrorKind::Syntax);
    assert_eq!(e.line, 4, "{e:?}");
    assert!(e.help.is_some());
    let e = plan_err(rules, b"{\"plan_id\": \"p\",}");
    assert_eq!(e.kind, PlanErrorKind::Syntax);
    let e = plan_err(rules, b"{\"plan_id\": \"p\"} trailing");
    assert_eq!(e.kind, PlanErrorKind::Syntax, "{e:?}");
}

#[test]
fn a_plan_that_is_not_an_object_is_refused() {
    let rules = builtin();
    for bad in [
        &b"[]"[..],
        b"[{\"plan_id\": \"p\"}]",
        b"42",
        b"\"text\"",
        b"true",
        b"null",
    ] {
        let e = plan_err(rules, bad);
        assert_eq!(e.kind, PlanErrorKind::Schema, "{e:?}");
        assert!(e.message.contains("must be a JSON object"), "{}", e.message);
    }
}

/// Issue 14: a wrong type is a plan error whether or not a rule reads the
/// field (`placements[].distance_miles: "far"` passed when no rule read
/// it), reported exactly as in a field that is read: field path, line and
/// column, never the value; by `check_json` and `check_value` alike.
#[test]
fn wrong_types_in_fields_no_rule_reads_are_plan_errors_as_in_read_fields() {
    let reads_distance = compile_ok(&rule("R-D", "any placements where (distance_miles > 20)"));
    let reads_nothing_there = compile_ok(&rule("R-L", "child.looked_after = true"));
    let cases = [
        (
            "{\"plan_id\": \"p\",\n \"placements\": [{\"start_date\": \"2020-01-01\",\n   \"distance_miles\": \"far-SECRET\"}]}",
            "`placements[].distance_miles` should be a number, found text",
            (3, 22),
        ),
        (
            "{\"placements\": [{\"distance_miles\": true}]}",
            "`placements[].distance_miles` should be a number, found true or false",
            (1, 36),
        ),
        (
            "{\"placements\": {\"distance_miles\": 3}}",
            "`placements` should be a list, found an object",
            (1, 16),
        ),
        (
            "{\"placements\": [\"SECRET\"]}",
            "`placements[]` should be an object, found text",
            (1, 17),
        ),
        (
            "{\"placements\": [{\"distance_miles\": [1]}]}",
            "`placements[].distance_miles` should be a number, found a list",
            (1, 36),
        ),
    ];
    for (plan, message, (line, column)) in cases {
        let read = plan_err(&reads_distance, plan.as_bytes());
        let skipped = plan_err(&reads_nothing_there, plan.as_bytes());
        assert_eq!(read.message, message, "{plan}");
        assert_eq!((read.line, read.column), (line, column), "{plan}");
        assert_eq!(skipped, read, "{plan}");
        assert!(!skipped.message.contains("SECRET"));
        let value: serde_json::Value = serde_json::from_str(plan).unwrap();
        let from_value = reads_nothing_there
            .check_value(&value, &opts())
            .expect_err(plan);
        assert_eq!(from_value.message, message, "{plan}");
    }
    // Deep inside objects and lists no rule reads, in the built-in pack too.
    for (plan, field) in [
        (
            json!({"plan_id": "p", "placements": [{"start_date": "2020-01-01", "distance_miles": "far"}]}),
            "placements[].distance_miles",
        ),
        (
            json!({"plan_id": "p", "placements": [{"start_date": "2020-01-01", "emergency": "SECRET"}]}),
            "placements[].emergency",
        ),
    ] {
        for rules in [builtin(), &reads_nothing_there] {
            let e = plan_err(rules, plan.to_string().as_bytes());
            assert_eq!(e.kind, PlanErrorKind::Schema, "{e:?}");
            assert!(e.message.contains(&format!("`{field}` should be")), "{e:?}");
        }
    }
    // A list no rule reads is held to the list limit too.
    let long = format!("{{\"placements\": [{}{{}}]}}", "{}, ".repeat(MAX_LIST_LEN));
    let e = plan_err(&reads_nothing_there, long.as_bytes());
    assert!(
        e.message.contains(&format!(
            "`placements` has more than {MAX_LIST_LEN} elements"
        )),
        "{e:?}"
    );
    // Unread fields of the right type, null, and unknown fields still pass;
    // an unknown field inside an unread object is warned as anywhere else.
    let ok = reads_nothing_there
        .check_json(
            br#"{"placements": [{"distance_miles": 1e400, "emergency": null, "vendor_x": "a"}], "crisis": {}}"#,
            &opts(),
        )
        .unwrap();
    assert!(
        ok.warnings
            .iter()
            .any(|w| w.contains("unknown field `placements[].vendor_x`")),
        "{:?}",
        ok.warnings
    );
}

#[test]
fn wrong_types_name_the_field_not_the_value() {
    let rules = builtin();
    let cases = [
        (
            json!({"plan_id": "p", "child": {"looked_after": "Yes-SECRET"}}),
            "child.looked_after",
        ),
        (json!({"plan_id": "p", "child": "SECRET"}), "child"),
        (
            json!({"plan_id": "p", "placements": {"start_date": "2020-01-01"}}),
            "placements",
        ),
        (
            json!({"plan_id": "p", "placements": [{"start_date": 20200101}]}),
            "placements[].start_date",
        ),
        (
            json!({"plan_id": "p", "placements": [{"start_date": "01/02/2020-SECRET"}]}),
            "placements[].start_date",
        ),
    ];
    for (plan, field) in cases {
        let e = plan_err(rules, plan.to_string().as_bytes());
        assert_eq!(e.kind, PlanErrorKind::Schema, "{e:?}");
        assert!(
            e.message.contains(&format!("`{field}`")),
            "{} should name {field}",
            e.message
        );
        assert!(
            !e.message.contains("SECRET") && !e.message.contains("20200101"),
            "echoes the value: {}",
            e.message
        );
    }
}

#[test]
fn check_value_refuses_the_same_plans() {
    let rules = builtin();
    for bad in [
        json!([]),
        json!(3),
        json!({"plan_id": "p", "child": {"looked_after": "yes"}}),
    ] {
        assert!(rules.check_value(&bad, &opts()).is_err(), "{bad}");
    }
}

#[test]
fn unknown_fields_are_warned_not_fatal() {
    let rules = builtin();
    let plan = json!({"plan_id": "p", "child": {"looked_after": true, "favourite_colour": "SECRET"}, "vendor_extra": {"a": [1, 2]}});
    let report = check(rules, &plan);
    assert_eq!(report.outcomes.len(), rules.rules().len());
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("`child.favourite_colour`")),
        "{:?}",
        report.warnings
    );
    assert!(
        report.warnings.iter().any(|w| w.contains("`vendor_extra`")),
        "{:?}",
        report.warnings
    );
    assert!(report.warnings.iter().all(|w| !w.contains("SECRET")));
}

#[test]
fn impossible_dates_are_refused_with_the_field() {
    let rules = builtin();
    for date in [
        "2023-02-31",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "0000-01-01",
    ] {
        let plan = json!({"plan_id": "p", "child": {"date_of_birth": date}});
        let e = plan_err(rules, plan.to_string().as_bytes());
        assert_eq!(e.kind, PlanErrorKind::Schema);
        assert!(
            e.message
                .contains("`child.date_of_birth` is not a real calendar date"),
            "{}",
            e.message
        );
        assert!(!e.message.contains(date));
    }
    let plan = json!({"plan_id": "p", "child": {"date_of_birth": "2024-2-1"}});
    let e = plan_err(rules, plan.to_string().as_bytes());
    assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
}

#[test]
fn birth_date_after_the_evaluation_date_warns_and_age_is_unknown() {
    let rules = compile_ok(&rule("R", "age of child.date_of_birth < 18"));
    let report = check(
        &rules,
        &json!({"plan_id": "p", "child": {"date_of_birth": "2027-01-01"}}),
    );
    let o = report.outcome("R").unwrap();
    assert_eq!(
        o.outcome,
        OutcomeKind::Unknown,
        "a negative age must not decide a rule"
    );
    assert_eq!(o.missing, vec!["child.date_of_birth".to_string()]);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("`child.date_of_birth` is after the evaluation date")),
        "{:?}",
        report.warnings
    );
    assert!(
        report.warnings.iter().all(|w| !w.contains("2027")),
        "echoes the value: {:?}",
        report.warnings
    );
    // Born on the evaluation date: age 0, decided, no warning.
    let report = check(
        &rules,
        &json!({"plan_id": "p", "child": {"date_of_birth": AS_OF}}),
    );
    assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Fires);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn dated_events_after_the_evaluation_date_are_warned_by_path_not_value() {
    let rules = compile_ok(&rule(
        "R",
        "count crisis.ae_attendances where (date within 6 months) >= 2 or education.planned_school_move.date missing",
    ));
    let report = check(
        &rules,
        &json!({"plan_id": "p", "crisis": {"ae_attendances": [
            {"date": "2026-10-01"}, {"date": "2062-01-01"}, {"date": "2062-02-01"}
        ]}, "education": {"planned_school_move": {"date": "2062-01-01"}}}),
    );
    let future: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.contains("is after the evaluation date"))
        .collect();
    assert_eq!(future.len(), 2, "{:?}", report.warnings);
    assert!(
        future[0].contains("`crisis.ae_attendances[1].date`"),
        "{future:?}"
    );
    assert!(
        future[1].contains("`crisis.ae_attendances[2].date`"),
        "{future:?}"
    );
    assert!(
        report.warnings.iter().all(|w| !w.contains("2062")),
        "echoes the value: {:?}",
        report.warnings
    );
    // Dates on or before the evaluation date are not warned.
    let report = check(
        &rules,
        &json!({"plan_id": "p", "crisis": {"ae_attendances": [{"date": AS_OF}]}}),
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn a_record_ending_before_it_starts_is_warned() {
    let rules = compile_ok(&rule(
        "R",
        "any placements where (end_date missing or start_date within 1 year)",
    ));
    let plan = json!({"plan_id": "p", "placements": [
        {"start_date": "2020-01-01", "end_date": "2021-01-01"},
        {"start_date": "2026-06-01", "end_date": "2026-01-01"}
    ]});
    let report = check(&rules, &plan);
    assert_eq!(
        report.warnings,
        vec![
            "`placements[1].end_date` is before `placements[1].start_date`; both are used as given"
                .to_string()
        ]
    );
    // The dates are used as given: the second placement started within a year.
    assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Fires);
}

#[test]
fn non_utf8_plan_bytes_are_a_syntax_error() {
    let rules = builtin();
    let e = plan_err(rules, b"{\"plan_id\": \"p\xff\xfe\"}");
    assert_eq!(e.kind, PlanErrorKind::Syntax, "{e:?}");
    let e = plan_err(rules, b"\xef\xbb\xbf{\"plan_id\": \"p\"}");
    assert_eq!(
        e.kind,
        PlanErrorKind::Syntax,
        "a byte-order mark is not JSON: {e:?}"
    );
}

#[test]
fn empty_plans_and_empty_rules() {
    let rules = builtin();
    for empty in [&b""[..], b"   \n\t", b"\n"] {
        let e = plan_err(rules, empty);
        assert_eq!(e.kind, PlanErrorKind::Empty);
    }
    // An empty object is a plan with nothing known: every rule is decided or unknown.
    let report = check(rules, &json!({}));
    assert_eq!(report.outcomes.len(), rules.rules().len());
    // An empty rules file compiles to no rules, and checking with it gives an empty report.
    let none = compile_ok("");
    assert!(none.rules().is_empty());
    assert!(check(&none, &json!({"plan_id": "p"})).outcomes.is_empty());
    let comments_only = compile_ok("# nothing yet\n");
    assert!(comments_only.rules().is_empty());
}

#[test]
fn huge_numbers_in_plans_and_rules() {
    let rules = compile_ok(&rule("R", "count placements >= 1"));
    // Out of range for a 64-bit float: an error with its position, not infinity.
    let e = plan_err(
        builtin(),
        b"{\"plan_id\": \"p\", \"health\": {\"sdq_scores\": [{\"total\": 1e400}]}}",
    );
    assert!(e.line > 0 && e.column > 0, "{e:?}");
    assert_eq!(e.kind, PlanErrorKind::Limit, "{e:?}");
    assert!(e.message.contains("too large"), "{e:?}");
    // Large but finite numbers are numbers, in any field.
    let big = format!(
        "{{\"plan_id\": \"p\", \"placements\": [{{\"distance_miles\": {}}}]}}",
        "9".repeat(300)
    );
    assert!(rules.check_json(big.as_bytes(), &opts()).is_ok());
    // A whole-number field refuses a fraction.
    let frac = json!({"plan_id": "p", "health": {"sdq_scores": [{"total": 12.5}]}});
    let e = plan_err(builtin(), frac.to_string().as_bytes());
    assert!(e.message.contains("whole number"), "{}", e.message);
    // In rules: a literal too large for a float is refused at compile time.
    let e = compile_err(&rule(
        "R",
        &format!("count placements >= {}", "9".repeat(400)),
    ));
    assert_eq!(codes(&e), vec!["bad-number"]);
    let e = compile_err(&rule(
        "R",
        "education.pep.last_reviewed within 99999999999 days",
    ));
    assert_eq!(codes(&e), vec!["bad-duration"]);
    // The largest duration is usable: it reaches back past the first date.
    let r = compile_ok(&rule(
        "R",
        "education.pep.last_reviewed within 4294967295 years",
    ));
    let report = check(
        &r,
        &json!({"plan_id": "p", "education": {"pep": {"last_reviewed": "0001-01-01"}}}),
    );
    assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Fires);
}

#[test]
fn duplicate_keys_are_refused() {
    let rules = builtin();
    let e = plan_err(
        rules,
        b"{\"plan_id\": \"p\", \"child\": {\"looked_after\": true, \"looked_after\": false}}",
    );
    assert_eq!(e.kind, PlanErrorKind::Schema);
    assert!(
        e.message.contains("`child.looked_after` appears twice"),
        "{}",
        e.message
    );
    // A field no rule reads is still refused when repeated.
    let e = plan_err(rules, b"{\"plan_id\": \"p\", \"plan_id\": \"q\"}");
    assert!(
        e.message.contains("`plan_id` appears twice"),
        "{}",
        e.message
    );
}

#[test]
fn deep_json_nesting_is_a_limit_error() {
    let rules = builtin();
    // Inside a field the schema knows, past serde_json's limit of 128.
    let deep = format!(
        "{{\"plan_id\": \"p\", \"child\": {}{}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let e = plan_err(rules, deep.as_bytes());
    assert!(
        matches!(e.kind, PlanErrorKind::Schema | PlanErrorKind::Limit),
        "{e:?}"
    );
    // Inside an unknown field, skipped without recursion: no stack overflow.
    let deep = format!(
        "{{\"plan_id\": \"p\", \"x\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = bounded(Duration::from_secs(20), move || {
        builtin()
            .check_json(deep.as_bytes(), &opts())
            .map(|r| r.warnings)
    });
    match r {
        Ok(w) => assert!(w.iter().any(|w| w.contains("`x`"))),
        Err(e) => assert_eq!(e.kind, PlanErrorKind::Limit, "{e:?}"),
    }
    let deep = format!(
        "{{\"plan_id\": \"p\", \"x\": {}1{}}}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let r = bounded(Duration::from_secs(20), move || {
        builtin().check_json(deep.as_bytes(), &opts()).is_ok()
    });
    let _ = r;
}

#[test]
fn plan_size_and_list_length_limits() {
    let rules = builtin();
    let mut big = b"{\"plan_id\": \"".to_vec();
    big.resize(MAX_PLAN_BYTES + 10, b'a');
    big.extend_from_slice(b"\"}");
    let e = plan_err(rules, &big);
    assert_eq!(e.kind, PlanErrorKind::Limit);
    assert!(e.message.contains(&MAX_PLAN_BYTES.to_string()));
    let items = vec![json!({"date": "2026-01-01"}); MAX_LIST_LEN + 1];
    let plan = json!({"plan_id": "p", "crisis": {"arrests": items}});
    let e = plan_err(rules, plan.to_string().as_bytes());
    assert!(
        e.message
            .contains(&format!("more than {MAX_LIST_LEN} elements")),
        "{}",
        e.message
    );
    let items = vec![json!({"date": "2026-01-01"}); MAX_LIST_LEN];
    let plan = json!({"plan_id": "p", "crisis": {"arrests": items}});
    assert!(rules
        .check_json(plan.to_string().as_bytes(), &opts())
        .is_ok());
}

#[test]
fn long_strings_and_odd_text_are_data() {
    let rules = builtin();
    let plan = json!({"plan_id": "p\u{0}\u{202e}\u{1F600}", "child": {"looked_after": true}, "x": "a".repeat(100_000)});
    let report = check(rules, &plan);
    assert_eq!(report.plan_id.as_deref(), Some("p\u{0}\u{202e}\u{1F600}"));
    // Half a surrogate pair in an escape is well-formed JSON but no
    // character: it reads as U+FFFD (as JavaScript shows it), not a crash.
    let report = rules
        .check_json(b"{\"plan_id\": \"p\\ud800\"}", &opts())
        .unwrap();
    assert_eq!(report.plan_id.as_deref(), Some("p\u{FFFD}"));
}

// ---------------------------------------------------------------- rules

#[test]
fn duplicate_rule_ids_are_a_compile_error() {
    let text = format!(
        "{}{}",
        rule("A-1", "child.looked_after"),
        rule("A-1", "child.looked_after = false")
    );
    let e = compile_err(&text);
    assert_eq!(codes(&e), vec!["duplicate"]);
    assert!(e.diagnostics[0]
        .message
        .contains("rule id `A-1` is used twice"));
    assert_eq!(e.diagnostics[0].line, 9, "points at the second rule");
    // Across files too.
    let e = RuleSet::compile(&[
        Source::new("a.cpr", rule("X", "child.looked_after")),
        Source::new("b.cpr", rule("X", "child.looked_after")),
    ])
    .unwrap_err();
    assert_eq!(e.diagnostics[0].file, "b.cpr");
}

#[test]
fn a_rules_file_importing_itself_is_a_cycle() {
    let e = RuleSet::compile(&[Source::new(
        "pack/a.cpr",
        format!("import \"a.cpr\"\n{}", rule("A", "child.looked_after")),
    )])
    .unwrap_err();
    assert_eq!(codes(&e), vec!["import-cycle"]);
    assert!(
        e.diagnostics[0].message.contains("imports itself"),
        "{}",
        e.diagnostics[0].message
    );
    // Through another file.
    let e = RuleSet::compile(&[
        Source::new("a.cpr", "import \"b.cpr\"\n"),
        Source::new("b.cpr", "import \"./a.cpr\"\n"),
    ])
    .unwrap_err();
    assert_eq!(codes(&e), vec!["import-cycle"]);
}

#[test]
fn a_missing_import_is_reported() {
    let e = RuleSet::compile(&[Source::new("a.cpr", "import \"nowhere.cpr\"\n")]).unwrap_err();
    assert_eq!(codes(&e), vec!["import"]);
    assert!(e.diagnostics[0]
        .message
        .contains("cannot import `nowhere.cpr`"));
    struct Fails;
    impl Loader for Fails {
        fn load(&self, _: &str) -> Result<String, String> {
            Err("no such file".into())
        }
    }
    let options = CompileOptions {
        loader: Some(&Fails),
        ..Default::default()
    };
    let e =
        RuleSet::compile_with(&[Source::new("a.cpr", "import \"b.cpr\"\n")], &options).unwrap_err();
    assert!(e.diagnostics[0].message.contains("no such file"));
}

#[test]
fn an_import_chain_that_never_ends_stops_at_the_file_limit() {
    // Every import is answered with the same text, which imports a file one
    // directory down: without a limit this would load files forever.
    struct Echo;
    impl Loader for Echo {
        fn load(&self, _: &str) -> Result<String, String> {
            Ok("import \"d/x.cpr\"\n".into())
        }
    }
    let e = bounded(Duration::from_secs(30), || {
        let options = CompileOptions {
            loader: Some(&Echo),
            ..Default::default()
        };
        RuleSet::compile_with(&[Source::new("x.cpr", "import \"d/x.cpr\"\n")], &options)
            .unwrap_err()
    });
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.message.contains(&format!("{MAX_RULES_FILES} files"))),
        "{e}"
    );
}

#[test]
fn rules_file_size_limit() {
    let text = format!("# {}\n", "x".repeat(MAX_RULES_BYTES));
    let e = compile_err(&text);
    assert_eq!(codes(&e), vec!["too-large"]);
    assert!(careprompt::format_source("big.cpr", &text).is_err());
}

#[test]
fn ten_thousand_nested_brackets_are_an_error_not_a_stack_overflow() {
    let e = bounded(Duration::from_secs(20), || {
        let cond = format!(
            "{}child.looked_after{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        compile(&rule("R", &cond)).unwrap_err()
    });
    assert_eq!(codes(&e), vec!["too-deep"]);
    assert!(e.diagnostics[0].message.contains(&MAX_NESTING.to_string()));
    // Brackets inside strings and comments do not count.
    let fine = format!(
        "# {}\n{}",
        "(".repeat(10_000),
        rule(
            "R",
            &format!("child.legal_status = \"{}\"", "[".repeat(100))
        )
    );
    assert!(
        compile(&fine).is_err_and(|e| codes(&e) == vec!["unknown-value"]) || compile(&fine).is_ok()
    );
    // Exactly the limit parses. The parser recurses once per bracket: at the
    // limit it needs about 0.5 MiB of stack in a release build, but several
    // MiB in an unoptimised one, so this runs on the main thread's 8 MiB.
    let cond = format!(
        "{}child.looked_after{}",
        "(".repeat(MAX_NESTING - 1),
        ")".repeat(MAX_NESTING - 1)
    );
    assert!(bounded_stack(8, Duration::from_secs(20), move || compile(
        &rule("R", &cond)
    )
    .is_ok()));
}

#[test]
fn ten_thousand_nots_are_an_error_not_a_stack_overflow() {
    let e = bounded(Duration::from_secs(20), || {
        compile(&rule(
            "R",
            &format!("{}child.looked_after", "not ".repeat(10_000)),
        ))
        .unwrap_err()
    });
    assert_eq!(codes(&e), vec!["too-deep"]);
    assert!(e.diagnostics[0]
        .message
        .contains(&format!("more than {MAX_NOTS}")));
    let e = bounded(Duration::from_secs(20), || {
        compile(&rule(
            "R",
            &format!(
                "{}child.looked_after{}",
                "not (".repeat(10_000),
                ")".repeat(10_000)
            ),
        ))
        .unwrap_err()
    });
    assert_eq!(codes(&e), vec!["too-deep"]);
    assert!(bounded(Duration::from_secs(20), || compile(&rule(
        "R",
        &format!("{}child.looked_after", "not ".repeat(MAX_NOTS))
    ))
    .is_ok()));
}

#[test]
fn fifty_thousand_operands_compile_evaluate_format_and_drop() {
    bounded(Duration::from_secs(60), || {
        let cond = vec!["a"; 50_000].join(" and ");
        let text = format!(
            "define a = child.looked_after\ndefine big = {cond}\n{}",
            rule("R", "big or child.looked_after = false")
        );
        assert!(text.len() < MAX_RULES_BYTES);
        let rules = compile_ok(&text);
        let yes = json!({"plan_id": "p", "child": {"looked_after": true}});
        let report = check(&rules, &yes);
        assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Fires);
        assert_eq!(
            report.outcome("R").unwrap().evidence.len(),
            1,
            "evidence is deduplicated"
        );
        let report = check(&rules, &json!({"plan_id": "p"}));
        assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Unknown);
        let x = rules
            .explain("R", yes.to_string().as_bytes(), &opts())
            .unwrap();
        assert_eq!(x.outcome, OutcomeKind::Fires);
        let formatted = careprompt::format_source("big.cpr", &text).unwrap();
        assert_eq!(
            careprompt::parse_source("f.cpr", &formatted).unwrap(),
            careprompt::parse_source("big.cpr", &text).unwrap()
        );
        let or_chain = vec!["child.looked_after = false"; 30_000].join(" or ");
        let rules = compile_ok(&rule("R", &or_chain));
        assert_eq!(
            check(&rules, &yes).outcome("R").unwrap().outcome,
            OutcomeKind::Clear
        );
        drop(rules);
    });
}

#[test]
fn many_comments_and_operands_parse_in_linear_time() {
    // Comment attachment used to scan from the start of the file for every
    // operand: quadratic in a large file.
    bounded(Duration::from_secs(30), || {
        let mut text = String::from("define big =\n");
        for i in 0..30_000 {
            text.push_str(if i == 0 {
                "  child.looked_after # c\n"
            } else {
                "  and child.looked_after # c\n"
            });
        }
        assert!(text.len() < MAX_RULES_BYTES);
        let file = careprompt::parse_source("c.cpr", &text).unwrap();
        assert_eq!(file.items.len(), 1);
    });
}

#[test]
fn definitions_that_double_are_stopped_at_the_size_limit() {
    // Each definition uses the one before twice: 2^40 conditions if expanded.
    let mut text = String::from("define d0 = child.looked_after\n");
    for i in 1..=40 {
        text.push_str(&format!("define d{i} = d{} and d{}\n", i - 1, i - 1));
    }
    text.push_str(&rule("R", "d40"));
    let e = bounded(Duration::from_secs(60), move || compile(&text).unwrap_err());
    assert_eq!(codes(&e), vec!["too-deep"]);
    assert!(
        e.diagnostics[0]
            .message
            .contains(&MAX_CONDITIONS.to_string()),
        "{}",
        e.diagnostics[0].message
    );
}

#[test]
fn definition_chains_are_stopped_at_the_depth_limit() {
    let mut text = String::from("define d0 = child.looked_after\n");
    for i in 1..=10_000 {
        text.push_str(&format!("define d{i} = not d{}\n", i - 1));
    }
    text.push_str(&rule("R", "d10000"));
    let e = bounded(Duration::from_secs(60), move || compile(&text).unwrap_err());
    assert!(codes(&e).contains(&"too-deep"), "{e}");
    assert!(
        e.diagnostics[0]
            .message
            .contains(&MAX_CONDITION_DEPTH.to_string()),
        "{}",
        e.diagnostics[0].message
    );
    // A chain within the limit compiles and evaluates.
    let mut text = String::from("define d0 = child.looked_after\n");
    for i in 1..=50 {
        text.push_str(&format!("define d{i} = not d{}\n", i - 1));
    }
    text.push_str(&rule("R", "d50"));
    let rules = compile_ok(&text);
    let report = check(&rules, &json!({"child": {"looked_after": true}}));
    assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Fires);
}

#[test]
fn a_flood_of_errors_is_capped() {
    // 100,000 broken rules in one file: every one is a problem, but building
    // a located diagnostic scans the file, so only the first few hundred are.
    let text = "rule A{}\n".repeat(100_000);
    let e = bounded(Duration::from_secs(60), move || compile(&text).unwrap_err());
    assert_eq!(e.diagnostics.len(), MAX_DIAGNOSTICS + 1);
    let last = e.diagnostics.last().unwrap();
    assert_eq!(last.code, "too-many-errors");
    assert!(
        last.message.contains("more problem(s) not shown"),
        "{}",
        last.message
    );
}

/// Entries and bytes of text in a trace.
fn trace_size(n: &careprompt::explain::TraceNode) -> (usize, usize) {
    n.children.iter().map(trace_size).fold(
        (
            1,
            n.condition.len() + n.values.iter().map(String::len).sum::<usize>(),
        ),
        |(e, t), (ce, ct)| (e + ce, t + ct),
    )
}

/// Issue 14: an explanation's trace grew as rule size times list length
/// (a legal 840 KB rule over 10,000-element lists used 24 GB). The trace
/// now holds at most `MAX_TRACE_ENTRIES` entries and `MAX_TRACE_TEXT`
/// bytes of text, and says when it was cut; the outcome is the check's.
#[test]
fn an_explanation_trace_is_bounded_by_entries_and_says_when_it_is_cut() {
    use careprompt::explain::{MAX_TRACE_ENTRIES, MAX_TRACE_TEXT};
    // A wide condition inside a list's `where`: 10,000 elements of 60
    // comparisons each is 610,000 entries untraced, and 10,000 copies of
    // the condition's text.
    let wide: Vec<String> = (0..60)
        .map(|i| format!("distance_miles = {}", 1000 + i))
        .collect();
    let rules = compile_ok(&rule(
        "R",
        &format!("any placements where ({})", wide.join(" or ")),
    ));
    let plan = json!({"plan_id": "p",
        "placements": vec![json!({"distance_miles": 3, "start_date": "2020-01-01"}); MAX_LIST_LEN]});
    let bytes = plan.to_string();
    let x = bounded(Duration::from_secs(60), move || {
        rules.explain("R", bytes.as_bytes(), &opts()).unwrap()
    });
    let (entries, text) = trace_size(&x.trace);
    assert!(entries <= MAX_TRACE_ENTRIES, "{entries} entries");
    assert!(text <= MAX_TRACE_TEXT + 4096, "{text} bytes");
    assert!(
        entries > MAX_TRACE_ENTRIES / 2,
        "{entries}: cut far too early"
    );
    let note = x.note.as_deref().unwrap_or_default();
    assert!(note.contains("cut short"), "{note:?}");
    assert!(x.render().contains("note: the trace is cut short"));
    assert!(serde_json::to_value(&x).unwrap()["note"].is_string());
    assert_eq!(x.outcome, OutcomeKind::Clear);
    // A small explanation is whole, with no note.
    let rules = compile_ok(&rule("R", "any placements where (distance_miles > 2)"));
    let small = rules
        .explain("R", br#"{"placements": [{"distance_miles": 3}]}"#, &opts())
        .unwrap();
    assert_eq!(small.note, None);
    assert_eq!(trace_size(&small.trace).0, 3);
    assert!(!serde_json::to_string(&small).unwrap().contains("note"));
}

#[test]
fn evaluation_is_bounded_by_rules_times_plan_size() {
    // Four lists looked through inside each other: 300^4 element visits
    // without a budget. With it the rule is reported unknown, with a warning.
    let rules = compile_ok(&rule(
        "R",
        "any crisis.arrests where (any crisis.self_harm_incidents where (any crisis.ae_attendances where \
         (any crisis.missing_episodes where (start_date = 2000-01-01))))",
    ));
    let list = |field: &str| vec![json!({ field: "2020-01-01" }); 300];
    let plan = json!({"plan_id": "p", "crisis": {
        "arrests": list("date"), "self_harm_incidents": list("date"),
        "ae_attendances": list("date"), "missing_episodes": list("start_date")
    }});
    let bytes = plan.to_string();
    let (report, kinds) = bounded(Duration::from_secs(30), move || {
        let report = rules.check_json(bytes.as_bytes(), &opts()).unwrap();
        let kinds = rules.outcomes_json(bytes.as_bytes(), &opts()).unwrap();
        let x = rules.explain("R", bytes.as_bytes(), &opts()).unwrap();
        assert_eq!(x.outcome, OutcomeKind::Unknown);
        (report, kinds)
    });
    assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Unknown);
    assert_eq!(kinds, vec![OutcomeKind::Unknown]);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("rule `R` needs more work")),
        "{:?}",
        report.warnings
    );
    // The same rule on a small plan is decided as usual.
    let rules = compile_ok(&rule(
        "R",
        "any crisis.arrests where (any crisis.self_harm_incidents where (any crisis.ae_attendances where \
         (any crisis.missing_episodes where (start_date = 2020-01-01))))",
    ));
    let small = json!({"plan_id": "p", "crisis": {
        "arrests": [{"date": "2020-01-01"}], "self_harm_incidents": [{"date": "2020-01-01"}],
        "ae_attendances": [{"date": "2020-01-01"}], "missing_episodes": [{"start_date": "2020-01-01"}]
    }});
    let report = check(&rules, &small);
    assert_eq!(report.outcome("R").unwrap().outcome, OutcomeKind::Fires);
    assert!(report.warnings.is_empty());
}

#[test]
fn odd_rules_text_gives_diagnostics_not_panics() {
    let cases = [
        "\u{0}",
        "rule",
        "rule {",
        "rule X { when }",
        "rule X { title \"unterminated",
        "rule X { title \"\\q\" }",
        "const x = 2024-02-30",
        "const x = 1.5 months",
        "define = child.looked_after",
        "rule \u{1F600} {}",
        "import \"\"",
        "import \"../../../../../../etc/passwd\"",
        "override nothing = 1",
        "#",
        "\r\n\r\n",
    ];
    for text in cases {
        if let Err(e) = compile(text) {
            assert!(!e.diagnostics.is_empty(), "{text:?}");
            for d in &e.diagnostics {
                let _ = d.render();
            }
        }
    }
}

#[test]
fn a_very_long_unknown_name_is_reported_quickly() {
    // Suggestions compare names by edit distance, which is quadratic in
    // their lengths; a name far longer than any candidate is not compared.
    let e = bounded(Duration::from_secs(20), || {
        let name = "x".repeat(MAX_RULES_BYTES / 3);
        compile(&rule("R", &format!("{name} and child.{name}"))).unwrap_err()
    });
    assert!(
        codes(&e).iter().all(|c| *c == "unknown-field"),
        "{:?}",
        codes(&e)
    );
}
