//! Rule tests: TOML files in which a policy writer gives plans (whole, or a
//! base plan with small changes) and the outcome expected of each rule.
//! `docs/testing-rules.md` describes the format.

mod base;
mod cover;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value as Json;
use toml::de::DeValue;

use crate::ast::Span;
use crate::date::Date;
use crate::diagnostic::{did_you_mean, Diagnostic, SourceRef};
use crate::eval::{Env, Item};
#[cfg(test)]
use crate::explain::TraceNode;
use crate::load::Loader;
use crate::program::Cond;
use crate::report::{Evidence, OutcomeKind};
use crate::ruleset::RuleSet;
use crate::toml_table::{self, span, Fields, Spanned, TomlError};
use base::BasePlans;
use cover::Tally;

/// A rule test file, read.
struct TestFile {
    /// The file's evaluation date: `Some(None)` when given but not a date.
    as_of: Option<Option<Date>>,
    /// Where the file's `as_of` is, to underline.
    as_of_at: Span,
    base: Option<String>,
    case: Vec<Case>,
}

/// One `[[case]]` of a test file.
struct Case {
    name: String,
    /// The case's evaluation date: `Some(None)` when given but not a date.
    as_of: Option<Option<Date>>,
    plan: Option<String>,
    plan_json: Option<String>,
    remove: Vec<String>,
    /// Paths and the values set there, in path order.
    set: BTreeMap<String, Json>,
    /// Paths set to `null`, their explicit none (TOML has no null).
    none: Vec<String>,
    expect: BTreeMap<String, String>,
    expect_missing: BTreeMap<String, Vec<String>>,
}

/// Reads a test file's TOML into its cases; the error is the first problem,
/// at its span.
fn read_test_file(text: &str) -> Result<TestFile, TomlError> {
    let doc = toml_table::parse(text)?;
    let root = Fields::new(doc.get_ref(), span(&doc), "", &["as_of", "base", "case"])?;
    let date = |f: &Fields<'_, '_>| f.value("as_of").map(|v| toml_date(v.get_ref()));
    let mut case = Vec::new();
    for (table, at) in root.tables("case")? {
        let f = Fields::new(
            table,
            at,
            "[[case]]",
            &[
                "name",
                "as_of",
                "plan",
                "plan_json",
                "remove",
                "set",
                "none",
                "expect",
                "expect_missing",
            ],
        )?;
        let mut set = BTreeMap::new();
        if let Some((t, _)) = f.table("set")? {
            for (k, v) in t {
                let path: &str = k.get_ref();
                set.insert(path.to_string(), toml_table::to_json(path, v)?);
            }
        }
        case.push(Case {
            name: f.required_string("name")?.into_inner(),
            as_of: date(&f),
            plan: f.string("plan")?.map(Spanned::into_inner),
            plan_json: f.string("plan_json")?.map(Spanned::into_inner),
            remove: f.plain_strings("remove")?,
            set,
            none: f.plain_strings("none")?,
            expect: f.string_map("expect")?,
            expect_missing: f.strings_map("expect_missing")?,
        });
    }
    Ok(TestFile {
        as_of: date(&root),
        as_of_at: root.value("as_of").map(span).unwrap_or_default(),
        base: root.string("base")?.map(Spanned::into_inner),
        case,
    })
}

/// A rule whose outcome was not what the test expected.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestFailure {
    /// The rule's id.
    pub rule: String,
    /// What the test expected.
    pub expected: String,
    /// What came out.
    pub actual: String,
    /// The evidence, if the rule fired.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The missing paths, if the rule was unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// One test case's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// The expectations that did not hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<TestFailure>,
    /// A problem that kept the case from running (a bad plan, an unknown rule id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One test file's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileResult {
    /// The file's name.
    pub file: String,
    /// Its cases.
    pub cases: Vec<CaseResult>,
    /// A problem with the file itself (not TOML, unknown keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Diagnostic>,
}

/// A condition that the tests never saw both true and false.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UncoveredCondition {
    /// The rule it belongs to.
    pub rule: String,
    /// The condition as written.
    pub condition: String,
    /// What the tests saw: `never evaluated`, `only true`, `only false`, `only unknown`.
    pub seen: String,
}

