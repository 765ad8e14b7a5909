//! The cohort report of `careprompt check --html-report FILE [--csv-report
//! FILE]`: one static, offline HTML page (inline CSS and SVG, no script)
//! with prompts by theme and severity, what each rule could and could not
//! decide, a histogram of placements in the last year, and every child's
//! prompts; and a CSV with one row per plan.
//!
//! The check streams plans; for the report only a small summary of each
//! plan is kept (its ids, a placement count and the indices of the rules
//! that fired), never whole reports.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use careprompt::plan::ExtraValue;
use careprompt::{Date, OutcomeKind, Report, RuleKind, RuleSet, Severity};

/// The cohort reports asked for on the command line.
pub struct Outputs {
    /// `--html-report FILE`.
    pub html: Option<PathBuf>,
    /// `--csv-report FILE`.
    pub csv: Option<PathBuf>,
}

impl Outputs {
    /// Whether any report was asked for.
    pub fn wanted(&self) -> bool {
        self.html.is_some() || self.csv.is_some()
    }
}

/// The fields the report needs from a plan beyond its report, read by the
/// engine in the same pass as the rules' fields
/// ([`RuleSet::check_json_reading`]): the plan is read once.
pub const FACT_PATHS: [&str; 3] = ["child.id", "child.looked_after", "placements[].start_date"];

/// What the report needs from a plan beyond its report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanFacts {
    /// `child.id`.
    pub child_id: Option<String>,
    /// `child.looked_after`.
    pub looked_after: Option<bool>,
    /// Placements with a start date in the 12 months up to the as-of date;
    /// `None` when the plan has no placement list or a start date is missing.
    pub placements_last_year: Option<u32>,
}

impl PlanFacts {
    /// The facts from the values the engine read at [`FACT_PATHS`],
    /// counting placements that started within 12 months of `as_of`
    /// (inclusive, by the engine's own `within`: [`careprompt::date::Duration::contains`]).
    pub fn from_values(values: &[ExtraValue], as_of: Date) -> PlanFacts {
        let [id, looked_after, starts] = values else {
            return PlanFacts::default();
        };
        let child_id = match id {
            ExtraValue::Text(t) => Some(t.clone()),
            _ => None,
        };
        let looked_after = match looked_after {
            ExtraValue::Bool(b) => Some(*b),
            _ => None,
        };
        let year = careprompt::date::Duration {
            amount: 12,
            unit: careprompt::date::Unit::Month,
        };
        let placements_last_year = match starts {
            ExtraValue::List(list) => list.iter().try_fold(0u32, |n, start| {
                let d = match start {
                    ExtraValue::Date(d) => *d,
                    ExtraValue::Text(t) => Date::parse(t).ok()?,
                    _ => return None,
                };
                Some(n + u32::from(year.contains(d, as_of)))
            }),
            _ => None,
        };
        PlanFacts {
            child_id,
            looked_after,
            placements_last_year,
        }
    }
}

struct RuleLine {
    id: String,
    title: String,
    theme: String,
    kind: RuleKind,
    severity: Severity,
    fires: u32,
    clear: u32,
    unknown: u32,
    /// Of `unknown`: children whose plan's declared source does not record
    /// some of the data the rule needs (`not_in_source`, docs/absence.md).
    not_in_source: u32,
}

struct ChildLine {
    source: String,
    child: String,
    plan_id: String,
    looked_after: Option<bool>,
    placements: Option<u32>,
    fired: Vec<u32>,
    unknown: u32,
    clear: u32,
}

/// The cohort, summarised plan by plan as the check goes.
pub struct Cohort {
    as_of: Date,
    /// The rules' pack, named in both reports.
    pack: careprompt::PackInfo,
    rules: Vec<RuleLine>,
    index: HashMap<String, u32>,
    missing: BTreeMap<String, u32>,
    children: Vec<ChildLine>,
    errors: Vec<(String, String)>,
}

/// Bar colours by severity (dark enough for white text; labels never rely on colour).
fn colour(kind: RuleKind, s: Severity) -> &'static str {
    match (kind, s) {
        (RuleKind::Strength, _) | (_, Severity::Info) => "#1b6e20",
        (_, Severity::High) => "#a4121f",
        (_, Severity::Medium) => "#8a4b00",
        (_, Severity::Low) => "#0b5394",
    }
}

