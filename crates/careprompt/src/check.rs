//! Checking a plan against a rule set: the plan read into its tree, every
//! rule decided, and the report built (evidence, missing paths, warnings).
//! Explanations and rule tests decide rules through the same functions.

use std::sync::Arc;

use crate::coverage::Coverage;
use crate::date::Date;
use crate::eval::{self, Env, Truth};
use crate::flat::Run;
use crate::plan::{self, Node, PlanError};
use crate::program::{Cond, ShapeObj, ShapeTy};
use crate::report::{Evidence, Outcome, OutcomeKind, Report, Summary, REPORT_VERSION, VERSION};
use crate::ruleset::RuleSet;

/// Options for checking a plan.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The evaluation date: "within 6 months" and ages are measured from it.
    pub as_of: Date,
    /// What the plans' source records, for plans that do not declare their
    /// own `coverage` (see [`Coverage`]).
    pub coverage: Option<Arc<Coverage>>,
}

impl CheckOptions {
    /// Checks as of `as_of`.
    pub fn new(as_of: Date) -> CheckOptions {
        CheckOptions {
            as_of,
            coverage: None,
        }
    }

    /// The same options with a per-batch source coverage.
    pub fn with_coverage(mut self, coverage: Coverage) -> CheckOptions {
        self.coverage = Some(Arc::new(coverage));
        self
    }
}

impl RuleSet {
    /// Checks plan JSON bytes.
    pub fn check_json(&self, plan: &[u8], options: &CheckOptions) -> Result<Report, PlanError> {
        let mut extracted = plan::extract(plan, &self.shape)?;
        self.settle(&mut extracted, options.coverage.as_ref());
        let warnings = extracted.warnings.clone();
        Ok(self.report(&extracted, warnings, options))
    }

    /// The fields at `paths` (dotted schema paths, `[]` after a list's
    /// name: `child.id`, `placements[].start_date`), to be read from each
    /// plan beside its report by [`RuleSet::check_json_reading`] of this
    /// rule set (its slots are this rule set's). A path the schema does not
    /// have reads as absent.
    pub fn extra_reads(&self, paths: &[&str]) -> plan::ExtraReads {
        plan::ExtraReads::new(&self.shape, paths)
    }

    /// Checks plan bytes as [`RuleSet::check_json`] does (the same report,
    /// or the same error) and reads the values at `extra`'s paths in the
    /// same pass over the plan, one per path (all absent when a value read
    /// only for `extra` does not fit the schema).
    pub fn check_json_reading(
        &self,
        plan: &[u8],
        options: &CheckOptions,
        extra: &plan::ExtraReads,
    ) -> Result<(Report, Vec<plan::ExtraValue>), PlanError> {
        let (mut extracted, values) = match plan::extract_with(plan, extra) {
            Some(read) => read,
            None => (plan::extract(plan, &self.shape)?, extra.absent()),
        };
        self.settle(&mut extracted, options.coverage.as_ref());
        let warnings = extracted.warnings.clone();
        Ok((self.report(&extracted, warnings, options), values))
    }

    /// Checks an already-parsed plan. The plan is borrowed, never copied.
    pub fn check_value(
        &self,
        plan: &serde_json::Value,
        options: &CheckOptions,
    ) -> Result<Report, PlanError> {
        let mut extracted = plan::extract_value(plan, &self.shape)?;
        self.settle(&mut extracted, options.coverage.as_ref());
        let warnings = extracted.warnings.clone();
        Ok(self.report(&extracted, warnings, options))
    }

    /// Decides every rule on plan bytes without building a report: the
    /// fastest path, for callers that only need outcomes.
    pub fn outcomes_json(
        &self,
        plan: &[u8],
        options: &CheckOptions,
    ) -> Result<Vec<OutcomeKind>, PlanError> {
        let mut extracted = plan::extract(plan, &self.shape)?;
        self.settle(&mut extracted, options.coverage.as_ref());
        Ok(self.outcomes(&extracted, options))
    }