/// What the tests exercised.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// Rules in the rule set.
    pub rules_total: usize,
    /// Rules that at least one case states an expectation for.
    pub rules_exercised: usize,
    /// Rules no case states an expectation for.
    pub unexercised_rules: Vec<String>,
    /// Rules exercised, in percent.
    pub rule_percent: f64,
    /// Conditions (in rules' condition trees) in all.
    pub conditions_total: usize,
    /// Conditions seen both true and false.
    pub conditions_covered: usize,
    /// Conditions not seen both ways.
    pub uncovered_conditions: Vec<UncoveredCondition>,
}

/// The results of running rule tests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestRun {
    /// Results per file.
    pub files: Vec<FileResult>,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed (including those that could not run).
    pub failed: usize,
    /// What the tests exercised.
    pub coverage: Coverage,
}

impl TestRun {
    /// Whether every case passed and no file had an error.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.files.iter().all(|f| f.error.is_none())
    }
}

/// Runs test files against `rules`. The files a test refers to (a base
/// plan or a plan), by their paths resolved against the test file, are
/// read through `loader`, as imports are when rules are compiled.
pub fn run_tests(rules: &RuleSet, files: &[(String, String)], loader: &dyn Loader) -> TestRun {
    let read = &|path: &str| {
        loader
            .load(path)
            .map_err(|why| format!("cannot read `{path}`: {why}"))
    };
    let mut results = Vec::new();
    let tally = Tally::new(rules);
    #[cfg(test)]
    let tally = tally.skipping(!tests::BY_TRACE.with(std::cell::Cell::get));
    let mut tally = tally;
    let mut exercised = std::collections::BTreeSet::new();
    let ids = RuleIds::new(rules);
    let mut run = Run {
        rules,
        ids: &ids,
        read,
        bases: BasePlans::default(),
        tally: &mut tally,
        exercised: &mut exercised,
    };
    for (name, text) in files {
        results.push(run_file(&mut run, name, text));
    }
    let passed = results
        .iter()
        .flat_map(|f| &f.cases)
        .filter(|c| c.passed)
        .count();
    let failed = results
        .iter()
        .flat_map(|f| &f.cases)
        .filter(|c| !c.passed)
        .count()
        + results.iter().filter(|f| f.error.is_some()).count();
    let coverage = coverage(rules, &tally, &exercised);
    TestRun {
        files: results,
        passed,
        failed,
        coverage,
    }
}

fn coverage(
    rules: &RuleSet,
    tally: &Tally,
    exercised: &std::collections::BTreeSet<String>,
) -> Coverage {
    let all = rules.compiled_rules();
    let unexercised: Vec<String> = all
        .iter()
        .filter(|r| !exercised.contains(r.text.id.as_str()))
        .map(|r| r.text.id.clone())
        .collect();
    let mut total = 0;
    let mut covered = 0;
    let mut uncovered = Vec::new();
    for r in all {
        let mut nodes = Vec::new();
        collect_conds(&r.cond, &mut nodes);
        for c in nodes {
            total += 1;
            let s = tally.seen(c.id);
            let label = match s {
                None => Some("never evaluated"),
                Some(s) if s.t && s.f => None,
                Some(s) if s.t => Some("only true"),
                Some(s) if s.f => Some("only false"),
                Some(s) if s.u => Some("only unknown"),
                Some(_) => Some("never evaluated"),
            };
            match label {
                None => covered += 1,
                Some(l) => uncovered.push(UncoveredCondition {
                    rule: r.text.id.clone(),
                    condition: rules.text_of(c),
                    seen: l.to_string(),
                }),
            }
        }
    }
    let rules_total = all.len();
    let rules_exercised = rules_total - unexercised.len();
    let rule_percent = if rules_total == 0 {
        100.0
    } else {
        100.0 * rules_exercised as f64 / rules_total as f64
    };
    Coverage {
        rules_total,
        rules_exercised,
        unexercised_rules: unexercised,
        rule_percent,
        conditions_total: total,
        conditions_covered: covered,
        uncovered_conditions: uncovered,
    }
}

