//! The absence model: absent means not known, always.
//!
//! - Removing any one recorded field from a plan never flips a rule between
//!   `fires` and `clear` (it may turn an outcome into `unknown`), over
//!   generated plans, every example plan and every rule-test plan. The one
//!   kept convention is the end of a record (`end_date`, `discharged`): left
//!   out, the record is open, so those fields are not removed.
//! - Removing a field together with its coverage never flips an outcome
//!   either, under a coverage of the whole schema.
//! - For every rule, the sections its evidence comes from, left out, give
//!   `unknown` (never `clear`).
//! - Every schema field documents its none form (`x-none`), consistently
//!   with its type.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use careprompt::coverage::OPEN_RECORD_FIELDS;
use careprompt::schema::{FieldType, ObjectType};
use careprompt::{CheckOptions, Coverage, Date, NoneForm, OutcomeKind, RuleSet, Schema};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn as_of(text: &str) -> CheckOptions {
    CheckOptions::new(Date::parse(text).unwrap())
}

fn builtin() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().unwrap())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn outcomes(plan: &Value, options: &CheckOptions) -> Vec<(String, OutcomeKind)> {
    let report = builtin().check_value(plan, options).unwrap();
    report
        .outcomes
        .iter()
        .map(|o| (o.rule().to_string(), o.outcome))
        .collect()
}

// ------------------------------------------------------------- field paths

/// One step of a path into a plan.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every object field of `v`, at any depth, through list elements, as steps
/// (list elements themselves are kept: a present list is a complete record).
fn field_paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, sub) in m {
                prefix.push(Step::Key(k.clone()));
                out.push(prefix.clone());
                field_paths(sub, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, sub) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                field_paths(sub, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

/// The dotted schema path of `steps`, without list indices.
fn schema_path(steps: &[Step]) -> String {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn display(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn remove_at(plan: &mut Value, steps: &[Step]) {
    let Some((last, init)) = steps.split_last() else {
        return;
    };
    let mut at = plan;
    for s in init {
        at = match s {
            Step::Key(k) => at.get_mut(k.as_str()).unwrap(),
            Step::Index(i) => at.get_mut(*i).unwrap(),
        };
    }
    if let (Step::Key(k), Value::Object(m)) = (last, at) {
        m.remove(k);
    }
}

/// Whether a field may be removed in the property: not the end of a record
/// (the kept convention), not the identifier, not the coverage declaration.
fn removable(steps: &[Step]) -> bool {
    match steps.last() {
        Some(Step::Key(k)) => {
            !OPEN_RECORD_FIELDS.contains(&k.as_str())
                && !(steps.len() == 1 && (k == "plan_id" || k == "coverage"))
        }
        _ => false,
    }
}

/// A rule that flipped when a field was removed.
#[derive(Debug)]
struct Flip {
    plan: String,
    field: String,
    rule: String,
    before: OutcomeKind,
    after: OutcomeKind,
}

impl std::fmt::Display for Flip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: removing `{}` turns {} from {:?} into {:?}",
            self.plan, self.field, self.rule, self.before, self.after
        )
    }
}

fn is_flip(before: OutcomeKind, after: OutcomeKind) -> bool {
    matches!(
        (before, after),
        (OutcomeKind::Fires, OutcomeKind::Clear) | (OutcomeKind::Clear, OutcomeKind::Fires)
    )
}

/// Removes each field of `plan` in turn; returns the flips and how many
/// variants were checked.
fn single_removals(name: &str, plan: &Value, options: &CheckOptions) -> (Vec<Flip>, usize) {
    removals_where(name, plan, options, removable)
}

fn removals_where(
    name: &str,
    plan: &Value,
    options: &CheckOptions,
    removable: fn(&[Step]) -> bool,
) -> (Vec<Flip>, usize) {
    let before = outcomes(plan, options);
    let mut paths = Vec::new();
    field_paths(plan, &mut Vec::new(), &mut paths);
    let mut flips = Vec::new();
    let mut variants = 0;
    for p in paths.iter().filter(|p| removable(p)) {
        let mut v = plan.clone();
        remove_at(&mut v, p);
        variants += 1;
        let after = outcomes(&v, options);
        for ((rule, b), (_, a)) in before.iter().zip(after.iter()) {
            if is_flip(*b, *a) {
                flips.push(Flip {
                    plan: name.to_string(),
                    field: display(p),
                    rule: rule.clone(),
                    before: *b,
                    after: *a,
                });
            }
        }
    }
    (flips, variants)
}

/// Every dotted path of the schema (objects and their fields, through lists).
fn schema_paths(obj: &ObjectType, prefix: &str, out: &mut Vec<String>) {
    for (name, f) in &obj.fields {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.push(path.clone());
        match &f.ty {
            FieldType::Object(o) => schema_paths(o, &path, out),
            FieldType::List(e) => {
                if let FieldType::Object(o) = e.as_ref() {
                    schema_paths(o, &path, out);
                }
            }
            _ => {}
        }
    }
}

fn all_schema_paths() -> Vec<String> {
    let schema = Schema::builtin().unwrap();
    let mut out = Vec::new();
    schema_paths(&schema.root, "", &mut out);
    out.retain(|p| p != "coverage" && !p.starts_with("coverage."));
    out
}

/// The full coverage without `path`: without the path itself, what lies
/// beneath it and what lies above it (every other path stays listed).
fn coverage_without(all: &[String], path: &str) -> Coverage {
    let records = all
        .iter()
        .filter(|r| {
            let r = r.as_str();
            !(r == path || r.starts_with(&format!("{path}.")) || path.starts_with(&format!("{r}.")))
        })
        .cloned()
        .collect();
    Coverage::new("test", records)
}

/// Removes each field together with its coverage, under a coverage of the
/// whole schema; returns the flips and how many variants were checked.
fn removals_with_coverage(name: &str, plan: &Value, options: &CheckOptions) -> (Vec<Flip>, usize) {
    let all = all_schema_paths();
    let full = options
        .clone()
        .with_coverage(Coverage::new("test", all.clone()));
    let before = outcomes(plan, &full);
    let mut paths = Vec::new();
    field_paths(plan, &mut Vec::new(), &mut paths);
    let mut flips = Vec::new();
    let mut variants = 0;
    for p in paths.iter().filter(|p| removable(p)) {
        let mut v = plan.clone();
        remove_at(&mut v, p);
        variants += 1;
        let narrowed = options
            .clone()
            .with_coverage(coverage_without(&all, &schema_path(p)));
        let after = outcomes(&v, &narrowed);
        for ((rule, b), (_, a)) in before.iter().zip(after.iter()) {
            if is_flip(*b, *a) {
                flips.push(Flip {
                    plan: name.to_string(),
                    field: display(p),
                    rule: rule.clone(),
                    before: *b,
                    after: *a,
                });
            }
        }
    }
    (flips, variants)
}

// ------------------------------------------------------------ plans to test

fn example_plans() -> Vec<(String, Value)> {
    let dir = repo().join("examples/plans");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for p in entries {
        let text = std::fs::read_to_string(&p).unwrap();
        out.push((
            p.file_name().unwrap().to_string_lossy().into_owned(),
            serde_json::from_str(&text).unwrap(),
        ));
    }
    assert!(out.len() >= 8, "the example plans are read");
    out
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn date_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => panic!("not a date: {other:?}"),
    }
}