    /// Checks plan JSON bytes and gives the report in its compact form
    /// ([`Report::to_compact`]): outcomes, evidence and missing paths
    /// without the rules' words, which [`RuleSet::words_json`] gives once.
    /// The WebAssembly package's fast path: the words cross into
    /// JavaScript once per rule set, not with every report.
    pub fn check_compact(&self, plan: &[u8], options: &CheckOptions) -> Result<String, PlanError> {
        Ok(self.check_json(plan, options)?.to_compact())
    }

    /// The words of every rule (id, title, theme, kind, severity, learning
    /// point, prompt, next steps) and the pack, as JSON
    /// ([`crate::report::rule_words_json`]): with a plan's
    /// [`RuleSet::check_compact`] they give back its whole report.
    pub fn words_json(&self) -> String {
        crate::report::rule_words_json(self.rules.iter().map(|r| r.text.as_ref()), &self.pack)
    }

    /// Reads plan bytes once, for evaluating them many times (on several
    /// dates, or in a benchmark that times evaluation apart from reading).
    /// The result borrows the rules and the bytes; its outcomes and report
    /// are exactly those of [`RuleSet::outcomes_json`] and
    /// [`RuleSet::check_json`] on the same bytes.
    pub fn prepare<'r, 'a>(&'r self, plan: &'a [u8]) -> Result<Prepared<'r, 'a>, PlanError> {
        let mut extracted = plan::extract(plan, &self.shape)?;
        self.settle(&mut extracted, None);
        Ok(Prepared {
            rules: self,
            extracted,
        })
    }

    fn outcomes(&self, plan: &plan::Extracted<'_>, options: &CheckOptions) -> Vec<OutcomeKind> {
        let mut run = Run::new(&plan.root, &plan.nodes, options.as_of);
        let mut tree = None;
        self.rules
            .iter()
            .map(|r| match &r.flat {
                Some(flat) => {
                    let (truth, exhausted) = run.decide(flat);
                    outcome_of(truth, exhausted)
                }
                None => decide(
                    tree.get_or_insert_with(|| env(plan, options.as_of)),
                    &r.cond,
                ),
            })
            .collect()
    }

    fn report(
        &self,
        plan: &plan::Extracted<'_>,
        mut warnings: Vec<String>,
        options: &CheckOptions,
    ) -> Report {
        warnings.extend(date_warnings(
            &plan.root,
            &plan.nodes,
            &self.shape,
            options.as_of,
        ));
        let mut env = env(plan, options.as_of);
        let mut run = Run::new(&plan.root, &plan.nodes, options.as_of);
        let mut summary = Summary::default();
        let mut outcomes = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            // Decided on the flat form; recorded (below) on the tree.
            let (mut truth, too_costly) = match &r.flat {
                Some(flat) => run.decide(flat),
                None => {
                    env.set_plan_budget();
                    let truth = env.cond::<false>(&r.cond);
                    (truth, env.exhausted())
                }
            };
            if too_costly {
                truth = Truth::Unknown;
                warnings.push(format!(
                    "rule `{}` needs more work than the size of this plan allows, so it is reported unknown",
                    r.text.id
                ));
            }
            let mut o = Outcome::new(r.text.clone(), OutcomeKind::Clear);
            match truth {
                Truth::False => summary.clear += 1,
                Truth::True | Truth::Unknown => {
                    env.items.clear();
                    let items = if too_costly {
                        Vec::new()
                    } else {
                        env.set_plan_budget();
                        let again = env.cond::<true>(&r.cond);
                        if env.exhausted() {
                            // Recording looks at every element where deciding stopped at the
                            // first that settled it; the outcome stands, the evidence is partial.
                            warnings.push(format!(
                                "the evidence listed for rule `{}` is incomplete",
                                r.text.id
                            ));
                        } else {
                            debug_assert_eq!(again, truth);
                        }
                        std::mem::take(&mut env.items)
                    };
                    if truth == Truth::True {
                        summary.fires += 1;
                        o.outcome = OutcomeKind::Fires;
                        let mut seen = FirstSeen::for_items(items.len());
                        for item in items {
                            if let eval::Item::Evidence { path, value } = item {
                                if seen.first(&path, o.evidence.iter().map(|e| &e.path)) {
                                    o.evidence.push(Evidence { path, value });
                                }
                            }
                        }
                    } else {
                        summary.unknown += 1;
                        o.outcome = OutcomeKind::Unknown;
                        let mut seen = FirstSeen::for_items(items.len());
                        for item in items {
                            if let eval::Item::Missing(path) = item {
                                if seen.first(&path, o.missing.iter()) {
                                    o.missing.push(path);
                                }
                            }
                        }
                        if let Some(c) = &plan.coverage {
                            o.not_in_source = c.not_in_source(&o.missing);
                        }
                    }
                }
            }
            outcomes.push(o);
        }
        let plan_id = self
            .shape
            .field("plan_id")
            .and_then(|f| f.slot)
            .and_then(|slot| plan.root.children(&plan.nodes).get(usize::from(slot)))
            .and_then(|n| match n {
                Node::Text(t) => Some(t.to_string()),
                _ => None,
            });
        Report {
            report_version: REPORT_VERSION,
            engine: format!("careprompt {VERSION}"),
            as_of: options.as_of.to_string(),
            plan_id,
            summary,
            outcomes,
            warnings,
            pack: Some(self.pack.clone()),
        }
    }
}

