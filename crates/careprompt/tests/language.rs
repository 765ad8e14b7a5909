//! The rules language end to end: every construct compiles and decides as
//! documented in docs/language.md; mistakes give located errors with help.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use careprompt::{CheckOptions, CompileOptions, Date, OutcomeKind, Report, RuleSet, Source};
use serde_json::json;

mod common;
use common::opts;

/// Wraps a condition in a rule with id `R`.
fn rule(cond: &str) -> String {
    format!(
        "rule R {{\n  title \"t\"\n  theme \"T\"\n  kind risk\n  severity high\n  learning \"L\" section \"S\"\n  when {cond}\n  prompt \"p\"\n  next \"n\"\n}}\n"
    )
}

use common::{compile_err, compile_ok as compile};

fn run(rules: &RuleSet, plan: serde_json::Value) -> Report {
    common::check(rules, &plan)
}

fn outcome(cond: &str, plan: serde_json::Value) -> OutcomeKind {
    let rules = compile(&rule(cond));
    run(&rules, plan).outcome("R").unwrap().outcome
}

use OutcomeKind::{Clear, Fires, Unknown};

/// A rules file with every construct of the language.
const EVERY_CONSTRUCT: &str = r#"
# Constants, with an override below.
const pep_review_interval = 1 term
const sdq_concern = 17
const emergency_run = 3
const home_la = "Leeds"
const care_start = 2020-01-01
const strict = true
override sdq_concern = 16

define looked_after_with_mental_health_needs =
  child.looked_after = true
  and (child.mental_health_needs or any health.diagnoses where (category = "mental_health" and formal))

define emergency_placement = emergency = true or short_term = true

rule ALL-01 {
  title "Every construct"
  theme "Test"
  kind practice
  severity medium
  learning "Children's Mental Health JTAI" section "Education"
  when
    looked_after_with_mental_health_needs
    and not education.virtual_school.involved
    and child.legal_status in ["C1", "C2"]
    and child.legal_status not in ["V2"]
    and child.home_local_authority != home_la
    and child.home_local_authority starts with "brad"
    and education.school.name contains "academy"
    and child.neurodiversity contains "adhd"
    and education.pep exists
    and education.ehcp missing
    and education.pep.last_reviewed more than pep_review_interval ago
    and health.camhs.referral_date within 6 months
    and age of child.date_of_birth >= 12
    and child.date_of_birth > 2005-01-01
    and count placements where (emergency_placement and start_date within 1 year) >= emergency_run
    and count placements >= 3
    and all placements where (start_date >= care_start)
    and none crisis.ae_attendances where (other_medical_need = false and not used_as_place_of_safety)
    and any placements where (any health.inpatient_episodes where (admitted >= start_date))
    and (strict or false)
    and any health.sdq_scores where (total >= sdq_concern and total <= 40.0 and date within 2 years)
    and (any crisis.missing_episodes or child.looked_after)
  prompt "p"
  next "n1"
  next "n2"
}
"#;

#[test]
fn a_file_using_every_construct_compiles() {
    let rules = compile(EVERY_CONSTRUCT);
    assert_eq!(rules.rules().len(), 1);
    let paths = rules.read_paths();
    for p in [
        "child.looked_after",
        "placements",
        "placements[].start_date",
        "health.diagnoses[].category",
        "health.inpatient_episodes",
    ] {
        assert!(paths.contains(p), "read paths lack {p}: {paths:?}");
    }
    assert!(
        !paths.contains("voice.reviews"),
        "a path no rule reads is not read"
    );
}

fn full_plan() -> serde_json::Value {
    json!({
        "child": {
            "looked_after": true, "mental_health_needs": false, "legal_status": "C2",
            "home_local_authority": "Bradford", "neurodiversity": ["ADHD"], "date_of_birth": "2012-05-01"
        },
        "health": {
            "diagnoses": [{"category": "physical", "formal": true}, {"category": "mental_health", "formal": true}],
            "camhs": {"referral_date": "2026-09-01"},
            "inpatient_episodes": [{"admitted": "2026-06-01"}],
            "sdq_scores": [{"total": 12, "date": "2026-01-01"}, {"total": 18, "date": "2026-02-01"}]
        },
        "education": {
            "virtual_school": {"involved": false},
            "school": {"name": "Northfield Academy"},
            "pep": {"last_reviewed": "2026-01-10"},
            "ehcp": null
        },
        "placements": [
            {"start_date": "2026-01-05", "emergency": true},
            {"start_date": "2026-03-05", "short_term": true, "emergency": false},
            {"start_date": "2026-05-05", "emergency": true}
        ],
        "crisis": {"ae_attendances": [{"other_medical_need": true, "used_as_place_of_safety": false}], "missing_episodes": []}
    })
}