fn parse_steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            out.push(Step::Key(rest[..i].to_string()));
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                out.push(Step::Index(rest[1..end].parse().unwrap()));
                rest = &rest[end + 1..];
            }
        } else {
            out.push(Step::Key(rest.to_string()));
        }
    }
    out
}

/// Sets (or with `None` removes) the value at `path`, as the rule tests do.
fn edit(plan: &mut Value, path: &str, value: Option<Value>) {
    let steps = parse_steps(path);
    let (last, init) = steps.split_last().unwrap();
    let mut at = plan;
    for s in init {
        at = match s {
            Step::Key(k) => {
                if value.is_none() && at.get(k.as_str()).is_none() {
                    return;
                }
                at.as_object_mut()
                    .unwrap()
                    .entry(k.clone())
                    .or_insert_with(|| json!({}))
            }
            Step::Index(i) => at.get_mut(*i).unwrap(),
        };
    }
    match (last, value) {
        (Step::Key(k), Some(v)) => {
            at.as_object_mut().unwrap().insert(k.clone(), v);
        }
        (Step::Key(k), None) => {
            if let Some(m) = at.as_object_mut() {
                m.remove(k);
            }
        }
        (Step::Index(i), Some(v)) => {
            let list = at.as_array_mut().unwrap();
            if *i == list.len() {
                list.push(v);
            } else {
                list[*i] = v;
            }
        }
        (Step::Index(i), None) => {
            at.as_array_mut().unwrap().remove(*i);
        }
    }
}