/// `c` and every condition inside it, each before its parts: the
/// conditions coverage counts, in the order it lists them.
fn collect_conds<'c>(c: &'c Cond, out: &mut Vec<&'c Cond>) {
    out.push(c);
    for p in cover::parts(c) {
        collect_conds(p, out);
    }
}

/// The marks the explanation's trace gives, for the test that compares the
/// walk with it.
#[cfg(test)]
fn mark_seen(n: &TraceNode, tally: &mut Tally) {
    tally.mark(n.id, n.result);
    for c in &n.children {
        mark_seen(c, tally);
    }
}

/// The rule set's rules by id (the first rule of each id, as a report's
/// [`crate::report::Report::outcome`] finds it), and the ids for "did you
/// mean".
struct RuleIds<'r> {
    ids: Vec<&'r str>,
    index: HashMap<&'r str, usize>,
}

impl<'r> RuleIds<'r> {
    fn new(rules: &'r RuleSet) -> RuleIds<'r> {
        let ids: Vec<&str> = rules
            .compiled_rules()
            .iter()
            .map(|r| r.text.id.as_str())
            .collect();
        let mut index = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            index.entry(*id).or_insert(i);
        }
        RuleIds { ids, index }
    }
}

/// One rule's outcome on a case's plan, as the plan's report gives it.
#[derive(Debug, PartialEq)]
struct RuleOutcome {
    outcome: OutcomeKind,
    evidence: Vec<Evidence>,
    missing: Vec<String>,
}

/// Decides `cond` on the plan in `env` and collects its evidence or
/// missing paths exactly as [`RuleSet::check_json`]'s report does for its
/// rule (the same budget, the same recording pass, each path listed once,
/// in the order first seen), for the rules a case states an outcome for:
/// the other rules' outcomes are not needed. A test compares the two over
/// every rule and every case of the built-in pack.
fn rule_outcome(env: &mut Env<'_, '_>, cond: &Cond) -> RuleOutcome {
    let outcome = crate::check::decide(env, cond);
    let mut out = RuleOutcome {
        outcome,
        evidence: Vec::new(),
        missing: Vec::new(),
    };
    // A rule whose budget ran out is unknown with nothing listed.
    if outcome == OutcomeKind::Clear || env.exhausted() {
        return out;
    }
    env.items.clear();
    env.set_plan_budget();
    let _ = env.cond::<true>(cond);
    for item in std::mem::take(&mut env.items) {
        match item {
            Item::Evidence { path, value }
                if outcome == OutcomeKind::Fires
                    && !out.evidence.iter().any(|e| e.path == path) =>
            {
                out.evidence.push(Evidence { path, value });
            }
            Item::Missing(path)
                if outcome == OutcomeKind::Unknown && !out.missing.contains(&path) =>
            {
                out.missing.push(path);
            }
            _ => {}
        }
    }
    out
}

fn toml_date(v: &DeValue<'_>) -> Option<Date> {
    match v {
        DeValue::Datetime(d) => Date::parse(&d.to_string()).ok(),
        DeValue::String(s) => Date::parse(s).ok(),
        _ => None,
    }
}

/// What a test run carries from case to case.
struct Run<'r, 'x> {
    rules: &'r RuleSet,
    ids: &'x RuleIds<'r>,
    read: &'x dyn Fn(&str) -> Result<String, String>,
    /// Base plans, each read once however many files name it.
    bases: BasePlans,
    tally: &'x mut Tally,
    exercised: &'x mut std::collections::BTreeSet<String>,
}

/// In the test that compares the walk with the explanation's trace, when
/// it asks for the trace: every rule traced on the case's plan instead of
/// walked.
#[cfg(test)]
fn by_trace(rules: &RuleSet, env: &mut Env<'_, '_>, tally: &mut Tally) -> bool {
    if !tests::BY_TRACE.with(std::cell::Cell::get) {
        return false;
    }
    for r in rules.compiled_rules() {
        mark_seen(&rules.trace(env, &r.cond), tally);
    }
    true
}

#[cfg(not(test))]
fn by_trace(_: &RuleSet, _: &mut Env<'_, '_>, _: &mut Tally) -> bool {
    false
}