#[test]
fn every_construct_decides_on_a_full_plan() {
    let rules = compile(EVERY_CONSTRUCT);
    let report = run(&rules, full_plan());
    let o = report.outcome("ALL-01").unwrap();
    assert_eq!(o.outcome, Fires, "{o:#?}");
    let paths: Vec<&str> = o.evidence.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"health.diagnoses[1].category"), "{paths:?}");
    assert!(paths.contains(&"placements[2].start_date"), "{paths:?}");
    assert!(
        !paths.contains(&"health.diagnoses[0].category"),
        "a non-matching element is not evidence: {paths:?}"
    );
    // Drop the second diagnosis's category: now it depends on missing data.
    let mut plan = full_plan();
    plan["health"]["diagnoses"][1]
        .as_object_mut()
        .unwrap()
        .remove("category");
    let o = run(&rules, plan).outcome("ALL-01").unwrap().clone();
    assert_eq!(o.outcome, Unknown);
    assert_eq!(o.missing, vec!["health.diagnoses[1].category".to_string()]);
}

#[test]
fn comparisons_and_literals() {
    let p = json!({"child": {"date_of_birth": "2012-05-01", "legal_status": "C2", "looked_after": true}, "placements": [{"distance_miles": 25.5}]});
    assert_eq!(
        outcome("child.date_of_birth < 2013-01-01", p.clone()),
        Fires
    );
    assert_eq!(
        outcome("child.date_of_birth >= 2013-01-01", p.clone()),
        Clear
    );
    assert_eq!(
        outcome("child.date_of_birth = 2012-05-01", p.clone()),
        Fires
    );
    assert_eq!(outcome("child.legal_status = \"C2\"", p.clone()), Fires);
    assert_eq!(outcome("child.legal_status != \"C2\"", p.clone()), Clear);
    assert_eq!(outcome("child.looked_after = false", p.clone()), Clear);
    assert_eq!(outcome("child.looked_after", p.clone()), Fires);
    assert_eq!(
        outcome("any placements where (distance_miles > 20)", p.clone()),
        Fires
    );
    assert_eq!(
        outcome("any placements where (distance_miles <= 25.4)", p.clone()),
        Clear
    );
    assert_eq!(
        outcome("child.home_local_authority = \"Leeds\"", p),
        Unknown
    );
}

#[test]
fn text_predicates_ignore_case_and_membership_is_exact() {
    let p = json!({"child": {"home_local_authority": "Bradford", "legal_status": "C2", "neurodiversity": ["Autism", "adhd"]}});
    assert_eq!(
        outcome("child.home_local_authority contains \"ADF\"", p.clone()),
        Fires
    );
    assert_eq!(
        outcome("child.home_local_authority starts with \"bRAD\"", p.clone()),
        Fires
    );
    assert_eq!(
        outcome("child.home_local_authority starts with \"ford\"", p.clone()),
        Clear
    );
    assert_eq!(
        outcome("child.neurodiversity contains \"autism\"", p.clone()),
        Fires
    );
    assert_eq!(
        outcome("child.neurodiversity contains \"dyslexia\"", p.clone()),
        Clear
    );
    assert_eq!(
        outcome("child.legal_status in [\"C1\", \"C2\"]", p.clone()),
        Fires
    );
    assert_eq!(
        outcome("child.legal_status not in [\"C1\", \"C2\"]", p.clone()),
        Clear
    );
    assert_eq!(outcome("child.disabilities contains \"x\"", p), Unknown);
}