/// A rule-test case: its name, plan, evaluation date and expectations.
struct Case {
    name: String,
    plan: Value,
    as_of: String,
    expect: BTreeMap<String, String>,
}

/// Every case of the built-in pack's rule tests, with its plan built as
/// `careprompt test` builds it.
fn rule_test_cases() -> Vec<Case> {
    let dir = repo().join("rules/jtai-childrens-mental-health/tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".test.toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let doc: toml::Table = std::fs::read_to_string(&f).unwrap().parse().unwrap();
        let file_as_of = doc.get("as_of").map(date_text);
        let base: Option<Value> = doc
            .get("base")
            .and_then(|b| b.as_str())
            .map(|b| serde_json::from_str(&std::fs::read_to_string(dir.join(b)).unwrap()).unwrap());
        for case in doc
            .get("case")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
        {
            let case = case.as_table().unwrap();
            let mut plan = if let Some(p) = case.get("plan").and_then(|p| p.as_str()) {
                serde_json::from_str(&std::fs::read_to_string(dir.join(p)).unwrap()).unwrap()
            } else if let Some(p) = case.get("plan_json").and_then(|p| p.as_str()) {
                serde_json::from_str(p).unwrap()
            } else {
                base.clone().unwrap()
            };
            for r in case
                .get("remove")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                edit(&mut plan, r.as_str().unwrap(), None);
            }
            if let Some(set) = case.get("set").and_then(|s| s.as_table()) {
                for (k, v) in set {
                    edit(&mut plan, k, Some(toml_to_json(v)));
                }
            }
            for n in case
                .get("none")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                edit(&mut plan, n.as_str().unwrap(), Some(Value::Null));
            }
            let as_of = case
                .get("as_of")
                .map(date_text)
                .or_else(|| file_as_of.clone())
                .unwrap();
            let expect = case
                .get("expect")
                .and_then(|e| e.as_table())
                .map(|t| {
                    t.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Case {
                name: case["name"].as_str().unwrap().to_string(),
                plan,
                as_of: as_of.trim_matches('"').to_string(),
                expect,
            });
        }
    }
    assert!(out.len() > 150, "the rule tests are read: {}", out.len());
    out
}