impl RuleSet {
    /// Settles a plan read against this rule set's shape (explicit none,
    /// open records, coverage: [`plan::settle::settle`]).
    pub(crate) fn settle(&self, plan: &mut plan::Extracted<'_>, batch: Option<&Arc<Coverage>>) {
        plan::settle::settle(plan, &self.shape, &self.nones, &self.settle_tree, batch);
    }
}

/// The environment a plan is evaluated in on `as_of`: the one set-up that
/// checks, explanations and rule tests share.
pub(crate) fn env<'p, 'a>(plan: &'p plan::Extracted<'a>, as_of: Date) -> Env<'p, 'a> {
    Env::new(&plan.root, &plan.nodes, as_of)
}

/// Decides one condition within the plan's budget: true fires, false is
/// clear, and unknown (or a budget run out) is unknown.
pub(crate) fn decide(env: &mut Env<'_, '_>, cond: &Cond) -> OutcomeKind {
    env.set_plan_budget();
    let truth = env.cond::<false>(cond);
    outcome_of(truth, env.exhausted())
}

/// The outcome a truth value gives; `exhausted` (the budget ran out) makes
/// it unknown whatever the truth.
pub(crate) fn outcome_of(truth: Truth, exhausted: bool) -> OutcomeKind {
    match truth {
        _ if exhausted => OutcomeKind::Unknown,
        Truth::True => OutcomeKind::Fires,
        Truth::False => OutcomeKind::Clear,
        Truth::Unknown => OutcomeKind::Unknown,
    }
}

/// Which paths a report has listed already. Most rules record a handful,
/// which are compared in place; a set is kept only for long lists.
struct FirstSeen(Option<std::collections::HashSet<String>>);

impl FirstSeen {
    fn for_items(n: usize) -> FirstSeen {
        FirstSeen((n > 32).then(std::collections::HashSet::new))
    }

    /// Whether `path` is not among those `listed` so far (and notes it).
    fn first<'s>(&mut self, path: &str, mut listed: impl Iterator<Item = &'s String>) -> bool {
        match &mut self.0 {
            Some(set) => set.insert(path.to_string()),
            None => !listed.any(|p| p == path),
        }
    }
}

/// A plan read against a rule set once ([`RuleSet::prepare`]), ready to be
/// evaluated any number of times.
pub struct Prepared<'r, 'a> {
    rules: &'r RuleSet,
    extracted: plan::Extracted<'a>,
}

impl Prepared<'_, '_> {
    /// Every rule's outcome, as [`RuleSet::outcomes_json`] gives it.
    pub fn outcomes(&self, options: &CheckOptions) -> Vec<OutcomeKind> {
        match self.with_batch_coverage(options) {
            Some(plan) => self.rules.outcomes(&plan, options),
            None => self.rules.outcomes(&self.extracted, options),
        }
    }

    /// The report, as [`RuleSet::check_json`] gives it.
    pub fn report(&self, options: &CheckOptions) -> Report {
        match self.with_batch_coverage(options) {
            Some(plan) => self.rules.report(&plan, plan.warnings.clone(), options),
            None => self
                .rules
                .report(&self.extracted, self.extracted.warnings.clone(), options),
        }
    }