/// Absent means not known: `exists` and `missing` are unknown on a field
/// left out, and decided only on a value or an explicit none (`null`, `[]`).
/// (Before the absence model they were never unknown, so a gap could make a
/// rule fire or clear.)
#[test]
fn presence_is_unknown_on_a_gap_and_decided_on_an_explicit_none() {
    let p = json!({"education": {"pep": {"in_place": true}, "ehcp": null, "school_moves": []}});
    assert_eq!(outcome("education.pep exists", p.clone()), Fires);
    assert_eq!(outcome("education.pep missing", p.clone()), Clear);
    assert_eq!(outcome("education.ehcp missing", p.clone()), Fires);
    assert_eq!(outcome("education.ehcp exists", p.clone()), Clear);
    assert_eq!(outcome("education.school_moves missing", p.clone()), Fires);
    assert_eq!(
        outcome("education.virtual_school missing", p.clone()),
        Unknown
    );
    assert_eq!(
        outcome("education.virtual_school.involved exists", p.clone()),
        Unknown
    );
    assert_eq!(outcome("child missing", json!({})), Unknown);
    assert_eq!(outcome("not education.pep.in_place exists", p), Clear);
}

#[test]
fn dates_relative_to_the_evaluation_date() {
    // As of 2026-11-26: 6 months ago is 2026-05-26, 1 term ago 2026-07-26.
    let at = |d: &str| json!({"education": {"pep": {"last_reviewed": d}}});
    assert_eq!(
        outcome(
            "education.pep.last_reviewed within 6 months",
            at("2026-05-26")
        ),
        Fires
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed within 6 months",
            at("2026-05-25")
        ),
        Clear
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed within 6 months",
            at("2026-12-01")
        ),
        Clear,
        "a future date is not within the last 6 months"
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed more than 1 term ago",
            at("2026-07-25")
        ),
        Fires
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed more than 1 term ago",
            at("2026-07-26")
        ),
        Clear
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed within 2 weeks",
            at("2026-11-12")
        ),
        Fires
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed within 10 days",
            at("2026-11-15")
        ),
        Clear
    );
    assert_eq!(
        outcome(
            "education.pep.last_reviewed more than 1 year ago",
            at("2025-11-25")
        ),
        Fires
    );
    assert_eq!(
        outcome("education.pep.last_reviewed within 6 months", json!({})),
        Unknown
    );
}

#[test]
fn age_at_the_evaluation_date() {
    let born = |d: &str| json!({"child": {"date_of_birth": d}});
    assert_eq!(
        outcome("age of child.date_of_birth >= 14", born("2012-11-26")),
        Fires
    );
    assert_eq!(
        outcome("age of child.date_of_birth >= 14", born("2012-11-27")),
        Clear
    );
    assert_eq!(
        outcome("age of child.date_of_birth < 18", json!({"child": {}})),
        Unknown
    );
}

#[test]
fn quantifiers_over_empty_and_missing_lists() {
    let empty = json!({"placements": []});
    let missing = json!({});
    assert_eq!(
        outcome("any placements where (emergency)", empty.clone()),
        Clear
    );
    assert_eq!(
        outcome("all placements where (emergency)", empty.clone()),
        Fires,
        "all over an empty list holds"
    );
    assert_eq!(
        outcome("none placements where (emergency)", empty.clone()),
        Fires
    );
    assert_eq!(
        outcome("count placements where (emergency) = 0", empty.clone()),
        Fires
    );
    assert_eq!(outcome("any placements", empty), Clear);
    for q in [
        "any placements where (emergency)",
        "all placements where (emergency)",
        "none placements where (emergency)",
        "count placements >= 0",
        "any placements",
    ] {
        assert_eq!(
            outcome(q, missing.clone()),
            Unknown,
            "{q} over a missing list"
        );
    }
}

#[test]
fn quantifiers_with_unknown_elements() {
    let p = json!({"placements": [{"emergency": false}, {}, {"emergency": true}]});
    assert_eq!(
        outcome("any placements where (emergency)", p.clone()),
        Fires,
        "one true element decides any"
    );
    assert_eq!(
        outcome("all placements where (emergency)", p.clone()),
        Clear,
        "one false element decides all"
    );
    let q = json!({"placements": [{"emergency": false}, {}]});
    assert_eq!(
        outcome("any placements where (emergency)", q.clone()),
        Unknown
    );
    assert_eq!(
        outcome("none placements where (emergency)", q.clone()),
        Unknown
    );
    let r = json!({"placements": [{"emergency": true}, {}]});
    assert_eq!(outcome("all placements where (emergency)", r), Unknown);
    // Counts over partly unknown lists are ranges: 1 known true, 2 unknown.
    let s = json!({"placements": [{"emergency": true}, {}, {}, {"emergency": false}]});
    assert_eq!(
        outcome("count placements where (emergency) >= 1", s.clone()),
        Fires
    );
    assert_eq!(
        outcome("count placements where (emergency) >= 2", s.clone()),
        Unknown
    );
    assert_eq!(
        outcome("count placements where (emergency) >= 4", s.clone()),
        Clear
    );
    assert_eq!(outcome("count placements where (emergency) < 4", s), Fires);
}