fn run_file(run: &mut Run<'_, '_>, name: &str, text: &str) -> FileResult {
    let (rules, ids, read) = (run.rules, run.ids, run.read);
    let src = SourceRef { name, text };
    let file_error = |span: Span, msg: String, help: &str| FileResult {
        file: name.to_string(),
        cases: Vec::new(),
        error: Some(Diagnostic::error("test-file", src, span, msg).with_help(help)),
    };
    let parsed = match read_test_file(text) {
        Ok(p) => p,
        Err(e) => {
            let help = e
                .help
                .as_deref()
                .unwrap_or("see docs/testing-rules.md for the test file format");
            return file_error(e.span, e.message, help);
        }
    };
    let file_as_of = parsed.as_of;
    if let Some(None) = file_as_of {
        return file_error(
            parsed.as_of_at,
            "`as_of` is not a date".into(),
            "write `as_of = 2026-11-26`",
        );
    }
    let base = parsed.base.as_ref().map(|b| {
        let path = crate::load::resolve_import(name, b);
        run.bases.get(&path, read).map_err(|e| match e {
            base::BaseError::Read(why) => why,
            base::BaseError::Json(e) => format!("base plan `{b}` is not valid JSON: {e}"),
        })
    });
    let mut cases = Vec::new();
    for case in &parsed.case {
        let mut result = CaseResult {
            name: case.name.clone(),
            passed: false,
            failures: Vec::new(),
            error: None,
        };
        let as_of = match case.as_of.or(file_as_of) {
            Some(Some(d)) => d,
            _ => {
                result.error =
                    Some("no evaluation date: set `as_of` in the file or the case".into());
                cases.push(result);
                continue;
            }
        };
        let whole = |base: Option<Result<&Json, &str>>| {
            build_plan(case, base, name, read)
                .map(|plan| serde_json::to_vec(&plan).unwrap_or_default())
        };
        // A case on its file's base plan: only the fields it edits are
        // copied and written again.
        let bytes = match (&case.plan, &case.plan_json, &base) {
            (None, None, Some(Ok(b))) => match b.edited(case) {
                Some(bytes) => bytes,
                None => whole(Some(Ok(&b.json))),
            },
            _ => whole(
                base.as_ref()
                    .map(|b| b.as_ref().map(|b| &b.json).map_err(String::as_str)),
            ),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                result.error = Some(e);
                cases.push(result);
                continue;
            }
        };
        // The plan is read and settled once, as `check_json` reads it (no
        // batch coverage), for both the outcomes and the coverage.
        let mut extracted = match crate::plan::extract(&bytes, rules.shape()) {
            Ok(p) => p,
            Err(e) => {
                result.error = Some(format!("the plan cannot be checked: {}", e.message));
                cases.push(result);
                continue;
            }
        };
        rules.settle(&mut extracted, None);
        let mut env = crate::check::env(&extracted, as_of);
        let named: Vec<Option<usize>> = case
            .expect
            .keys()
            .map(|rule| ids.index.get(rule.as_str()).copied())
            .collect();
        let outcomes: Vec<Option<RuleOutcome>> = named
            .iter()
            .map(|i| {
                let r = rules.compiled_rules().get((*i)?)?;
                Some(rule_outcome(&mut env, &r.cond))
            })
            .collect();
        // Coverage: every condition of every rule on this plan (those not
        // covered yet), with no budget, as the explanation's trace was
        // before the walk.
        env.set_budget(u64::MAX);
        if !by_trace(rules, &mut env, run.tally) {
            for r in rules.compiled_rules() {
                run.tally.rule(&mut env, &r.cond);
            }
        }
        let mut errors = Vec::new();
        for ((rule, expected), outcome) in case.expect.iter().zip(&outcomes) {
            let Some(outcome) = outcome else {
                let hint = did_you_mean(rule, ids.ids.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                errors.push(format!("no rule has the id `{rule}`{hint}"));
                continue;
            };
            run.exercised.insert(rule.clone());
            if !matches!(expected.as_str(), "fires" | "clear" | "unknown") {
                errors.push(format!(
                    "expected outcome for `{rule}` must be \"fires\", \"clear\" or \"unknown\""
                ));
                continue;
            }
            let missing_ok = match case.expect_missing.get(rule) {
                Some(want) => want.iter().all(|w| outcome.missing.contains(w)),
                None => true,
            };
            if outcome.outcome.as_str() != expected || !missing_ok {
                let actual = if outcome.outcome.as_str() == expected {
                    format!(
                        "{} (missing {:?})",
                        outcome.outcome.as_str(),
                        outcome.missing
                    )
                } else {
                    outcome.outcome.as_str().to_string()
                };
                let expected_text = match case.expect_missing.get(rule) {
                    Some(want)
                        if outcome.outcome == OutcomeKind::Unknown || expected == "unknown" =>
                    {
                        format!("{expected} (missing {want:?})")
                    }
                    _ => expected.clone(),
                };
                result.failures.push(TestFailure {
                    rule: rule.clone(),
                    expected: expected_text,
                    actual,
                    evidence: outcome.evidence.clone(),
                    missing: outcome.missing.clone(),
                });
            }
        }
        for rule in case.expect_missing.keys() {
            if !case.expect.contains_key(rule) {
                errors.push(format!(
                    "`expect_missing` names `{rule}`, which `expect` does not"
                ));
            }
        }
        if !errors.is_empty() {
            result.error = Some(errors.join("; "));
        }
        if case.expect.is_empty() {
            result.error = Some("the case expects nothing: add an `[case.expect]` table".into());
        }
        result.passed = result.failures.is_empty() && result.error.is_none();
        cases.push(result);
    }
    FileResult {
        file: name.to_string(),
        cases,
        error: None,
    }
}

