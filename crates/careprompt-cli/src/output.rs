//! Report renderers: human (colour on a terminal), plain (for screen
//! readers and logs), JSON, NDJSON and CSV; and the batch summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::console::escaped_line;
use careprompt::{EvidenceValue, Outcome, OutcomeKind, Report, RuleKind, Severity};

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    /// Whether to emit colour codes.
    pub colour: bool,
    /// Whether box-drawing characters may be used.
    pub fancy: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(self, o: &Outcome) -> String {
        let (label, code) = match (o.kind(), o.severity()) {
            (RuleKind::Strength, _) => ("STRENGTH", "32"),
            (_, Severity::High) => ("HIGH", "1;31"),
            (_, Severity::Medium) => ("MEDIUM", "33"),
            (_, Severity::Low) => ("LOW", "36"),
            (_, Severity::Info) => ("INFO", "32"),
        };
        self.paint(code, &format!("[{label}]"))
    }
}

fn value_text(v: &EvidenceValue) -> String {
    match v {
        EvidenceValue::Text(t) => t.clone(),
        EvidenceValue::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
        EvidenceValue::Number(n) => n.to_string(),
        EvidenceValue::Bool(b) => b.to_string(),
        EvidenceValue::Absent => "not recorded".to_string(),
    }
}

/// Renders one report for people.
/// Every text from a plan, the rules or a file name is escaped
/// ([`escaped_line`]), so that control characters cannot drive the terminal.
pub fn human(source: &str, report: &Report, style: Style) -> String {
    let e = escaped_line;
    let mut out = String::new();
    let rule_line = if style.fancy {
        "─".repeat(60)
    } else {
        "-".repeat(60)
    };
    let id = report
        .plan_id
        .as_deref()
        .map(|p| format!("plan {} ", e(p)))
        .unwrap_or_default();
    let _ = writeln!(out, "{}", style.paint("1", &format!("{id}({})", e(source))));
    let strengths = report
        .fired()
        .filter(|o| o.kind() == RuleKind::Strength)
        .count();
    let prompts = report.summary.fires - strengths;
    let _ = writeln!(
        out,
        "checked as of {}: {prompts} prompt(s), {strengths} strength(s), {} rule(s) could not be checked, {} clear",
        report.as_of, report.summary.unknown, report.summary.clear
    );
    for w in &report.warnings {
        let _ = writeln!(out, "{} {}", style.paint("33", "warning:"), e(w));
    }
    let mut fired: Vec<&Outcome> = report.fired().collect();
    // Themes ordered by their most severe prompt, prompts most severe first.
    let mut theme_rank: BTreeMap<&str, Severity> = BTreeMap::new();
    for o in &fired {
        let e = theme_rank.entry(o.theme()).or_insert(o.severity());
        if o.severity() < *e {
            *e = o.severity();
        }
    }
    fired.sort_by(|a, b| {
        let ra = theme_rank.get(a.theme());
        let rb = theme_rank.get(b.theme());
        (ra, a.theme(), a.severity(), a.rule()).cmp(&(rb, b.theme(), b.severity(), b.rule()))
    });
    let mut theme = "";
    for o in fired {
        if o.theme() != theme {
            theme = o.theme();
            let _ = writeln!(
                out,
                "\n{}\n{}",
                style.paint("1", &e(theme)),
                style.paint("2", &rule_line)
            );
        }
        let _ = writeln!(
            out,
            "{} {}  {}",
            style.severity(o),
            style.paint("1", &e(o.rule())),
            e(o.title())
        );
        if let Some(p) = o.prompt() {
            let _ = writeln!(out, "  {}", e(p));
        }
        if !o.evidence.is_empty() {
            let _ = writeln!(out, "  Why (from the plan):");
            for ev in &o.evidence {
                match ev.value {
                    EvidenceValue::Absent => {
                        let _ = writeln!(out, "    - {}: not recorded", e(&ev.path));
                    }
                    _ => {
                        let _ =
                            writeln!(out, "    - {} = {}", e(&ev.path), e(&value_text(&ev.value)));
                    }
                }
            }
        }
        if let Some(steps) = o.next_steps() {
            if !steps.is_empty() {
                let _ = writeln!(out, "  To consider:");
                for s in steps.iter() {
                    let _ = writeln!(out, "    - {}", e(s));
                }
            }
        }
        if let Some(l) = o.learning() {
            match &l.section {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "  Learning point: {}, section \"{}\"",
                        e(&l.source),
                        e(s)
                    );
                }
                None => {
                    let _ = writeln!(out, "  Learning point: {}", e(&l.source));
                }
            }
        }
    }
    let unknown: Vec<&Outcome> = report
        .outcomes
        .iter()
        .filter(|o| o.outcome == OutcomeKind::Unknown)
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "\n{}\n{}",
            style.paint("1", "Could not be checked (data missing)"),
            style.paint("2", &rule_line)
        );
        for o in unknown {
            let _ = writeln!(out, "{}  {}", style.paint("1", &e(o.rule())), e(o.title()));
            let _ = writeln!(out, "    missing: {}", e(&o.missing.join(", ")));
        }
    }
    out
}

/// The CSV header row.
pub const CSV_HEADER: &str =
    "source,plan_id,rule,outcome,severity,kind,theme,evidence,missing,error,pack,pack_version,pack_hash";

/// The pack columns of a CSV row: name, version and content hash.
pub fn csv_pack(pack: &careprompt::PackInfo) -> String {
    format!(
        "{},{},{}",
        crate::csv::field(pack.name.as_deref().unwrap_or("")),
        crate::csv::field(pack.version.as_deref().unwrap_or("")),
        crate::csv::field(&pack.hash)
    )
}