#[test]
fn nested_quantifiers_reach_outer_scopes() {
    // An A&E attendance on the day a placement started.
    let p = json!({
        "placements": [{"start_date": "2026-01-01"}, {"start_date": "2026-03-01"}],
        "crisis": {"ae_attendances": [{"date": "2026-03-01"}]}
    });
    let rules = compile(&rule(
        "any placements where (any crisis.ae_attendances where (date = start_date))",
    ));
    let r = run(&rules, p);
    let o = r.outcome("R").unwrap();
    assert_eq!(o.outcome, Fires);
    let paths: Vec<&str> = o.evidence.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        ["crisis.ae_attendances[0].date", "placements[1].start_date"]
    );
}

/// Kleene's truth tables, through the engine: a and b over three plans each.
#[test]
fn three_valued_truth_tables() {
    let val = |v: Option<bool>| match v {
        Some(b) => json!(b),
        None => serde_json::Value::Null,
    };
    let vals = [Some(false), Some(true), None];
    let expect_and = [
        [Clear, Clear, Clear],
        [Clear, Fires, Unknown],
        [Clear, Unknown, Unknown],
    ];
    let expect_or = [
        [Clear, Fires, Unknown],
        [Fires, Fires, Fires],
        [Unknown, Fires, Unknown],
    ];
    let and_rules = compile(&rule("child.looked_after and child.mental_health_needs"));
    let or_rules = compile(&rule("child.looked_after or child.mental_health_needs"));
    let not_rules = compile(&rule("not child.looked_after"));
    for (i, a) in vals.iter().enumerate() {
        for (j, b) in vals.iter().enumerate() {
            let plan = json!({"child": {"looked_after": val(*a), "mental_health_needs": val(*b)}});
            assert_eq!(
                run(&and_rules, plan.clone()).outcome("R").unwrap().outcome,
                expect_and[i][j],
                "{a:?} and {b:?}"
            );
            assert_eq!(
                run(&or_rules, plan.clone()).outcome("R").unwrap().outcome,
                expect_or[i][j],
                "{a:?} or {b:?}"
            );
        }
        let plan = json!({"child": {"looked_after": val(*a)}});
        let expected = match a {
            Some(false) => Fires,
            Some(true) => Clear,
            None => Unknown,
        };
        assert_eq!(
            run(&not_rules, plan).outcome("R").unwrap().outcome,
            expected
        );
    }
}

#[test]
fn unknown_lists_only_the_fields_that_kept_it_undecided() {
    let rules = compile(&rule("child.looked_after and (education.pep.in_place = false or education.virtual_school.involved = false)"));
    let o = run(&rules, json!({"child": {"looked_after": true}}))
        .outcome("R")
        .unwrap()
        .clone();
    assert_eq!(o.outcome, Unknown);
    assert_eq!(
        o.missing,
        [
            "education.pep.in_place",
            "education.virtual_school.involved"
        ]
    );
    // A false operand decides the `and`: nothing is missing and it is clear.
    let o = run(&rules, json!({"child": {"looked_after": false}}))
        .outcome("R")
        .unwrap()
        .clone();
    assert_eq!(o.outcome, Clear);
    assert!(o.missing.is_empty());
}

#[test]
fn definitions_expand_in_the_scope_where_they_are_used() {
    let text = format!(
        "define emergency_like = emergency or short_term\n{}",
        rule("count placements where (emergency_like) >= 2")
    );
    let rules = compile(&text);
    let p = json!({"placements": [{"emergency": true}, {"short_term": true, "emergency": false}, {"emergency": false, "short_term": false}]});
    assert_eq!(run(&rules, p).outcome("R").unwrap().outcome, Fires);
}