fn build_plan(
    case: &Case,
    base: Option<Result<&Json, &str>>,
    name: &str,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Json, String> {
    let mut plan = if let Some(p) = &case.plan {
        let path = crate::load::resolve_import(name, p);
        let text = read(&path)?;
        serde_json::from_str::<Json>(&text)
            .map_err(|e| format!("plan `{p}` is not valid JSON: {e}"))?
    } else if let Some(inline) = &case.plan_json {
        serde_json::from_str::<Json>(inline)
            .map_err(|e| format!("`plan_json` is not valid JSON: {e}"))?
    } else {
        match base {
            Some(Ok(b)) => b.clone(),
            Some(Err(e)) => return Err(e.to_string()),
            None => {
                return Err(
                    "the case has no plan: give `plan`, `plan_json`, or a `base` for the file"
                        .into(),
                )
            }
        }
    };
    for path in &case.remove {
        edit(&mut plan, path, None)?;
    }
    for (path, value) in &case.set {
        edit(&mut plan, path, Some(value.clone()))?;
    }
    for path in &case.none {
        edit(&mut plan, path, Some(Json::Null))?;
    }
    Ok(plan)
}

enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Result<Vec<Step>, String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (part.get(..i).unwrap_or(""), part.get(i..).unwrap_or("")),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(format!(
                "`{path}` is not a path such as `placements[0].end_date`"
            ));
        }
        out.push(Step::Key(key.to_string()));
        while let Some(r) = rest.strip_prefix('[') {
            let end = r
                .find(']')
                .ok_or_else(|| format!("`{path}` has an unclosed `[`"))?;
            let n = r
                .get(..end)
                .unwrap_or("")
                .parse::<usize>()
                .map_err(|_| format!("`{path}` has a bad list index"))?;
            out.push(Step::Index(n));
            rest = r.get(end + 1..).unwrap_or("");
        }
    }
    Ok(out)
}