fn severity_label(kind: RuleKind, s: Severity) -> &'static str {
    match (kind, s) {
        (RuleKind::Strength, _) | (_, Severity::Info) => "strength",
        (_, Severity::High) => "high",
        (_, Severity::Medium) => "medium",
        (_, Severity::Low) => "low",
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` as part of an HTML id: letters, digits and `-` as they are, every
/// other character (`_` too) written `_<hex>_`, so that different names
/// never share an anchor (`A.B` is `A_2e_B`, `A_B` is `A_5f_B`).
fn anchor_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}_", u32::from(c));
        }
    }
    out
}

/// Strips list indices from a plan path: `placements[2].emergency` → `placements[].emergency`.
fn path_shape(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut in_index = false;
    for c in p.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

impl Cohort {
    /// An empty cohort checked against `rules` as of `as_of`.
    pub fn new(rules: &RuleSet, as_of: Date) -> Cohort {
        let infos = rules.rules();
        let mut index = HashMap::new();
        let mut lines = Vec::with_capacity(infos.len());
        for (i, r) in infos.into_iter().enumerate() {
            let t = &r.text;
            index.insert(t.id.clone(), u32::try_from(i).unwrap_or(u32::MAX));
            lines.push(RuleLine {
                id: t.id.clone(),
                title: t.title.clone(),
                theme: t.theme.clone(),
                kind: t.kind,
                severity: t.severity,
                fires: 0,
                clear: 0,
                unknown: 0,
                not_in_source: 0,
            });
        }
        Cohort {
            as_of,
            pack: rules.pack_info().clone(),
            rules: lines,
            index,
            missing: BTreeMap::new(),
            children: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Adds one checked plan.
    pub fn add(&mut self, source: &str, report: &Report, facts: PlanFacts) {
        let mut fired = Vec::new();
        let (mut unknown, mut clear) = (0u32, 0u32);
        let mut missing_here: HashSet<String> = HashSet::new();
        for o in &report.outcomes {
            let Some(&i) = self.index.get(o.rule()) else {
                continue;
            };
            let Some(line) = self.rules.get_mut(usize::try_from(i).unwrap_or(usize::MAX)) else {
                continue;
            };
            match o.outcome {
                OutcomeKind::Fires => {
                    line.fires += 1;
                    fired.push(i);
                }
                OutcomeKind::Clear => {
                    line.clear += 1;
                    clear += 1;
                }
                OutcomeKind::Unknown => {
                    line.unknown += 1;
                    unknown += 1;
                    if !o.not_in_source.is_empty() {
                        line.not_in_source += 1;
                    }
                    for m in &o.missing {
                        missing_here.insert(path_shape(m));
                    }
                }
            }
        }
        for m in missing_here {
            *self.missing.entry(m).or_default() += 1;
        }
        let plan_id = report.plan_id.clone().unwrap_or_default();
        let child = facts
            .child_id
            .clone()
            .or_else(|| report.plan_id.clone())
            .unwrap_or_else(|| source.to_string());
        self.children.push(ChildLine {
            source: source.to_string(),
            child,
            plan_id,
            looked_after: facts.looked_after,
            placements: facts.placements_last_year,
            fired,
            unknown,
            clear,
        });
    }

    /// Adds a plan that could not be checked.
    pub fn add_error(&mut self, source: &str, message: &str) {
        self.errors.push((source.to_string(), message.to_string()));
    }

    fn rule(&self, i: u32) -> Option<&RuleLine> {
        self.rules.get(usize::try_from(i).unwrap_or(usize::MAX))
    }

    /// A child's fired prompts counted as high, medium, low and strengths.
    fn severity_counts(&self, c: &ChildLine) -> [u32; 4] {
        let mut counts = [0u32; 4];
        for r in c.fired.iter().filter_map(|&i| self.rule(i)) {
            let k = match severity_label(r.kind, r.severity) {
                "high" => 0,
                "medium" => 1,
                "low" => 2,
                _ => 3,
            };
            if let Some(n) = counts.get_mut(k) {
                *n += 1;
            }
        }
        counts
    }

    fn sorted_children(&self) -> Vec<&ChildLine> {
        let mut v: Vec<&ChildLine> = self.children.iter().collect();
        // Ids in natural order: numeric ids by value, then the rest as text.
        let key = |c: &ChildLine| -> (bool, usize, String) {
            let numeric = !c.child.is_empty() && c.child.bytes().all(|b| b.is_ascii_digit());
            let digits = c.child.trim_start_matches('0');
            if numeric {
                (false, digits.len(), digits.to_string())
            } else {
                (true, 0, c.child.clone())
            }
        };
        v.sort_by(|a, b| key(a).cmp(&key(b)).then(a.source.cmp(&b.source)));
        v
    }

    /// Unique anchors for the children, in sorted order.
    fn anchors(children: &[&ChildLine]) -> Vec<String> {
        // The next number to try for each base: many children sharing an id
        // cost one try each, not one per child before them.
        let mut used: HashSet<String> = HashSet::new();
        let mut next: HashMap<String, usize> = HashMap::new();
        children
            .iter()
            .map(|c| {
                let base = format!("child-{}", anchor_part(&c.child));
                if used.insert(base.clone()) {
                    return base;
                }
                let n = next.entry(base.clone()).or_insert(2);
                loop {
                    let a = format!("{base}-{n}");
                    *n += 1;
                    if used.insert(a.clone()) {
                        return a;
                    }
                }
            })
            .collect()
    }

    /// The CSV report: one row per plan (and per plan that could not be checked).
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "child_id,plan_id,source,looked_after,placements_last_12_months,high,medium,low,strengths,could_not_decide,clear,fired_rules,error,pack,pack_version,pack_hash\n",
        );
        let pack = format!(
            "{},{},{}",
            crate::csv::field(self.pack.name.as_deref().unwrap_or("")),
            crate::csv::field(self.pack.version.as_deref().unwrap_or("")),
            crate::csv::field(&self.pack.hash)
        );
        for c in self.sorted_children() {
            let counts = self.severity_counts(c);
            let ids: Vec<&str> = c
                .fired
                .iter()
                .filter_map(|&i| self.rule(i))
                .map(|r| r.id.as_str())
                .collect();
            let opt = |v: Option<String>| v.unwrap_or_default();
            let [high, medium, low, strengths] = counts;
            let _ = writeln!(
                out,
                "{},{},{},{},{},{high},{medium},{low},{strengths},{},{},{},,{pack}",
                crate::csv::field(&c.child),
                crate::csv::field(&c.plan_id),
                crate::csv::field(&c.source),
                opt(c.looked_after.map(|b| b.to_string())),
                opt(c.placements.map(|n| n.to_string())),
                c.unknown,
                c.clear,
                crate::csv::field(&ids.join(";")),
            );
        }
        for (source, message) in &self.errors {
            let _ = writeln!(
                out,
                ",,{},,,,,,,,,,{},{pack}",
                crate::csv::field(source),
                crate::csv::field(message)
            );
        }
        out
    }

    /// The paragraph naming the rules' pack: name, version, content hash,
    /// overridden constants and disabled rules (with their reasons).
    fn provenance(&self) -> String {
        let p = &self.pack;
        let mut h = String::from("<div class=\"provenance\" id=\"pack\"><p>Rules: ");
        match (&p.name, &p.version) {
            (Some(n), Some(v)) => {
                let _ = write!(
                    h,
                    "pack <strong>{}</strong> version <strong>{}</strong>",
                    esc(n),
                    esc(v)
                );
            }
            (Some(n), None) => {
                let _ = write!(h, "pack <strong>{}</strong>", esc(n));
            }
            _ => h.push_str("rules files without a pack manifest"),
        }
        if let Some(e) = &p.extends {
            let _ = write!(h, ", built on {}", esc(e));
        }
        let _ = write!(h, "; content hash <code>{}</code>.</p>", esc(&p.hash));
        if !p.overrides.is_empty() {
            h.push_str("<p>Constants overridden:</p><ul>");
            for o in &p.overrides {
                let _ = write!(
                    h,
                    "<li><code>{}</code> = {} (declared {})</li>",
                    esc(&o.name),
                    esc(&o.value),
                    esc(&o.declared)
                );
            }
            h.push_str("</ul>");
        }
        if !p.disabled.is_empty() {
            h.push_str("<p>Rules disabled:</p><ul>");
            for d in &p.disabled {
                let _ = write!(h, "<li>{}: {}</li>", esc(&d.rule), esc(&d.reason));
            }
            h.push_str("</ul>");
        }
        h.push_str("</div>\n");
        h
    }

    /// The HTML report.
    pub fn html(&self) -> String {
        let children = self.sorted_children();
        let anchors = Self::anchors(&children);
        let mut h = String::with_capacity(64 * 1024 + children.len() * 400);
        let plans = self.children.len();
        let total_prompts: u32 = self
            .rules
            .iter()
            .filter(|r| r.kind != RuleKind::Strength)
            .map(|r| r.fires)
            .sum();
        let total_strengths: u32 = self
            .rules
            .iter()
            .filter(|r| r.kind == RuleKind::Strength)
            .map(|r| r.fires)
            .sum();
        let with_high = self
            .children
            .iter()
            .filter(|c| {
                c.fired.iter().any(|&i| {
                    self.rule(i).is_some_and(|r| {
                        r.kind != RuleKind::Strength && r.severity == Severity::High
                    })
                })
            })
            .count();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>careprompt cohort report, as of {as_of}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>Cohort report</h1>\n<p class=\"lede\">careprompt {ver} checked <strong>{plans}</strong> plan(s) as of <strong>{as_of}</strong> against {rules} rule(s). Prompts support professional judgement; they never decide.</p>\n",
            as_of = self.as_of,
            ver = esc(careprompt::VERSION),
            rules = self.rules.len(),
        );
        h.push_str(&self.provenance());
        h.push_str("<nav aria-label=\"Sections\"><ul><li><a href=\"#themes\">Prompts by theme</a></li><li><a href=\"#severity\">Prompts by severity</a></li><li><a href=\"#data-quality\">What the rules could decide</a></li><li><a href=\"#placements\">Placements in the last 12 months</a></li><li><a href=\"#children\">Children</a></li><li><a href=\"#rules\">Rules</a></li></ul></nav>\n</header>\n<main>\n");
        let _ = write!(
            h,
            "<section aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>\n<dl class=\"summary\"><div><dt>Plans checked</dt><dd>{plans}</dd></div><div><dt>Plans that could not be checked</dt><dd>{errors}</dd></div><div><dt>Prompts (risk and practice)</dt><dd>{total_prompts}</dd></div><div><dt>Strengths recognised</dt><dd>{total_strengths}</dd></div><div><dt>Children with a high-severity prompt</dt><dd>{with_high}</dd></div></dl>\n</section>\n",
            errors = self.errors.len()
        );

        // Prompts by theme.
        let mut themes: BTreeMap<&str, u32> = BTreeMap::new();
        for r in &self.rules {
            *themes.entry(r.theme.as_str()).or_default() += r.fires;
        }
        let mut theme_rows: Vec<(String, u32, &str)> = themes
            .into_iter()
            .map(|(t, n)| (t.to_string(), n, "#35495e"))
            .collect();
        theme_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        h.push_str("<section aria-labelledby=\"themes\"><h2 id=\"themes\">Prompts by theme</h2>\n<p>How many times rules of each theme fired across the cohort (strengths included).</p>\n");
        h.push_str(&hbar_chart(
            "Prompts fired, by theme",
            &theme_rows,
            "prompts",
        ));
        h.push_str("</section>\n");

        // Prompts by severity.
        let mut sev: [(String, u32, &str); 4] = [
            ("High".into(), 0, colour(RuleKind::Risk, Severity::High)),
            ("Medium".into(), 0, colour(RuleKind::Risk, Severity::Medium)),
            ("Low".into(), 0, colour(RuleKind::Risk, Severity::Low)),
            (
                "Strength".into(),
                0,
                colour(RuleKind::Strength, Severity::Info),
            ),
        ];
        for r in &self.rules {
            let k = match severity_label(r.kind, r.severity) {
                "high" => 0,
                "medium" => 1,
                "low" => 2,
                _ => 3,
            };
            if let Some(s) = sev.get_mut(k) {
                s.1 += r.fires;
            }
        }
        h.push_str("<section aria-labelledby=\"severity\"><h2 id=\"severity\">Prompts by severity</h2>\n<p>Prompts fired across the cohort by severity; strengths are things going well, worth naming and protecting.</p>\n");
        h.push_str(&hbar_chart("Prompts fired, by severity", &sev, "prompts"));
        h.push_str("</section>\n");

        // Data quality.
        h.push_str("<section aria-labelledby=\"data-quality\"><h2 id=\"data-quality\">What the rules could decide</h2>\n<p>For each rule: the children it fired for, and the children it <em>could not decide</em> because the plan lacks data the rule needs. Those the rule could not decide are split in two: <em>not in the source</em>, where the plan declares what its source records (its <code>coverage</code>, as imported plans do) and the source does not carry data the rule needs, so no import of it could decide the rule; and <em>not recorded in the plan</em>, where the data is missing from this child's plan.</p>\n");
        h.push_str(&rule_chart(&self.rules));
        h.push_str("<table class=\"rules\"><caption>Outcomes by rule (children)</caption>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Title</th><th scope=\"col\">Severity</th><th scope=\"col\" class=\"num\">Fired</th><th scope=\"col\" class=\"num\">Clear</th><th scope=\"col\" class=\"num\">Could not decide</th><th scope=\"col\" class=\"num\">Could not decide (%)</th><th scope=\"col\" class=\"num\">Not in the source</th><th scope=\"col\" class=\"num\">Not recorded in the plan</th></tr></thead>\n<tbody>\n");
        for r in &self.rules {
            let total = r.fires + r.clear + r.unknown;
            let pct = if total == 0 {
                0.0
            } else {
                f64::from(r.unknown) * 100.0 / f64::from(total)
            };
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\"><a href=\"#rule-{a}\">{id}</a></th><td>{title}</td><td>{sev}</td><td class=\"num\">{f}</td><td class=\"num\">{c}</td><td class=\"num\">{u}</td><td class=\"num\">{pct:.0}%</td><td class=\"num\">{ns}</td><td class=\"num\">{nr}</td></tr>",
                a = anchor_part(&r.id),
                id = esc(&r.id),
                title = esc(&r.title),
                sev = severity_label(r.kind, r.severity),
                f = r.fires,
                c = r.clear,
                u = r.unknown,
                ns = r.not_in_source,
                nr = r.unknown - r.not_in_source,
            );
        }
        h.push_str("</tbody></table>\n");
        if !self.missing.is_empty() {
            let mut top: Vec<(&String, &u32)> = self.missing.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            h.push_str("<table class=\"missing\"><caption>Data most often missing (plans where it kept a rule undecided)</caption>\n<thead><tr><th scope=\"col\">Plan field</th><th scope=\"col\" class=\"num\">Plans</th></tr></thead>\n<tbody>\n");
            for (path, n) in top.into_iter().take(20) {
                let _ = writeln!(
                    h,
                    "<tr><th scope=\"row\"><code>{}</code></th><td class=\"num\">{n}</td></tr>",
                    esc(path)
                );
            }
            h.push_str("</tbody></table>\n");
        }
        h.push_str("</section>\n");

        // Placements histogram.
        let mut buckets = [0u32; 8];
        for c in &self.children {
            let k = match c.placements {
                None => 7,
                Some(n) => usize::try_from(n.min(6)).unwrap_or(6),
            };
            if let Some(b) = buckets.get_mut(k) {
                *b += 1;
            }
        }
        let labels = ["0", "1", "2", "3", "4", "5", "6 or more", "not known"];
        let bars: Vec<(String, u32)> = labels
            .iter()
            .zip(buckets.iter())
            .map(|(l, n)| ((*l).to_string(), *n))
            .collect();
        let three_plus: u32 = buckets.iter().skip(3).take(4).sum();
        let _ = write!(
            h,
            "<section aria-labelledby=\"placements\"><h2 id=\"placements\">Placements in the last 12 months</h2>\n<p>Children by the number of placements that started in the 12 months up to {as_of} (from each plan's placements). {three_plus} child(ren) had three or more, the DfE's measure of placement instability. \"Not known\": the plan has no placement list.</p>\n",
            as_of = self.as_of
        );
        h.push_str(&histogram(
            "Children by placements started in the last 12 months",
            &bars,
        ));
        h.push_str("</section>\n");

        // Children.
        h.push_str("<section aria-labelledby=\"children\"><h2 id=\"children\">Children</h2>\n<p>Each child's prompts, strengths and the rules that could not be decided for want of data. Follow a child's id to their prompts.</p>\n<table class=\"children\"><caption>Children, by id</caption>\n<thead><tr><th scope=\"col\">Child</th><th scope=\"col\">Looked after</th><th scope=\"col\" class=\"num\">Placements, last 12 months</th><th scope=\"col\" class=\"num\">High</th><th scope=\"col\" class=\"num\">Medium</th><th scope=\"col\" class=\"num\">Low</th><th scope=\"col\" class=\"num\">Strengths</th><th scope=\"col\" class=\"num\">Could not decide</th></tr></thead>\n<tbody>\n");
        for (c, a) in children.iter().zip(&anchors) {
            let counts = self.severity_counts(c);
            let name = if c.fired.is_empty() {
                esc(&c.child)
            } else {
                format!("<a href=\"#{a}\">{}</a>", esc(&c.child))
            };
            let la = match c.looked_after {
                Some(true) => "yes",
                Some(false) => "no",
                None => "not known",
            };
            let pl = c
                .placements
                .map_or("not known".to_string(), |n| n.to_string());
            let [hi, me, lo, st] = counts;
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{name}</th><td>{la}</td><td class=\"num\">{pl}</td><td class=\"num\">{hi}</td><td class=\"num\">{me}</td><td class=\"num\">{lo}</td><td class=\"num\">{st}</td><td class=\"num\">{u}</td></tr>",
                u = c.unknown
            );
        }
        h.push_str("</tbody></table>\n");
        h.push_str("<h3>Prompts by child</h3>\n");
        for (c, a) in children.iter().zip(&anchors) {
            if c.fired.is_empty() {
                continue;
            }
            let _ = write!(
                h,
                "<article class=\"child\" aria-labelledby=\"{a}\"><h4 id=\"{a}\">Child {}</h4><p class=\"src\">{}</p><ul>",
                esc(&c.child),
                esc(&c.source)
            );
            let mut fired: Vec<&RuleLine> = c.fired.iter().filter_map(|&i| self.rule(i)).collect();
            fired.sort_by(|x, y| {
                (x.kind == RuleKind::Strength, x.severity, &x.id).cmp(&(
                    y.kind == RuleKind::Strength,
                    y.severity,
                    &y.id,
                ))
            });
            for r in fired {
                let label = severity_label(r.kind, r.severity);
                let _ = write!(
                    h,
                    "<li><span class=\"tag tag-{label}\">{}</span> <a href=\"#rule-{}\">{}</a> {}</li>",
                    label.to_uppercase(),
                    anchor_part(&r.id),
                    esc(&r.id),
                    esc(&r.title)
                );
            }
            h.push_str("</ul></article>\n");
        }
        h.push_str("</section>\n");

        // Rules.
        h.push_str("<section aria-labelledby=\"rules\"><h2 id=\"rules\">Rules</h2>\n<dl class=\"rulelist\">\n");
        for r in &self.rules {
            let label = severity_label(r.kind, r.severity);
            let _ = writeln!(
                h,
                "<dt id=\"rule-{}\">{} <span class=\"tag tag-{label}\">{}</span></dt><dd>{} <span class=\"theme\">Theme: {}; {}.</span> Fired for {}, could not decide for {}.</dd>",
                anchor_part(&r.id),
                esc(&r.id),
                label.to_uppercase(),
                esc(&r.title),
                esc(&r.theme),
                r.kind.as_str(),
                r.fires,
                r.unknown,
            );
        }
        h.push_str("</dl>\n</section>\n");

        if !self.errors.is_empty() {
            h.push_str("<section aria-labelledby=\"errors\"><h2 id=\"errors\">Plans that could not be checked</h2>\n<table><thead><tr><th scope=\"col\">Plan</th><th scope=\"col\">Problem</th></tr></thead><tbody>\n");
            for (s, m) in &self.errors {
                let _ = writeln!(
                    h,
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                    esc(s),
                    esc(m)
                );
            }
            h.push_str("</tbody></table>\n</section>\n");
        }
        h.push_str("</main>\n<footer><p>Generated by careprompt. This page works offline and needs no script.</p></footer>\n</body>\n</html>\n");
        h
    }

    /// Writes the reports asked for.
    pub fn write(&self, html: Option<&Path>, csv: Option<&Path>) -> Result<(), String> {
        let write = |p: &Path, text: String| {
            crate::rules::write_atomic(p, &text).map_err(|e| {
                format!(
                    "{}: could not write the report: {}; any earlier report there is unchanged\n  = help: free space on the disk, or write the report elsewhere",
                    p.display(),
                    crate::rules::short_io(&e)
                )
            })
        };
        if let Some(p) = html {
            write(p, self.html())?;
        }
        if let Some(p) = csv {
            write(p, self.csv())?;
        }
        Ok(())
    }
}

const STYLE: &str = "
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;line-height:1.45;color:#1b1b1b;background:#fff;margin:0}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1.5rem}
header{border-bottom:4px solid #35495e;padding-bottom:.5rem}
h1{font-size:2rem;margin:1.2rem 0 .3rem}
h2{font-size:1.45rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
h3{font-size:1.2rem;margin:1.5rem 0 .5rem}
h4{font-size:1.05rem;margin:.2rem 0}
.lede{font-size:1.05rem;margin:.2rem 0 .6rem}
nav ul{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
a{color:#0b4f8a}
a:focus{outline:3px solid #ffbf47;outline-offset:1px}
.summary{display:flex;flex-wrap:wrap;gap:.8rem;margin:0}
.summary div{border:1px solid #bbb;border-radius:4px;padding:.5rem .9rem;min-width:10rem}
.summary dt{font-size:.9rem;color:#444}
.summary dd{margin:0;font-size:1.6rem;font-weight:700}
figure{margin:.5rem 0 1rem}
figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font-family:inherit;fill:#1b1b1b}
table{border-collapse:collapse;margin:.8rem 0 1.2rem;width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#eef1f4}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.children tbody tr:nth-child(even){background:#f7f7f7}
article.child{border-left:4px solid #35495e;padding:.2rem .8rem;margin:.6rem 0}
article.child ul{margin:.2rem 0 .4rem;padding-left:1.2rem}
.src{margin:0;color:#555;font-size:.85rem}
.tag{display:inline-block;font-size:.75rem;font-weight:700;color:#fff;border-radius:3px;padding:0 .35rem;letter-spacing:.03em}
.tag-high{background:#a4121f}.tag-medium{background:#8a4b00}.tag-low{background:#0b5394}.tag-strength{background:#1b6e20}
.rulelist dt{font-weight:700;margin-top:.6rem}
.rulelist dd{margin:0 0 .2rem 0}
.theme{color:#444}
footer{border-top:1px solid #ccc;margin-top:2rem;color:#555;font-size:.9rem}
@media print{nav{display:none}a{color:inherit}}
";

/// A horizontal bar chart with a text label and the value on every bar.
fn hbar_chart(title: &str, rows: &[(String, u32, &str)], unit: &str) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let label_w = 330.0;
    let bar_w = 520.0;
    let row_h = 30.0;
    let height = row_h * rows.len() as f64 + 10.0;
    let width = label_w + bar_w + 90.0;
    let mut s = String::new();
    let desc: Vec<String> = rows.iter().map(|(l, n, _)| format!("{l}: {n}")).collect();
    let _ = write!(
        s,
        "<figure><figcaption>{t}</figcaption><svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{t}</title><desc id=\"{id}-d\">{d}</desc>",
        t = esc(title),
        id = anchor_part(title),
        d = esc(&desc.join("; ")),
    );
    for (k, (label, n, col)) in rows.iter().enumerate() {
        let y = k as f64 * row_h + 5.0;
        let w = if *n == 0 {
            0.0
        } else {
            (f64::from(*n) / f64::from(max) * bar_w).max(2.0)
        };
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"14\">{l}</text><rect x=\"{bx}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" fill=\"{col}\"><title>{l}: {n} {unit}</title></rect><text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"14\" font-weight=\"600\">{n}</text>",
            lx = label_w - 8.0,
            ty = y + 15.5,
            l = esc(label),
            bx = label_w,
            bh = row_h - 8.0,
            vx = label_w + w + 6.0,
        );
    }
    s.push_str("</svg></figure>\n");
    s
}

/// Two bars a rule: fired and could not decide, each labelled.
fn rule_chart(rules: &[RuleLine]) -> String {
    let max = rules
        .iter()
        .map(|r| r.fires.max(r.unknown))
        .max()
        .unwrap_or(0)
        .max(1);
    let label_w = 120.0;
    let bar_w = 600.0;
    let row_h = 40.0;
    let height = row_h * rules.len() as f64 + 40.0;
    let width = label_w + bar_w + 220.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure><figcaption>Children each rule fired for, and could not decide for</figcaption><svg role=\"img\" aria-labelledby=\"rulechart-t\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"rulechart-t\">Children each rule fired for (solid bar) and could not decide for (hatched bar); the table below has the same figures</title><defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e3e6ea\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6b7785\" stroke-width=\"2\"/></pattern></defs>"
    );
    let _ = write!(
        s,
        "<rect x=\"{label_w}\" y=\"4\" width=\"14\" height=\"14\" fill=\"#35495e\"/><text x=\"{a}\" y=\"16\" font-size=\"13\">fired</text><rect x=\"{b}\" y=\"4\" width=\"14\" height=\"14\" fill=\"url(#hatch)\" stroke=\"#6b7785\"/><text x=\"{c}\" y=\"16\" font-size=\"13\">could not decide (data missing)</text>",
        a = label_w + 20.0,
        b = label_w + 80.0,
        c = label_w + 100.0
    );
    for (k, r) in rules.iter().enumerate() {
        let y = k as f64 * row_h + 30.0;
        let wf = if r.fires == 0 {
            0.0
        } else {
            (f64::from(r.fires) / f64::from(max) * bar_w).max(2.0)
        };
        let wu = if r.unknown == 0 {
            0.0
        } else {
            (f64::from(r.unknown) / f64::from(max) * bar_w).max(2.0)
        };
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" font-weight=\"600\">{id}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{wf:.1}\" height=\"15\" fill=\"#35495e\"><title>{id}: fired for {f}</title></rect><text x=\"{fx:.1}\" y=\"{fy}\" font-size=\"12\">fired {f}</text><rect x=\"{label_w}\" y=\"{uy}\" width=\"{wu:.1}\" height=\"15\" fill=\"url(#hatch)\" stroke=\"#6b7785\" stroke-width=\"{sw}\"><title>{id}: could not decide for {u}</title></rect><text x=\"{ux:.1}\" y=\"{uty}\" font-size=\"12\">could not decide {u}</text>",
            lx = label_w - 8.0,
            ty = y + 20.0,
            id = esc(&r.id),
            f = r.fires,
            u = r.unknown,
            fx = label_w + wf + 5.0,
            fy = y + 12.5,
            uy = y + 17.0,
            ux = label_w + wu + 5.0,
            uty = y + 29.5,
            sw = if r.unknown == 0 { 0 } else { 1 },
        );
    }
    s.push_str("</svg></figure>\n");
    s
}

/// A vertical histogram with the count above and the label below every bar.
fn histogram(title: &str, bars: &[(String, u32)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let bar_w = 70.0;
    let gap = 22.0;
    let plot_h = 220.0;
    let top = 30.0;
    let width = (bar_w + gap) * bars.len() as f64 + 60.0;
    let height = plot_h + top + 60.0;
    let mut s = String::new();
    let desc: Vec<String> = bars.iter().map(|(l, n)| format!("{l}: {n}")).collect();
    let _ = write!(
        s,
        "<figure><figcaption>{t}</figcaption><svg role=\"img\" aria-labelledby=\"hist-t hist-d\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"hist-t\">{t}</title><desc id=\"hist-d\">{d}</desc><line x1=\"30\" y1=\"{base}\" x2=\"{xe}\" y2=\"{base}\" stroke=\"#555\"/>",
        t = esc(title),
        d = esc(&desc.join("; ")),
        base = top + plot_h,
        xe = width - 10.0,
    );
    for (k, (label, n)) in bars.iter().enumerate() {
        let x = 40.0 + k as f64 * (bar_w + gap);
        let hgt = if *n == 0 {
            0.0
        } else {
            (f64::from(*n) / f64::from(max) * plot_h).max(2.0)
        };
        let y = top + plot_h - hgt;
        let fill = if label == "not known" {
            "url(#hist-hatch)"
        } else if k >= 3 {
            "#a4121f"
        } else {
            "#35495e"
        };
        if k == 0 {
            s.push_str("<defs><pattern id=\"hist-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e3e6ea\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6b7785\" stroke-width=\"2\"/></pattern></defs>");
        }
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"{hgt:.1}\" fill=\"{fill}\" stroke=\"#333\" stroke-width=\"{sw}\"><title>{l}: {n} child(ren)</title></rect><text x=\"{cx}\" y=\"{vy:.1}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\">{n}</text><text x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"13\">{l}</text>",
            l = esc(label),
            cx = x + bar_w / 2.0,
            vy = y - 6.0,
            ly = top + plot_h + 20.0,
            sw = if *n == 0 { 0 } else { 1 },
        );
    }
    let _ = write!(
        s,
        "<text x=\"{cx}\" y=\"{y}\" text-anchor=\"middle\" font-size=\"13\">placements started in the 12 months (bars for 3 or more in dark red)</text>",
        cx = width / 2.0,
        y = top + plot_h + 46.0
    );
    s.push_str("</svg></figure>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(rules: &RuleSet, plan: &[u8], as_of: Date) -> PlanFacts {
        let extra = rules.extra_reads(&FACT_PATHS);
        let (_, values) = rules
            .check_json_reading(plan, &careprompt::CheckOptions::new(as_of), &extra)
            .unwrap();
        PlanFacts::from_values(&values, as_of)
    }

    #[test]
    fn facts_count_placements_in_the_year() {
        let as_of = Date::parse("2018-03-31").unwrap();
        // The built-in pack, and rules that read none of the facts' fields.
        let none_read = careprompt::RuleSet::compile(&[careprompt::Source::new(
            "r.cpr",
            "rule R-1 {\n  title \"t\"\n  theme \"T\"\n  kind practice\n  severity low\n  learning \"L\"\n  when education.pep exists\n  prompt \"p\"\n}\n",
        )])
        .unwrap();
        for rules in [RuleSet::builtin().unwrap(), none_read] {
            let plan = br#"{"plan_id":"a","child":{"id":"c1","looked_after":true},"placements":[
            {"start_date":"2017-03-31"},{"start_date":"2017-03-30"},{"start_date":"2018-03-31"},{"start_date":"2018-04-01"}]}"#;
            let f = facts(&rules, plan, as_of);
            assert_eq!(f.child_id.as_deref(), Some("c1"));
            assert_eq!(f.looked_after, Some(true));
            assert_eq!(f.placements_last_year, Some(2));
            let none = facts(&rules, br#"{"plan_id":"a","child":{"id":"c1"}}"#, as_of);
            assert_eq!(none.placements_last_year, None);
            let undated = facts(
                &rules,
                br#"{"plan_id":"a","child":{"id":"c1"},"placements":[{}]}"#,
                as_of,
            );
            assert_eq!(undated.placements_last_year, None);
        }
    }

    /// The facts as the report read them before the engine did (serde_json,
    /// a second parse), for plans serde_json can parse.
    fn facts_by_serde(bytes: &[u8], as_of: Date) -> PlanFacts {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let child = v.get("child");
        let year = careprompt::date::Duration {
            amount: 12,
            unit: careprompt::date::Unit::Month,
        };
        PlanFacts {
            child_id: child
                .and_then(|c| c.get("id"))
                .and_then(|i| i.as_str())
                .map(str::to_string),
            looked_after: child
                .and_then(|c| c.get("looked_after"))
                .and_then(serde_json::Value::as_bool),
            placements_last_year: v
                .get("placements")
                .and_then(|p| p.as_array())
                .and_then(|list| {
                    list.iter().try_fold(0u32, |n, p| {
                        let d = Date::parse(p.get("start_date")?.as_str()?).ok()?;
                        Some(n + u32::from(year.contains(d, as_of)))
                    })
                }),
        }
    }

    #[test]
    fn the_engine_reads_the_same_facts_serde_json_did_on_every_example_and_fixture() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let rules = RuleSet::builtin().unwrap();
        let mut seen = 0;
        for dir in [
            "examples/plans",
            "crates/careprompt/pack/jtai-childrens-mental-health/tests/fixtures",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_none_or(|x| x != "json") {
                    continue;
                }
                let bytes = std::fs::read(&p).unwrap();
                for as_of in ["2018-03-31", "2026-11-26"] {
                    let as_of = Date::parse(as_of).unwrap();
                    let extra = rules.extra_reads(&FACT_PATHS);
                    let Ok((report, values)) = rules.check_json_reading(
                        &bytes,
                        &careprompt::CheckOptions::new(as_of),
                        &extra,
                    ) else {
                        continue;
                    };
                    let plain = rules
                        .check_json(&bytes, &careprompt::CheckOptions::new(as_of))
                        .unwrap();
                    assert_eq!(report.to_json(), plain.to_json(), "{}", p.display());
                    assert_eq!(
                        PlanFacts::from_values(&values, as_of),
                        facts_by_serde(&bytes, as_of),
                        "{}",
                        p.display()
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 18, "{seen}");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            path_shape("placements[12].emergency"),
            "placements[].emergency"
        );
        assert_eq!(crate::csv::field("=1+1"), "'=1+1");
        assert_eq!(crate::csv::field("a,b"), "\"a,b\"");
        assert_eq!(esc("<a&\"'>"), "&lt;a&amp;&quot;&#39;&gt;");
        assert_eq!(anchor_part("a b/c"), "a_20_b_2f_c");
        assert_ne!(anchor_part("A.B"), anchor_part("A_B"));
        assert_eq!(anchor_part("CMH-EDU-01"), "CMH-EDU-01");
    }
}