    /// The plan settled again under the options' coverage, when they carry
    /// one and the plan declares none of its own.
    fn with_batch_coverage(&self, options: &CheckOptions) -> Option<plan::Extracted<'_>> {
        if self.extracted.coverage.is_some() || options.coverage.is_none() {
            return None;
        }
        let mut plan = self.extracted.clone();
        self.rules.settle(&mut plan, options.coverage.as_ref());
        Some(plan)
    }

    /// The warnings found while reading the plan (unknown fields).
    pub fn warnings(&self) -> &[String] {
        &self.extracted.warnings
    }
}

impl std::fmt::Debug for Prepared<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("warnings", &self.extracted.warnings)
            .finish_non_exhaustive()
    }
}

/// The most date warnings one report lists.
const MAX_DATE_WARNINGS: usize = 50;

/// Warnings about dates that cannot all be right, found in the fields the
/// rules read: a `date_of_birth` after the evaluation date (`age of` it is
/// then unknown), a dated event after it (it drops out of every rule that
/// looks back), and a record that ends before it starts (both dates are
/// used as given). Warnings name field paths, never their values.
pub(crate) fn date_warnings(
    root: &Node<'_>,
    nodes: &[Node<'_>],
    shape: &ShapeObj,
    as_of: Date,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = String::new();
    let mut more = 0usize;
    walk_dates(root, nodes, shape, as_of, &mut path, &mut out, &mut more);
    if more > 0 {
        out.push(format!("{more} more date warning(s) like those above"));
    }
    out
}

/// Whether the object at `path` (with list positions) is one whose dates
/// may be planned ([`crate::program::PLANNED_DATE_PATHS`]).
fn is_planned(path: &str) -> bool {
    crate::program::PLANNED_DATE_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('[') || rest.starts_with('.'))
    })
}