#[test]
fn constants_can_be_overridden_by_a_pack_and_by_the_caller() {
    let base = format!(
        "const threshold = 17\n{}",
        rule("any health.sdq_scores where (total >= threshold)")
    );
    let plan = json!({"health": {"sdq_scores": [{"total": 16}]}});
    assert_eq!(
        run(&compile(&base), plan.clone())
            .outcome("R")
            .unwrap()
            .outcome,
        Clear
    );
    let local = RuleSet::compile(&[
        Source::new("base.cpr", base.clone()),
        Source::new("local.cpr", "override threshold = 15\n"),
    ])
    .unwrap();
    assert_eq!(
        run(&local, plan.clone()).outcome("R").unwrap().outcome,
        Fires
    );
    let options = CompileOptions {
        overrides: vec![("threshold".into(), "16".into())],
        ..Default::default()
    };
    let by_caller =
        RuleSet::compile_with(&[Source::new("base.cpr", base.clone())], &options).unwrap();
    assert_eq!(run(&by_caller, plan).outcome("R").unwrap().outcome, Fires);
    let wrong = CompileOptions {
        overrides: vec![("treshold".into(), "16".into())],
        ..Default::default()
    };
    let err = RuleSet::compile_with(&[Source::new("base.cpr", base)], &wrong).unwrap_err();
    assert_eq!(
        err.diagnostics[0].help.as_deref(),
        Some("did you mean `threshold`?")
    );
}

#[test]
fn comments_are_allowed_everywhere() {
    let text = "# a comment\nconst x = 3 # trailing\nrule R { # after brace\n  title \"t\" # c\n  theme \"T\"\n  kind risk\n  severity low\n  when # c\n    count placements >= x # c\n    and true # c\n  prompt \"p\"\n} # end\n";
    let plan = json!({"placements": [{}, {}, {}]});
    assert_eq!(
        run(&compile(text), plan).outcome("R").unwrap().outcome,
        Fires
    );
}

// --- errors at the right place, with help ---

fn single(e: &careprompt::CompileError) -> &careprompt::Diagnostic {
    assert!(!e.diagnostics.is_empty());
    &e.diagnostics[0]
}

#[test]
fn a_misspelt_field_is_located_with_a_suggestion() {
    let e = compile_err(&rule("child.date_of_brith < 2010-01-01"));
    let d = single(&e);
    assert_eq!(d.code, "unknown-field");
    assert_eq!((d.line, d.column), (7, 14), "{}", d.render());
    assert_eq!(d.message, "unknown field `child.date_of_brith`");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `child.date_of_birth`?")
    );
    // Inside a quantifier, element fields are suggested.
    let e = compile_err(&rule("any placements where (emergncy)"));
    assert_eq!(
        single(&e).help.as_deref(),
        Some("did you mean `emergency`?")
    );
    assert_eq!(single(&e).column, 30);
}

#[test]
fn comparing_a_date_with_a_number_is_a_type_error() {
    let e = compile_err(&rule("child.date_of_birth > 12"));
    let d = single(&e);
    assert_eq!(d.code, "type-mismatch");
    assert_eq!((d.line, d.column), (7, 8));
    assert!(d.message.contains("cannot compare a date"), "{}", d.message);
    assert!(
        d.help.as_deref().unwrap().contains("within"),
        "{:?}",
        d.help
    );
    let e = compile_err(&rule("child.date_of_birth = \"2010-01-01\""));
    assert_eq!(
        single(&e).help.as_deref(),
        Some("write dates without quotes: 2024-09-01")
    );
    let e = compile_err(&rule("child.legal_status = \"C9\""));
    assert_eq!(single(&e).code, "unknown-value");
    let e = compile_err(&rule("child.legal_status"));
    assert!(single(&e).message.contains("not a condition"));
}

#[test]
fn a_syntax_error_points_at_the_token() {
    let text = rule("child.looked_after = true and and child.mental_health_needs");
    let e = compile_err(&text);
    let d = single(&e);
    assert_eq!(d.code, "syntax");
    assert_eq!((d.line, d.column), (7, 38), "{}", d.render());
    assert!(d.message.contains("found `and`"), "{}", d.message);
    assert!(d.help.is_some());
    // A missing quote at the end of a title.
    let e = compile_err("rule R {\n  title \"unclosed\n}\n");
    assert_eq!(single(&e).line, 2);
    // `==` gets specific help.
    let e = compile_err(&rule("child.looked_after == true"));
    assert_eq!(
        single(&e).help.as_deref(),
        Some("compare with a single `=`")
    );
    assert_eq!(single(&e).column, 28, "points at the second `=`");
}