/// Sets (or with `None`, removes) the value at `path`, creating objects on the way.
fn edit(plan: &mut Json, path: &str, value: Option<Json>) -> Result<(), String> {
    let steps = steps(path)?;
    let Some((last, init)) = steps.split_last() else {
        return Err("empty path".into());
    };
    let mut at = plan;
    for step in init {
        at = match step {
            Step::Key(k) => {
                let Json::Object(map) = at else {
                    return Err(format!("`{path}`: `{k}` is not inside an object"));
                };
                if value.is_none() && !map.contains_key(k) {
                    return Ok(());
                }
                map.entry(k.clone())
                    .or_insert_with(|| Json::Object(Default::default()))
            }
            Step::Index(i) => {
                let Json::Array(list) = at else {
                    return Err(format!("`{path}`: [{i}] is not inside a list"));
                };
                let len = list.len();
                list.get_mut(*i).ok_or_else(|| {
                    format!("`{path}`: index {i} is past the end of a list of {len}")
                })?
            }
        };
    }
    match (last, value) {
        (Step::Key(k), Some(v)) => match at {
            Json::Object(map) => {
                map.insert(k.clone(), v);
                Ok(())
            }
            _ => Err(format!("`{path}`: `{k}` is not inside an object")),
        },
        (Step::Key(k), None) => {
            if let Json::Object(map) = at {
                map.remove(k);
            }
            Ok(())
        }
        (Step::Index(i), v) => {
            let Json::Array(list) = at else {
                return Err(format!("`{path}`: [{i}] is not inside a list"));
            };
            match v {
                Some(v) if *i < list.len() => {
                    if let Some(slot) = list.get_mut(*i) {
                        *slot = v;
                    }
                    Ok(())
                }
                Some(v) if *i == list.len() => {
                    list.push(v);
                    Ok(())
                }
                Some(_) => Err(format!(
                    "`{path}`: index {i} is past the end of a list of {}",
                    list.len()
                )),
                None => {
                    if *i < list.len() {
                        list.remove(*i);
                    }
                    Ok(())
                }
            }
        }
    }
}