fn walk_dates(
    node: &Node<'_>,
    nodes: &[Node<'_>],
    shape: &ShapeObj,
    as_of: Date,
    path: &mut String,
    out: &mut Vec<String>,
    more: &mut usize,
) {
    let Node::Obj(..) = node else { return };
    let checks = &shape.date_checks;
    if !checks.any_below {
        return;
    }
    let slots = node.children(nodes);
    let date = |slot: u16| -> Option<Date> {
        match slots.get(usize::from(slot)) {
            Some(Node::Date(d)) => Some(*d),
            _ => None,
        }
    };
    let mut warn = |w: String| {
        if out.len() < MAX_DATE_WARNINGS {
            out.push(w);
        } else {
            *more += 1;
        }
    };
    let at = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if checks.birth.and_then(date).is_some_and(|d| d > as_of) {
        warn(format!(
            "`{}` is after the evaluation date, so the age it gives is unknown",
            at("date_of_birth")
        ));
    }
    if !checks.events.is_empty() && !is_planned(path) {
        for &(slot, name) in &checks.events {
            if date(slot).is_some_and(|d| d > as_of) {
                warn(format!(
                    "`{}` is after the evaluation date, so what it dates is left out of every rule that looks back from that date (help: check the date, or the --as-of date)",
                    at(name)
                ));
            }
        }
    }
    for &(start_slot, end_slot, start, end) in &checks.pairs {
        if let (Some(s), Some(e)) = (date(start_slot), date(end_slot)) {
            if e < s {
                warn(format!(
                    "`{}` is before `{}`; both are used as given",
                    at(end),
                    at(start)
                ));
            }
        }
    }
    for field in &shape.fields {
        let Some(child) = field.slot.and_then(|s| slots.get(usize::from(s))) else {
            continue;
        };
        if !matches!(child, Node::Obj(..) | Node::List(..)) {
            continue;
        }
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&field.name);
        match (&field.ty, child) {
            (ShapeTy::Object(o), n @ Node::Obj(..)) => {
                walk_dates(n, nodes, o, as_of, path, out, more)
            }
            (ShapeTy::List(elem), n @ Node::List(..)) => {
                if let ShapeTy::Object(o) = elem.as_ref() {
                    let base = path.len();
                    for (i, item) in n.children(nodes).iter().enumerate() {
                        // Written in place: no string allocated per element.
                        let _ = std::fmt::Write::write_fmt(path, format_args!("[{i}]"));
                        walk_dates(item, nodes, o, as_of, path, out, more);
                        path.truncate(base);
                    }
                }
            }
            _ => {}
        }
        path.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    /// The report a binding rebuilds from the words and the compact form,
    /// as the package's JavaScript does.
    fn rebuild(words: &Value, compact: &str) -> Value {
        let (codes, rest) = compact.split_once('\n').unwrap();
        let tail: Value = serde_json::from_str(rest).unwrap();
        let mut details = std::collections::HashMap::new();
        for d in tail["details"].as_array().unwrap() {
            details.insert(d[0].as_u64().unwrap() as usize, d[1].clone());
        }
        let mut summary = [0u64; 3];
        let mut outcomes = Vec::new();
        for (i, (code, w)) in codes
            .chars()
            .zip(words["rules"].as_array().unwrap())
            .enumerate()
        {
            let outcome = match code {
                'f' => "fires",
                'c' => "clear",
                'u' => "unknown",
                other => panic!("code {other}"),
            };
            summary[match code {
                'f' => 0,
                'c' => 1,
                _ => 2,
            }] += 1;
            let mut o = Map::new();
            o.insert("rule".into(), w["rule"].clone());
            o.insert("outcome".into(), json!(outcome));
            for k in ["title", "theme", "kind", "severity"] {
                o.insert(k.into(), w[k].clone());
            }
            if code != 'c' {
                if let Some(l) = w.get("learning") {
                    o.insert("learning".into(), l.clone());
                }
            }
            if code == 'f' {
                o.insert("prompt".into(), w["prompt"].clone());
                o.insert("next_steps".into(), w["next_steps"].clone());
            }
            if let Some(Value::Object(d)) = details.get(&i) {
                for (k, v) in d {
                    o.insert(k.clone(), v.clone());
                }
            }
            outcomes.push(Value::Object(o));
        }
        assert_eq!(outcomes.len(), words["rules"].as_array().unwrap().len());
        let mut r = Map::new();
        r.insert("report_version".into(), words["report_version"].clone());
        r.insert("engine".into(), words["engine"].clone());
        r.insert("as_of".into(), tail["as_of"].clone());
        if let Some(id) = tail.get("plan_id") {
            r.insert("plan_id".into(), id.clone());
        }
        r.insert(
            "summary".into(),
            json!({"fires": summary[0], "clear": summary[1], "unknown": summary[2]}),
        );
        r.insert("outcomes".into(), Value::Array(outcomes));
        if let Some(w) = tail.get("warnings") {
            r.insert("warnings".into(), w.clone());
        }
        r.insert("pack".into(), words["pack"].clone());
        Value::Object(r)
    }

    /// The example plans and the built-in pack's fixture plan, whole and
    /// with each of their top-level fields left out in turn (unknown
    /// outcomes, missing paths).
    fn plans() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/plans");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        for (name, text) in crate::builtin::builtin_tests() {
            if name.ends_with(".json") {
                texts.push(text.to_string());
            }
        }
        let mut out = Vec::new();
        for text in &texts {
            out.push(text.to_string());
            if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
                // A field the schema does not know: a warning.
                let mut more = m.clone();
                more.insert("field_no_schema_has".into(), json!(1));
                out.push(Value::Object(more).to_string());
                for k in m.keys() {
                    let mut less = m.clone();
                    less.remove(k);
                    out.push(Value::Object(less).to_string());
                }
            }
        }
        out
    }

    #[test]
    fn words_and_the_compact_form_give_back_the_whole_report() {
        let rules = RuleSet::builtin().unwrap();
        let words: Value = serde_json::from_str(&rules.words_json()).unwrap();
        let options = CheckOptions::new(Date::parse("2026-11-26").unwrap());
        let (mut fires, mut unknown, mut warned) = (0, 0, 0);
        let plans = plans();
        assert!(plans.len() > 20);
        for plan in &plans {
            let Ok(report) = rules.check_json(plan.as_bytes(), &options) else {
                continue;
            };
            fires += report.summary.fires;
            unknown += report.summary.unknown;
            warned += usize::from(!report.warnings.is_empty());
            let compact = rules.check_compact(plan.as_bytes(), &options).unwrap();
            let full: Value = serde_json::from_str(&report.to_json()).unwrap();
            let rebuilt = rebuild(&words, &compact);
            assert_eq!(rebuilt, full);
        }
        assert!(
            fires > 0 && unknown > 0 && warned > 0,
            "{fires} {unknown} {warned}"
        );
    }

    /// Issue 14: a `where` of 1,000 tests inside another list. The budget
    /// counted list elements visited (here 40 + 40 x 40, far inside the
    /// plan's budget), not the tests made on each (1,000 times as many),
    /// so with larger lists one plan took minutes. Each element now costs
    /// its filter's tests: the rule runs out of budget and is unknown.
    #[test]
    fn a_where_of_many_tests_inside_a_list_spends_the_budget_per_test() {
        let tests: Vec<String> = (0..1000).map(|i| format!("condition = \"c{i}\"")).collect();
        let text = format!(
            "rule R {{\n  title \"t\"\n  theme \"t\"\n  kind risk\n  severity high\n  when any placements where (any health.diagnoses where ({}))\n  prompt \"p\"\n}}\n",
            tests.join(" or ")
        );
        let rules = RuleSet::compile(&[crate::load::Source::new("r.cpr", text.clone())]).unwrap();
        let plan = json!({
            "plan_id": "p",
            "placements": vec![json!({"id": "x"}); 40],
            "health": {"diagnoses": vec![json!({"condition": "none of them"}); 40]},
        })
        .to_string();
        let options = CheckOptions::new(Date::parse("2026-11-26").unwrap());
        let report = rules.check_json(plan.as_bytes(), &options).unwrap();
        assert_eq!(report.outcomes[0].outcome, OutcomeKind::Unknown);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("rule `R` needs more work")),
            "{:?}",
            report.warnings
        );
        assert_eq!(
            rules.outcomes_json(plan.as_bytes(), &options).unwrap(),
            vec![OutcomeKind::Unknown]
        );
        // A filter of a few tests on the same plan is decided as before.
        let few = text.replacen(&tests.join(" or "), &tests[..3].join(" or "), 1);
        let rules = RuleSet::compile(&[crate::load::Source::new("r.cpr", few)]).unwrap();
        let report = rules.check_json(plan.as_bytes(), &options).unwrap();
        assert_eq!(report.outcomes[0].outcome, OutcomeKind::Clear);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    /// Plans with one field left out, anywhere in the plan (every object
    /// key at every depth, list elements included), each in turn.
    fn with_a_field_left_out(v: &Value, out: &mut Vec<Value>) {
        fn walk(v: &Value, at: &mut Vec<PathStep>, root: &Value, out: &mut Vec<Value>) {
            match v {
                Value::Object(m) => {
                    for (k, child) in m {
                        at.push(PathStep::Key(k.clone()));
                        let mut less = root.clone();
                        remove(&mut less, at);
                        out.push(less);
                        walk(child, at, root, out);
                        at.pop();
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        at.push(PathStep::Index(i));
                        walk(child, at, root, out);
                        at.pop();
                    }
                }
                _ => {}
            }
        }
        fn remove(v: &mut Value, at: &[PathStep]) {
            let Some((last, init)) = at.split_last() else {
                return;
            };
            let mut n = v;
            for step in init {
                n = match step {
                    PathStep::Key(k) => &mut n[k.as_str()],
                    PathStep::Index(i) => &mut n[*i],
                };
            }
            if let (PathStep::Key(k), Value::Object(m)) = (last, n) {
                m.remove(k);
            }
        }
        walk(v, &mut Vec::new(), v, out);
    }

    #[derive(Clone)]
    enum PathStep {
        Key(String),
        Index(usize),
    }

    /// Every example plan and the built-in pack's fixture plans, whole and
    /// with each of their fields (at any depth) left out in turn, and the
    /// plan of every case of the pack's rule tests on its evaluation date,
    /// whole and with each top-level field left out in turn.
    fn every_plan() -> Vec<(String, Date)> {
        let default = Date::parse("2026-11-26").unwrap();
        let mut whole: Vec<(Value, Date)> = Vec::new();
        for text in plans() {
            whole.push((serde_json::from_str(&text).unwrap(), default));
        }
        let files = crate::builtin::builtin_tests();
        let read = |path: &str| -> Result<String, String> {
            files
                .iter()
                .find(|(n, _)| *n == path)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| format!("no {path}"))
        };
        let examples = whole.len();
        let mut cases = 0;
        for (name, text) in files {
            if !name.ends_with(".test.toml") {
                continue;
            }
            for case in crate::testing::case_plans(name, text, &read).unwrap() {
                cases += 1;
                whole.push((serde_json::from_str(&case.plan).unwrap(), case.as_of));
            }
        }
        assert!(cases > 150, "{cases}");
        let mut out = Vec::new();
        for (i, (v, as_of)) in whole.iter().enumerate() {
            out.push((v.to_string(), *as_of));
            if i < examples {
                let mut less = Vec::new();
                with_a_field_left_out(v, &mut less);
                out.extend(less.iter().map(|l| (l.to_string(), *as_of)));
            } else if let Value::Object(m) = v {
                // A case's plan is its file's base plan changed a little:
                // its top-level fields left out in turn.
                for k in m.keys() {
                    let mut less = m.clone();
                    less.remove(k);
                    out.push((Value::Object(less).to_string(), *as_of));
                }
            }
        }
        out
    }

    /// Rules using what the built-in pack does not (text tests, value
    /// sets, ages and counts against fields, counts without a filter,
    /// `all`, `not`, constants), over the schema's fields.
    const MORE_RULES: &str = r#"