#[test]
fn a_definition_that_refers_to_itself_is_an_error() {
    let e = compile_err(&format!(
        "define a = b\ndefine b = a or child.looked_after\n{}",
        rule("a")
    ));
    let d = e
        .diagnostics
        .iter()
        .find(|d| d.code == "cycle")
        .expect("a cycle error");
    assert!(d.message.contains("refers to itself"), "{}", d.message);
    let e = compile_err("define a = not a\n");
    assert!(e.diagnostics.iter().any(|d| d.code == "cycle"));
}

#[test]
fn rules_need_their_fields_and_unique_ids() {
    let e = compile_err("rule R {\n  title \"t\"\n}\n");
    assert!(
        single(&e).message.contains("has no `theme`"),
        "{}",
        single(&e).message
    );
    let e = compile_err(&format!("{}{}", rule("true"), rule("true")));
    assert_eq!(single(&e).code, "duplicate");
    assert_eq!(single(&e).line, 11);
}

#[test]
fn imports_resolve_relative_and_refuse_cycles() {
    let a = Source::new("pack/a.cpr", "import \"lib/b.cpr\"\nrule R {\n title \"t\"\n theme \"T\"\n kind risk\n severity low\n when flag\n prompt \"p\"\n}\n");
    let b = Source::new("pack/lib/b.cpr", "define flag = child.looked_after\n");
    assert!(RuleSet::compile(&[a.clone(), b]).is_ok());
    let e = RuleSet::compile(std::slice::from_ref(&a)).unwrap_err();
    assert_eq!(e.diagnostics[0].code, "import");
    assert!(e.diagnostics[0].message.contains("lib/b.cpr"));
    let selfish = Source::new("x.cpr", "import \"x.cpr\"\n");
    let e = RuleSet::compile(&[selfish]).unwrap_err();
    assert_eq!(e.diagnostics[0].code, "import-cycle");
    let p = Source::new("p.cpr", "import \"q.cpr\"\n");
    let q = Source::new("q.cpr", "import \"p.cpr\"\n");
    assert_eq!(
        RuleSet::compile(&[p, q]).unwrap_err().diagnostics[0].code,
        "import-cycle"
    );
}

#[test]
fn diagnostics_serialise_for_javascript() {
    let e = compile_err(&rule("child.date_of_brith < 2010-01-01"));
    let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["line"], 7);
    assert_eq!(d["column"], 14);
    assert_eq!(d["file"], "test.cpr");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["help"], "did you mean `child.date_of_birth`?");
}