// The plans a rule test file builds, one per case, without checking them:
// for hosts that want to check the same plans another way (the Python
// package's parity tests against the CLI use them).
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
    let parsed = read_test_file(text).map_err(|e| format!("{name}: {}", e.message))?;
    let file_as_of = match parsed.as_of {
        Some(None) => return Err(format!("{name}: `as_of` is not a date")),
        other => other.flatten(),
    };
    let base = parsed.base.as_ref().map(|b| {
        let path = crate::load::resolve_import(name, b);
        read(&path).and_then(|t| {
            serde_json::from_str::<serde_json::Value>(&t)
                .map_err(|e| format!("base plan `{b}` is not valid JSON: {e}"))
        })
    });
    let mut out = Vec::new();
    for case in &parsed.case {
        let as_of = case
            .as_of
            .flatten()
            .or(file_as_of)
            .ok_or_else(|| format!("{name}: case `{}` has no evaluation date", case.name))?;
        let base = base.as_ref().map(|b| b.as_ref().map_err(String::as_str));
        let plan = build_plan(case, base, name, read)
            .map_err(|e| format!("{name}: case `{}`: {e}", case.name))?;
        out.push(CasePlan {
            name: case.name.clone(),
            as_of,
            plan: plan.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Makes the coverage of a run come from the explanation's trace
        /// (as it did before the walk), to compare the two.
        pub(super) static BY_TRACE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Coverage walks each rule as the explanation's trace does, without
    /// its text: over every case of the built-in pack's tests, the coverage
    /// it gives is the coverage the trace gave.
    #[test]
    fn the_coverage_walk_sees_what_the_trace_sees() {
        let rules = RuleSet::builtin().unwrap();
        let (tests, fixtures): (Vec<_>, Vec<_>) = crate::builtin::builtin_tests()
            .iter()
            .map(|(n, t)| crate::load::Source::new(*n, *t))
            .partition(|s| s.name.ends_with(".test.toml"));
        let walked = crate::host::run_tests(&rules, &tests, &fixtures);
        BY_TRACE.with(|b| b.set(true));
        let traced = crate::host::run_tests(&rules, &tests, &fixtures);
        BY_TRACE.with(|b| b.set(false));
        assert!(walked.passed > 200, "{}", walked.passed);
        assert_eq!(walked.coverage, traced.coverage);
        assert_eq!(walked.passed, traced.passed);
    }

    /// Every case of the built-in pack's tests, its plan read and settled
    /// as a run reads it.
    fn builtin_cases(mut each: impl FnMut(&str, &str, &crate::plan::Extracted<'_>, Date)) {
        let sources: Vec<crate::load::Source> = crate::builtin::builtin_tests()
            .iter()
            .map(|(n, t)| crate::load::Source::new(*n, *t))
            .collect();
        let loader = crate::host::MemoryLoader::new(&sources);
        let read = |path: &str| loader.load(path);
        let rules = RuleSet::builtin().unwrap();
        let mut count = 0;
        for s in sources.iter().filter(|s| s.name.ends_with(".test.toml")) {
            for case in case_plans(&s.name, &s.text, &read).unwrap() {
                let mut plan = crate::plan::extract(case.plan.as_bytes(), rules.shape()).unwrap();
                rules.settle(&mut plan, None);
                each(&case.name, &case.plan, &plan, case.as_of);
                count += 1;
            }
        }
        assert!(count > 200, "{count}");
    }

    /// Node by node: on every built-in case, the walk (nothing skipped)
    /// gives every condition of every rule the values the explanation's
    /// trace gives it, list elements and all.
    #[test]
    fn the_walk_marks_each_condition_as_the_trace_does_on_every_case() {
        let rules = RuleSet::builtin().unwrap();
        let mut marked = 0;
        builtin_cases(|name, _, plan, as_of| {
            for r in rules.compiled_rules() {
                let mut walked = Tally::new(&rules).skipping(false);
                let mut traced = Tally::new(&rules);
                let mut env = crate::check::env(plan, as_of);
                walked.rule(&mut env, &r.cond);
                let mut env = crate::check::env(plan, as_of);
                mark_seen(&rules.trace(&mut env, &r.cond), &mut traced);
                assert_eq!(walked.marks(), traced.marks(), "{name}: {}", r.text.id);
                marked += walked.marks().iter().filter(|s| s.t || s.f || s.u).count();
            }
        });
        assert!(marked > 10_000, "{marked}");
    }

    /// On every built-in case, the outcome, evidence and missing paths a
    /// run takes for each rule are those of the plan's report.
    #[test]
    fn case_outcomes_are_the_reports() {
        let rules = RuleSet::builtin().unwrap();
        let mut kinds = std::collections::BTreeSet::new();
        builtin_cases(|name, text, plan, as_of| {
            let report = rules
                .check_json(text.as_bytes(), &crate::check::CheckOptions::new(as_of))
                .unwrap();
            let mut env = crate::check::env(plan, as_of);
            for r in rules.compiled_rules() {
                let want = report.outcome(&r.text.id).unwrap();
                let got = rule_outcome(&mut env, &r.cond);
                let want = RuleOutcome {
                    outcome: want.outcome,
                    evidence: want.evidence.clone(),
                    missing: want.missing.clone(),
                };
                assert_eq!(got, want, "{name}: {}", r.text.id);
                kinds.insert(format!(
                    "{} {} {}",
                    got.outcome.as_str(),
                    !got.evidence.is_empty(),
                    !got.missing.is_empty()
                ));
            }
        });
        // Rules fired with evidence, were unknown with missing paths, and clear.
        for k in [
            "fires true false",
            "unknown false true",
            "clear false false",
        ] {
            assert!(kinds.contains(k), "{kinds:?}");
        }
    }

    #[test]
    fn edits_paths_with_indices() {
        let mut plan: Json = serde_json::json!({"placements": [{"a": 1}], "child": {}});
        edit(&mut plan, "placements[0].a", Some(Json::from(2))).unwrap();
        edit(
            &mut plan,
            "placements[1]",
            Some(serde_json::json!({"a": 3})),
        )
        .unwrap();
        edit(&mut plan, "education.pep.in_place", Some(Json::Bool(true))).unwrap();
        edit(&mut plan, "child", None).unwrap();
        assert_eq!(
            plan,
            serde_json::json!({"placements": [{"a": 2}, {"a": 3}], "education": {"pep": {"in_place": true}}})
        );
        assert!(edit(&mut plan, "placements[5].a", Some(Json::Null)).is_err());
        assert!(edit(&mut plan, "placements[x]", Some(Json::Null)).is_err());
    }
}