/// One CSV row per rule outcome.
pub fn csv(source: &str, report: &Report) -> String {
    let mut out = String::new();
    let plan_id = report.plan_id.as_deref().unwrap_or("");
    let pack = report
        .pack
        .as_deref()
        .map(csv_pack)
        .unwrap_or_else(|| ",,".into());
    for o in &report.outcomes {
        let evidence = o
            .evidence
            .iter()
            .map(|e| format!("{}={}", e.path, value_text(&e.value)))
            .collect::<Vec<_>>()
            .join("; ");
        let row = [
            crate::csv::field(source),
            crate::csv::field(plan_id),
            crate::csv::field(o.rule()),
            o.outcome.as_str().to_string(),
            o.severity().as_str().to_string(),
            o.kind().as_str().to_string(),
            crate::csv::field(o.theme()),
            crate::csv::field(&evidence),
            crate::csv::field(&o.missing.join("; ")),
            String::new(),
            pack.clone(),
        ];
        out.push_str(&crate::csv::row(&row));
    }
    out
}

/// Counts across a batch, for the closing summary.
#[derive(Default)]
pub struct Totals {
    /// Plans checked.
    pub plans: usize,
    /// Plans that could not be checked.
    pub errors: usize,
    /// Plans with at least one rule unknown.
    pub with_unknown: usize,
    /// Fired prompts by rule id.
    pub by_rule: BTreeMap<String, usize>,
    /// Fired prompts by theme.
    pub by_theme: BTreeMap<String, usize>,
    /// Most severe fired severity seen (for `--fail-on`), ignoring strengths.
    pub worst: Option<Severity>,
}

impl Totals {
    /// Adds one report.
    pub fn add(&mut self, report: &Report) {
        self.plans += 1;
        if report.summary.unknown > 0 {
            self.with_unknown += 1;
        }
        for o in report.fired() {
            // No allocation for a rule or theme already counted (most of them).
            match self.by_rule.get_mut(o.rule()) {
                Some(n) => *n += 1,
                None => {
                    self.by_rule.insert(o.rule().to_string(), 1);
                }
            }
            match self.by_theme.get_mut(o.theme()) {
                Some(n) => *n += 1,
                None => {
                    self.by_theme.insert(o.theme().to_string(), 1);
                }
            }
            if o.kind() != RuleKind::Strength && self.worst.is_none_or(|w| o.severity() < w) {
                self.worst = Some(o.severity());
            }
        }
    }

    /// Adds the counts of another part of the same batch.
    pub fn merge(&mut self, other: Totals) {
        self.plans += other.plans;
        self.errors += other.errors;
        self.with_unknown += other.with_unknown;
        for (rule, n) in other.by_rule {
            *self.by_rule.entry(rule).or_default() += n;
        }
        for (theme, n) in other.by_theme {
            *self.by_theme.entry(theme).or_default() += n;
        }
        self.worst = match (self.worst, other.worst) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// The summary as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "summary: {} plan(s) checked, {} plan(s) with errors, {} plan(s) with rules that could not be checked",
            self.plans, self.errors, self.with_unknown
        );
        if !self.by_theme.is_empty() {
            let _ = writeln!(out, "prompts by theme:");
            for (t, n) in &self.by_theme {
                let _ = writeln!(out, "  {n:>6}  {}", escaped_line(t));
            }
            let _ = writeln!(out, "prompts by rule:");
            for (r, n) in &self.by_rule {
                let _ = writeln!(out, "  {n:>6}  {}", escaped_line(r));
            }
        }
        out
    }

    /// The summary as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "plans": self.plans,
            "errors": self.errors,
            "plans_with_unknown": self.with_unknown,
            "prompts_by_rule": self.by_rule,
            "prompts_by_theme": self.by_theme,
        })
    }
}

/// A line-by-line diff of two texts, for `fmt --check`.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table; rules files are small.
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a.get(i) == b.get(j) {
                lcs.get(i + 1)
                    .and_then(|r| r.get(j + 1))
                    .copied()
                    .unwrap_or(0)
                    + 1
            } else {
                let down = lcs.get(i + 1).and_then(|r| r.get(j)).copied().unwrap_or(0);
                let right = lcs.get(i).and_then(|r| r.get(j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = v;
            }
        }
    }
    let at = |i: usize, j: usize| lcs.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
    let mut out = format!("--- {name}\n+++ {name} (formatted)\n");
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a.get(i) == b.get(j) {
            i += 1;
            j += 1;
        } else if j < m && (i >= n || at(i, j + 1) >= at(i + 1, j)) {
            let _ = writeln!(out, "+{:>5}: {}", j + 1, b.get(j).unwrap_or(&""));
            j += 1;
        } else {
            let _ = writeln!(out, "-{:>5}: {}", i + 1, a.get(i).unwrap_or(&""));
            i += 1;
        }
    }
    out
}

/// A JSON string literal.
fn json_text(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// One `--format ndjson` line for a checked plan:
/// `{"source":"...","report":{...}}`, the report as `Report::to_json_line`
/// writes it (fields in the report's own order).
pub fn ndjson_report(source: &str, report: &Report) -> String {
    // Room for the report as `write_json_line` reserves it (about 1 KB an
    // outcome), so that the line is allocated once.
    let mut line = String::with_capacity(report.outcomes.len() * 1024 + source.len() + 544);
    line.push_str("{\"source\":");
    line.push_str(&json_text(source));
    line.push_str(",\"report\":");
    report.write_json_line(&mut line);
    line.push_str("}\n");
    line
}

/// One `--format ndjson` line for a plan that could not be checked:
/// `{"source":"...","error":"..."}`.
pub fn ndjson_error(source: &str, error: &str) -> String {
    format!(
        "{{\"source\":{},\"error\":{}}}\n",
        json_text(source),
        json_text(error)
    )
}