fn report_flips(what: &str, flips: &[Flip], variants: usize) {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in flips {
        *by_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    assert!(
        flips.is_empty(),
        "{what}: {} of {variants} variants flip an outcome ({by_rule:?}); first: {}",
        flips.len(),
        flips.first().map(ToString::to_string).unwrap_or_default()
    );
    assert!(variants > 0, "{what}: no variants were checked");
}

// ------------------------------------------------------------------ tests

#[test]
fn removing_a_field_from_an_example_plan_never_flips_an_outcome() {
    let options = as_of("2026-11-26");
    let (mut flips, mut variants) = (Vec::new(), 0);
    for (name, plan) in example_plans() {
        let (f, n) = single_removals(&name, &plan, &options);
        flips.extend(f);
        variants += n;
    }
    report_flips("example plans", &flips, variants);
}

#[test]
fn removing_a_field_from_a_rule_test_plan_never_flips_an_outcome() {
    let (mut flips, mut variants) = (Vec::new(), 0);
    for case in rule_test_cases() {
        let (f, n) = single_removals(&case.name, &case.plan, &as_of(&case.as_of));
        flips.extend(f);
        variants += n;
    }
    report_flips("rule-test plans", &flips, variants);
}

#[test]
fn removing_a_field_with_its_coverage_never_flips_an_outcome() {
    let options = as_of("2026-11-26");
    let (mut flips, mut variants) = (Vec::new(), 0);
    for (name, plan) in example_plans() {
        let (f, n) = removals_with_coverage(&name, &plan, &options);
        flips.extend(f);
        variants += n;
    }
    for case in rule_test_cases().into_iter().step_by(7) {
        let (f, n) = removals_with_coverage(&case.name, &case.plan, &as_of(&case.as_of));
        flips.extend(f);
        variants += n;
    }
    report_flips("field and coverage removed", &flips, variants);
}

/// The detector sees a flip where there is one: removing an end date opens
/// the record (the kept convention), which can make a rule fire. This is
/// why end dates are not removed in the properties above.
#[test]
fn the_flip_detector_finds_the_flip_of_the_kept_convention() {
    let plan = json!({
        "plan_id": "T",
        "child": {"looked_after": true, "mental_health_needs": true, "home_local_authority": "Northshire"},
        "placements": [{"start_date": "2026-01-01", "end_date": "2026-06-01", "out_of_area": true, "local_authority": "Southvale"}]
    });
    let options = as_of("2026-11-26");
    let (flips, _) = removals_where(
        "t",
        &plan,
        &options,
        |s| matches!(s.last(), Some(Step::Key(k)) if k == "end_date"),
    );
    assert!(
        flips
            .iter()
            .any(|f| f.rule == "CMH-STA-03" && f.before == OutcomeKind::Clear),
        "{flips:?}"
    );
    let (flips, variants) = single_removals("t", &plan, &options);
    assert!(flips.is_empty() && variants > 5);
}

/// For every rule: the plan sections its evidence comes from (other than
/// `child`), left out, never give `clear`, and for every rule some firing
/// case gives `unknown`.
#[test]
fn every_rule_with_its_sections_absent_is_unknown() {
    let mut unknown_for: BTreeMap<String, usize> = BTreeMap::new();
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    for case in rule_test_cases() {
        let options = as_of(&case.as_of);
        let report = builtin().check_value(&case.plan, &options).unwrap();
        for o in report
            .outcomes
            .iter()
            .filter(|o| o.outcome == OutcomeKind::Fires)
        {
            let mut sections: Vec<String> = o
                .evidence
                .iter()
                .map(|e| {
                    e.path
                        .split(['.', '['])
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .filter(|s| s != "child")
                .collect();
            sections.sort();
            sections.dedup();
            if sections.is_empty() {
                continue;
            }
            *fired.entry(o.rule().to_string()).or_default() += 1;
            let mut v = case.plan.clone();
            for s in &sections {
                v.as_object_mut().unwrap().remove(s);
            }
            let after = builtin().check_value(&v, &options).unwrap();
            let a = after.outcome(o.rule()).unwrap();
            assert_ne!(
                a.outcome,
                OutcomeKind::Clear,
                "{}: {} is clear with {sections:?} left out",
                case.name,
                o.rule()
            );
            if a.outcome == OutcomeKind::Unknown {
                *unknown_for.entry(o.rule().to_string()).or_default() += 1;
            }
        }
    }
    let rules = builtin().rules();
    for r in &rules {
        assert!(
            fired.contains_key(&r.text.id),
            "{} never fires in the rule tests",
            r.text.id
        );
        assert!(
            unknown_for.contains_key(&r.text.id),
            "{}: leaving out its sections never gives unknown",
            r.text.id
        );
    }
}

/// The rule tests' expectations still hold when read through this file's
/// plan builder (so the properties above test the same plans as
/// `careprompt test`).
#[test]
fn rule_test_plans_are_built_as_careprompt_test_builds_them() {
    let mut checked = 0;
    for case in rule_test_cases() {
        let report = builtin()
            .check_value(&case.plan, &as_of(&case.as_of))
            .unwrap();
        for (rule, want) in &case.expect {
            let got = report.outcome(rule).unwrap().outcome;
            assert_eq!(
                format!("{got:?}").to_lowercase(),
                *want,
                "{}: {rule}",
                case.name
            );
            checked += 1;
        }
    }
    assert!(checked > 200);
}

/// A plan without an education section gets no education prompt; a plan
/// that records "no PEP", or whose source covers PEPs and holds none, gets
/// CMH-EDU-06.
#[test]
fn no_pep_is_prompted_only_when_recorded_or_covered() {
    let options = as_of("2026-11-26");
    let base = json!({
        "plan_id": "T",
        "child": {"date_of_birth": "2012-05-10", "looked_after": true, "mental_health_needs": true}
    });
    let report = builtin().check_value(&base, &options).unwrap();
    for o in report
        .outcomes
        .iter()
        .filter(|o| o.rule().starts_with("CMH-EDU"))
    {
        assert_eq!(o.outcome, OutcomeKind::Unknown, "{}", o.rule());
    }
    let mut empty = base.clone();
    empty["education"] = json!({});
    let report = builtin().check_value(&empty, &options).unwrap();
    assert_eq!(
        report.outcome("CMH-EDU-06").unwrap().outcome,
        OutcomeKind::Unknown
    );
    assert_eq!(
        report.outcome("CMH-EDU-07").unwrap().outcome,
        OutcomeKind::Unknown
    );
    let mut none = base.clone();
    none["education"] = json!({"pep": null});
    let report = builtin().check_value(&none, &options).unwrap();
    let o = report.outcome("CMH-EDU-06").unwrap();
    assert_eq!(o.outcome, OutcomeKind::Fires);
    assert!(o.evidence.iter().any(|e| e.path == "education.pep"
        && e.value == careprompt::EvidenceValue::Text("recorded as none".into())));
    assert_eq!(
        report.outcome("CMH-EDU-07").unwrap().outcome,
        OutcomeKind::Clear
    );
    // Covered by the plan's own declaration, or per batch.
    let mut covered = base.clone();
    covered["coverage"] = json!({"source": "cms", "records": ["education.pep"]});
    let report = builtin().check_value(&covered, &options).unwrap();
    assert_eq!(
        report.outcome("CMH-EDU-06").unwrap().outcome,
        OutcomeKind::Fires
    );
    let batch = options
        .clone()
        .with_coverage(Coverage::new("cms", vec!["education".into()]));
    let report = builtin().check_value(&base, &batch).unwrap();
    assert_eq!(
        report.outcome("CMH-EDU-06").unwrap().outcome,
        OutcomeKind::Fires
    );
    // A coverage that leaves PEPs out keeps them unknown, and says so.
    let other = options
        .clone()
        .with_coverage(Coverage::new("ssda903", vec!["placements".into()]));
    let report = builtin().check_value(&base, &other).unwrap();
    let o = report.outcome("CMH-EDU-06").unwrap();
    assert_eq!(o.outcome, OutcomeKind::Unknown);
    assert!(
        o.not_in_source.contains(&"education.pep".to_string()),
        "{o:?}"
    );
    assert!(report.to_json().contains("\"not_in_source\""));
    // Without any coverage, nothing is marked "not in this source".
    let report = builtin().check_value(&base, &options).unwrap();
    assert!(report.outcomes.iter().all(|o| o.not_in_source.is_empty()));
}

/// An open record's evidence says it is current, not that it is missing.
#[test]
fn an_open_record_is_current_and_says_so() {
    let plan = json!({
        "plan_id": "T",
        "child": {"looked_after": true, "mental_health_needs": true, "home_local_authority": "Northshire"},
        "placements": [{"start_date": "2026-01-01", "out_of_area": true, "local_authority": "Southvale"}]
    });
    let report = builtin().check_value(&plan, &as_of("2026-11-26")).unwrap();
    let o = report.outcome("CMH-STA-03").unwrap();
    assert_eq!(o.outcome, OutcomeKind::Fires);
    assert!(o.evidence.iter().any(|e| e.path == "placements[0].end_date"
        && e.value == careprompt::EvidenceValue::Text("current (no end date)".into())));
}

/// `null` on a field that has no null none form is read as not known, with
/// a warning naming the field (never its value).
#[test]
fn null_where_the_schema_takes_none_is_not_known_and_named() {
    let plan = json!({"plan_id": "T", "child": {"looked_after": null}});
    let report = builtin().check_value(&plan, &as_of("2026-11-26")).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("`child.looked_after` is null")),
        "{:?}",
        report.warnings
    );
    assert_eq!(
        report.outcome("CMH-EDU-06").unwrap().outcome,
        OutcomeKind::Unknown
    );
}

#[test]
fn every_schema_field_documents_its_none_form() {
    fn walk(obj: &ObjectType, prefix: &str, fields: &mut usize) {
        for (name, f) in &obj.fields {
            let path = format!("{prefix}{name}");
            *fields += 1;
            let none = f
                .none
                .unwrap_or_else(|| panic!("`{path}` has no `x-none` annotation"));
            let open = OPEN_RECORD_FIELDS.contains(&name.as_str());
            match &f.ty {
                FieldType::List(e) => {
                    assert_eq!(none, NoneForm::EmptyList, "`{path}`");
                    if let FieldType::Object(o) = e.as_ref() {
                        walk(o, &format!("{path}."), fields);
                    }
                }
                FieldType::Object(o) => {
                    assert!(
                        matches!(none, NoneForm::Null | NoneForm::Value),
                        "`{path}`: {none:?}"
                    );
                    walk(o, &format!("{path}."), fields);
                }
                FieldType::Bool => assert_eq!(none, NoneForm::False, "`{path}`"),
                _ if open => assert_eq!(none, NoneForm::Open, "`{path}`"),
                _ => assert!(
                    matches!(none, NoneForm::Null | NoneForm::Value),
                    "`{path}`: {none:?}"
                ),
            }
            assert_eq!(
                f.nullable,
                matches!(none, NoneForm::Null | NoneForm::Open),
                "`{path}`: null is allowed exactly where it records none"
            );
            assert_eq!(open, none == NoneForm::Open, "`{path}`");
        }
    }
    let schema = Schema::builtin().unwrap();
    let mut fields = 0;
    walk(&schema.root, "", &mut fields);
    assert!(fields > 150, "{fields}");
    for (path, form) in [
        ("education.pep", NoneForm::Null),
        ("education.planned_school_move", NoneForm::Null),
        ("people.lead_professional", NoneForm::Null),
        (
            "health.inpatient_episodes.medically_fit_for_discharge",
            NoneForm::Null,
        ),
    ] {
        let mut obj = &schema.root;
        let mut found = None;
        for (i, part) in path.split('.').enumerate() {
            let f = &obj.fields[part];
            if i == path.split('.').count() - 1 {
                found = f.none;
            } else {
                obj = match &f.ty {
                    FieldType::Object(o) => o,
                    FieldType::List(e) => match e.as_ref() {
                        FieldType::Object(o) => o,
                        _ => panic!(),
                    },
                    _ => panic!(),
                };
            }
        }
        assert_eq!(found, Some(form), "`{path}`");
    }
}

// ---------------------------------------------------------- generated plans

/// splitmix64, seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A plan that fits the schema, from a seed: every field present, left out
/// or recorded as none at random; dates near the evaluation date and a few
/// local authorities, so that rules decide both ways.
fn generated(rng: &mut Rng, ty: &FieldType, nullable: bool, depth: usize) -> Value {
    if nullable && rng.chance(15) {
        return Value::Null;
    }
    match ty {
        FieldType::Object(o) => {
            let mut m = Map::new();
            for (name, f) in &o.fields {
                if name == "coverage" || depth > 6 || !rng.chance(70) {
                    continue;
                }
                m.insert(name.clone(), generated(rng, &f.ty, f.nullable, depth + 1));
            }
            Value::Object(m)
        }
        FieldType::List(e) => {
            let n = rng.below(4);
            Value::Array(
                (0..n)
                    .map(|_| generated(rng, e, false, depth + 1))
                    .collect(),
            )
        }
        FieldType::Bool => json!(rng.chance(50)),
        FieldType::Number { integer: true } => json!(rng.below(25) as i64),
        FieldType::Number { integer: false } => json!(rng.below(100) as f64 / 2.0),
        FieldType::Date => {
            let y = 2024 + rng.below(3);
            let m = 1 + rng.below(12);
            let d = 1 + rng.below(28);
            json!(format!("{y:04}-{m:02}-{d:02}"))
        }
        FieldType::Text { values: Some(v) } => json!(v[rng.below(v.len() as u64) as usize]),
        FieldType::Text { values: None } => {
            json!(["Northshire", "Southvale", "adhd", "CAMHS"][rng.below(4) as usize])
        }
    }
}

fn generated_plan(seed: u64) -> Value {
    let schema = Schema::builtin().unwrap();
    let mut rng = Rng(seed);
    let mut plan = generated(&mut rng, &FieldType::Object(schema.root.clone()), false, 0);
    plan["plan_id"] = json!(format!("gen-{seed}"));
    plan
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn removing_a_field_from_a_generated_plan_never_flips_an_outcome(seed in any::<u64>()) {
        let plan = generated_plan(seed);
        let (flips, _) = single_removals(&format!("seed {seed}"), &plan, &as_of("2026-11-26"));
        prop_assert!(flips.is_empty(), "{}", flips.first().map(ToString::to_string).unwrap_or_default());
    }

    #[test]
    fn removing_a_field_and_its_coverage_from_a_generated_plan_never_flips(seed in any::<u64>()) {
        let plan = generated_plan(seed);
        let (flips, _) = removals_with_coverage(&format!("seed {seed}"), &plan, &as_of("2026-11-26"));
        prop_assert!(flips.is_empty(), "{}", flips.first().map(ToString::to_string).unwrap_or_default());
    }
}

/// A coverage path that is not in the schema covers nothing, and says so.
#[test]
fn a_coverage_path_outside_the_schema_is_named_in_a_warning() {
    let plan = json!({
        "plan_id": "T",
        "child": {"looked_after": true, "date_of_birth": "2012-05-10"},
        "coverage": {"source": "cms", "records": ["education.peps"]}
    });
    let report = builtin().check_value(&plan, &as_of("2026-11-26")).unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("coverage path `education.peps`")),
        "{:?}",
        report.warnings
    );
    assert_eq!(
        report.outcome("CMH-EDU-06").unwrap().outcome,
        OutcomeKind::Unknown
    );
}