rule X-01 { title "t" theme "t" kind risk severity low prompt "p"
  when child.home_local_authority starts with "north" or child.home_local_authority contains "BRIDGE" }
rule X-02 { title "t" theme "t" kind risk severity low prompt "p"
  when child.neurodiversity contains "autism" }
rule X-03 { title "t" theme "t" kind risk severity low prompt "p"
  when child.legal_status in ["C1", "C2"] and not (age of child.date_of_birth in [10, 11, 12]) }
rule X-04 { title "t" theme "t" kind risk severity low prompt "p"
  when count placements where (emergency = true) in [1, 2] or count placements not in [3] }
rule X-05 { title "t" theme "t" kind risk severity low prompt "p"
  when all placements where (start_date more than 1 year ago) and count crisis.arrests < count placements }
rule X-06 { title "t" theme "t" kind risk severity low prompt "p"
  when age of child.date_of_birth > 9 and any placements where (local_authority != child.home_local_authority) }
rule X-07 { title "t" theme "t" kind risk severity low prompt "p"
  when none placements where (any crisis.arrests where (date >= start_date)) or count people.agencies >= 5 }
rule X-08 { title "t" theme "t" kind risk severity low prompt "p"
  when education.school.name contains "academy" or child.date_of_birth < 2015-01-01 or 3 <= count placements }