#[test]
fn a_rule_set_is_send_and_sync_and_reused() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RuleSet>();
    let rules = compile(&rule("child.looked_after"));
    let handles: Vec<OutcomeKind> = std::thread::scope(|s| {
        let spawned: Vec<_> = (0..4)
            .map(|i| {
                let rules = &rules;
                s.spawn(move || {
                    run(rules, json!({"child": {"looked_after": i % 2 == 0}}))
                        .outcome("R")
                        .unwrap()
                        .outcome
                })
            })
            .collect();
        spawned.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(handles, [Fires, Clear, Fires, Clear]);
}

#[test]
fn the_builtin_pack_compiles_and_reads_a_subset_of_the_schema() {
    let rules = RuleSet::builtin().unwrap();
    assert!(rules.rules().len() >= 25);
    assert!(rules.read_paths().contains("child.looked_after"));
}

#[test]
fn check_value_matches_check_json() {
    let rules = RuleSet::builtin().unwrap();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/plans")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let a = rules.check_json(&bytes, &opts()).unwrap();
        let b = rules.check_value(&value, &opts()).unwrap();
        assert_eq!(a.to_json(), b.to_json(), "{}", path.display());
        let outcomes = rules.outcomes_json(&bytes, &opts()).unwrap();
        assert_eq!(
            outcomes,
            a.outcomes.iter().map(|o| o.outcome).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_prepared_plan_gives_what_check_json_gives_on_every_date() {
    let rules = RuleSet::builtin().unwrap();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/plans")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let prepared = rules.prepare(&bytes).unwrap();
        for as_of in ["2024-01-31", "2026-02-28", "2026-11-26", "2028-02-29"] {
            let options = CheckOptions::new(Date::parse(as_of).unwrap());
            let report = rules.check_json(&bytes, &options).unwrap();
            assert_eq!(
                prepared.report(&options).to_json(),
                report.to_json(),
                "{} on {as_of}",
                path.display()
            );
            assert_eq!(
                prepared.outcomes(&options),
                rules.outcomes_json(&bytes, &options).unwrap()
            );
            // The reading warnings come first; the date warnings that
            // follow depend on the evaluation date (a record dated after it).
            assert!(report.warnings.starts_with(prepared.warnings()));
        }
    }
    assert!(rules.prepare(b"[1]").is_err());
}

#[test]
fn a_json_error_points_at_the_bad_token_and_an_early_end_at_the_last_character() {
    let rules = RuleSet::builtin().unwrap();
    let e = rules
        .check_json(
            b"{\n  \"child\": {\n    \"looked_after\": tru\n  }\n}\n",
            &opts(),
        )
        .unwrap_err();
    // At the start of `tru`, not after the line break that follows it.
    assert_eq!((e.line, e.column), (3, 21), "{e:?}");
    let e = rules
        .check_json(b"{\n  \"child\": {}\n", &opts())
        .unwrap_err();
    // Just after the last character, not on the empty line after it.
    assert_eq!((e.line, e.column), (2, 14), "{e:?}");
}

#[test]
fn explain_shows_each_condition_and_each_list_element() {
    let rules = compile(&rule(
        "child.looked_after and any placements where (emergency and start_date within 1 year)",
    ));
    let plan = json!({"child": {"looked_after": true}, "placements": [{"emergency": false, "start_date": "2026-01-01"}, {"emergency": true}]});
    let x = rules
        .explain("R", plan.to_string().as_bytes(), &opts())
        .unwrap();
    assert_eq!(x.outcome, Unknown);
    let text = x.render();
    assert!(text.contains("[unknown] child.looked_after and any placements where (emergency and start_date within 1 year)"), "{text}");
    assert!(text.contains("[true   ] child.looked_after"), "{text}");
    assert!(text.contains("child.looked_after = true"), "{text}");
    assert!(text.contains("[false  ] placements[0]"), "{text}");
    assert!(text.contains("[unknown] placements[1]"), "{text}");
    assert!(
        text.contains("placements[1].start_date is missing"),
        "{text}"
    );
    let err = rules.explain("Q", b"{}", &opts()).unwrap_err();
    assert_eq!(err.to_string(), "no rule has the id `Q`; did you mean `R`?");
}

#[test]
fn an_outcome_carries_the_prompt_and_next_steps_only_when_it_fires() {
    let rules = compile(
        r#"rule R-1 {
  title "Looked after"
  theme "Stability"
  kind practice
  severity medium
  learning "Review" section "Stability"
  when child.looked_after = true
  prompt "Consider the virtual school."
  next "Ask the virtual school."
  next "Record the answer."
}
"#,
    );
    let fired = run(&rules, json!({"child": {"looked_after": true}}));
    let o = fired.outcome("R-1").unwrap();
    assert_eq!(o.outcome, Fires);
    assert_eq!(
        (o.rule(), o.title(), o.theme()),
        ("R-1", "Looked after", "Stability")
    );
    assert_eq!(o.prompt(), Some("Consider the virtual school."));
    assert_eq!(o.next_steps().map(<[String]>::len), Some(2));
    assert_eq!(o.learning().map(|l| l.source.as_str()), Some("Review"));
    let clear = run(&rules, json!({"child": {"looked_after": false}}));
    let o = clear.outcome("R-1").unwrap();
    assert_eq!(o.outcome, Clear);
    assert_eq!(
        (o.prompt(), o.next_steps(), o.learning()),
        (None, None, None)
    );
    // The rule's words are there whatever the outcome.
    assert_eq!(o.text().next_steps.len(), 2);
    let unknown = run(&rules, json!({}));
    let o = unknown.outcome("R-1").unwrap();
    assert_eq!(o.outcome, Unknown);
    assert!(o.prompt().is_none() && o.learning().is_some());
    // The JSON says the same.
    let json: serde_json::Value = serde_json::from_str(&fired.to_json()).unwrap();
    assert_eq!(json["outcomes"][0]["next_steps"][1], "Record the answer.");
    let json: serde_json::Value = serde_json::from_str(&clear.to_json()).unwrap();
    assert!(json["outcomes"][0].get("prompt").is_none());
    assert!(json["outcomes"][0].get("learning").is_none());
}