rule X-09 { title "t" theme "t" kind risk severity low prompt "p"
  when education.school.phase != "primary" or any placements where (local_authority != "Northshire") }
"#;

    /// The flat form ([`crate::flat`]) gives the tree's truth, and runs out
    /// of budget where the tree does, for every rule of the built-in pack
    /// (and rules using what the pack does not) on every plan of
    /// [`every_plan`].
    #[test]
    fn the_flat_form_decides_what_the_tree_decides() {
        let builtin = RuleSet::builtin().unwrap();
        let more = RuleSet::compile(&[crate::load::Source::new("more.cpr", MORE_RULES)]).unwrap();
        let plans = every_plan();
        assert!(plans.len() > 5_000, "{}", plans.len());
        eprintln!("{} plans", plans.len());
        let mut seen = std::collections::HashMap::new();
        for rules in [&builtin, &more] {
            assert!(rules.rules.iter().all(|r| r.flat.is_some()));
            for (text, as_of) in &plans {
                let Ok(mut plan) = plan::extract(text.as_bytes(), &rules.shape) else {
                    continue;
                };
                rules.settle(&mut plan, None);
                let mut tree = env(&plan, *as_of);
                let mut run = Run::new(&plan.root, &plan.nodes, *as_of);
                for r in &rules.rules {
                    tree.set_plan_budget();
                    let want = tree.cond::<false>(&r.cond);
                    let want_exhausted = tree.exhausted();
                    let (got, got_exhausted) = run.decide(r.flat.as_ref().unwrap());
                    assert_eq!(got_exhausted, want_exhausted, "{} on {text}", r.text.id);
                    if !want_exhausted {
                        assert_eq!(got, want, "{} on {text}", r.text.id);
                    }
                    *seen.entry((r.text.id.clone(), got)).or_insert(0) += 1;
                }
            }
        }
        // Every rule is seen firing, and unknown with a field left out.
        for rules in [&builtin, &more] {
            for r in &rules.rules {
                for t in [Truth::True, Truth::Unknown] {
                    assert!(
                        seen.contains_key(&(r.text.id.clone(), t)),
                        "{} never {t:?}",
                        r.text.id
                    );
                }
            }
        }
        let clear = seen.keys().filter(|(_, t)| *t == Truth::False).count();
        assert!(clear > 40, "{clear}");
    }

    /// The budget as the flat form spends it: a filter of many tests inside
    /// another list runs out on both forms at the same plan size, and a
    /// filter of a few does not.
    #[test]
    fn the_flat_form_runs_out_of_budget_where_the_tree_does() {
        // A quantifier inside a quantifier, and a count inside a count
        // (whose steps the flat form spends at once).
        let rule = |n: usize, count: bool| {
            let tests: Vec<String> = (0..n).map(|i| format!("condition = \"c{i}\"")).collect();
            let tests = tests.join(" or ");
            let when = if count {
                format!("count placements where (count health.diagnoses where ({tests}) >= 1) >= 1")
            } else {
                format!("any placements where (any health.diagnoses where ({tests}))")
            };
            format!(
                "rule R {{\n  title \"t\"\n  theme \"t\"\n  kind risk\n  severity high\n  when {when}\n  prompt \"p\"\n}}\n"
            )
        };
        let as_of = Date::parse("2026-11-26").unwrap();
        let mut runs_out = 0;
        for (tests, count) in [1, 3, 10, 30, 100]
            .into_iter()
            .flat_map(|t| [(t, false), (t, true)])
        {
            let rules =
                RuleSet::compile(&[crate::load::Source::new("r.cpr", rule(tests, count))]).unwrap();
            for len in [0, 1, 5, 10, 20, 40] {
                let plan = json!({
                    "plan_id": "p",
                    "placements": vec![json!({"id": "x"}); len],
                    "health": {"diagnoses": vec![json!({"condition": "none of them"}); len]},
                })
                .to_string();
                let mut plan = plan::extract(plan.as_bytes(), &rules.shape).unwrap();
                rules.settle(&mut plan, None);
                let r = &rules.rules[0];
                let mut tree = env(&plan, as_of);
                tree.set_plan_budget();
                let want = tree.cond::<false>(&r.cond);
                let mut run = Run::new(&plan.root, &plan.nodes, as_of);
                let (got, exhausted) = run.decide(r.flat.as_ref().unwrap());
                assert_eq!(
                    exhausted,
                    tree.exhausted(),
                    "{tests} tests, {len} elements, count {count}"
                );
                runs_out += usize::from(exhausted);
                if !exhausted {
                    assert_eq!(got, want);
                }
            }
        }
        assert!(runs_out > 1 && runs_out < 60, "{runs_out}");
    }

    #[test]
    fn the_compact_form_has_one_code_per_rule_and_no_words() {
        let rules = RuleSet::builtin().unwrap();
        let options = CheckOptions::new(Date::parse("2026-11-26").unwrap());
        for plan in plans().iter().take(5) {
            let Ok(report) = rules.check_json(plan.as_bytes(), &options) else {
                continue;
            };
            let compact = report.to_compact();
            let (codes, _) = compact.split_once('\n').unwrap();
            let want: String = report.outcomes.iter().map(|o| o.outcome.code()).collect();
            assert_eq!(codes, want);
            for o in &report.outcomes {
                assert!(!compact.contains(o.title()), "{}", o.rule());
            }
        }
    }
}
