//! Benchmarks of careprompt side by side with peer engines (datalogic-rs,
//! zen-expression, cel) and with two floors: a hand-written Rust function
//! over `serde_json::Value` (the evaluation floor) and a serde `IgnoredAny`
//! pass over the plan bytes (the ingest floor). See `docs/performance.md`.
//!
//! - [`gen`]: the seeded plan generator (2, 5 and 10 KB plans, and cohorts).
//! - [`floor`]: the whole pack hand-written in Rust, three-valued like careprompt.
//! - [`peers`]: the [`SUBSET`] of the pack's rules in JSONLogic, ZEN and CEL.
//!
//! Dates: careprompt measures "within 6 months" from the evaluation date as
//! it evaluates. The peers and the floor instead compare ISO date strings
//! against cutoff strings ([`Cutoffs`]) computed once from the evaluation
//! date, outside any timed loop, and written into the compiled rules as
//! literals: the same for every engine.

pub mod floor;
pub mod gate;
pub mod gen;
pub mod peers;

use careprompt::{CheckOptions, Date, OutcomeKind, RuleSet, Source};

/// The evaluation date of every benchmark.
pub const AS_OF: &str = "2026-11-26";

/// [`AS_OF`] as a [`Date`].
pub fn as_of() -> Date {
    Date::parse(AS_OF).unwrap_or_else(|_| Date::from_days(0))
}

/// Check options for [`AS_OF`].
pub fn options() -> CheckOptions {
    CheckOptions::new(as_of())
}

/// The rules expressed in every peer engine (24 of the pack's 40), in the
/// pack's order: counts and quantifiers with filters, date windows, ages,
/// presence tests and sets.
pub const SUBSET: &[&str] = &[
    "CMH-CRI-01",
    "CMH-CRI-02",
    "CMH-CRI-03",
    "CMH-EDU-01",
    "CMH-EDU-02",
    "CMH-EDU-03",
    "CMH-EDU-04",
    "CMH-EDU-06",
    "CMH-EDU-07",
    "CMH-ENG-01",
    "CMH-ENG-02",
    "CMH-FAM-02",
    "CMH-FAM-04",
    "CMH-MED-01",
    "CMH-MED-04",
    "CMH-MAW-01",
    "CMH-MAW-02",
    "CMH-PLA-01",
    "CMH-REL-02",
    "CMH-REL-03",
    "CMH-STB-01",
    "CMH-STB-02",
    "CMH-VOI-02",
    "CMH-VOI-03",
];

/// Cutoff dates derived from the evaluation date, as `YYYY-MM-DD` strings:
/// "within 6 months" is `m6 <= date <= as_of`, "more than 12 months ago"
/// is `date < m12`, "age >= 3" is `date_of_birth <= dob3`.
#[derive(Clone, Debug)]
pub struct Cutoffs {
    /// The evaluation date.
    pub as_of: String,
    /// 3 months before.
    pub m3: String,
    /// 6 months before.
    pub m6: String,
    /// 12 months before.
    pub m12: String,
    /// One school term (4 months) before.
    pub term: String,
    /// The latest date of birth of a child aged 3 (same month and day, 3 years before).
    pub dob3: String,
    /// The latest date of birth of a child aged 10.
    pub dob10: String,
    /// The latest date of birth of a child aged 11 (a child aged 10 was born after it).
    pub dob11: String,
}

impl Cutoffs {
    /// The cutoffs for `as_of`, as careprompt computes them (calendar
    /// months, clamped to the end of a shorter month).
    pub fn new(as_of: Date) -> Cutoffs {
        let (y, m, d) = as_of.ymd();
        Cutoffs {
            as_of: as_of.to_string(),
            m3: as_of.add_months(-3).to_string(),
            m6: as_of.add_months(-6).to_string(),
            m12: as_of.add_months(-12).to_string(),
            term: as_of.add_months(-4).to_string(),
            // Whole years: (y-3, m, d) compared as text, valid or not as a date.
            dob3: format!("{:04}-{m:02}-{d:02}", y - 3),
            dob10: format!("{:04}-{m:02}-{d:02}", y - 10),
            dob11: format!("{:04}-{m:02}-{d:02}", y - 11),
        }
    }
}

/// The rule ids of `rules`, in order.
pub fn ids(rules: &RuleSet) -> Vec<String> {
    rules
        .rules()
        .into_iter()
        .map(|r| r.text.id.clone())
        .collect()
}

/// Whether careprompt's outcome counts as "fires" for a peer (clear and
/// unknown both count as "does not fire").
pub fn fires(o: OutcomeKind) -> bool {
    o == OutcomeKind::Fires
}

/// The built-in pack cut down to `ids`: its constants and definitions,
/// and the `rule` blocks with those ids, as they are written in the pack.
pub fn pack_subset_sources(ids: &[&str]) -> Vec<Source> {
    let mut out = Vec::new();
    let mut rules_text = String::from("import \"definitions.cpr\"\n\n");
    for s in careprompt::builtin_sources() {
        let file = s.name.rsplit('/').next().unwrap_or(&s.name).to_string();
        if file == "constants.cpr" || file == "definitions.cpr" {
            out.push(Source::new(file, s.text.clone()));
            continue;
        }
        let mut keep = false;
        for line in s.text.lines() {
            if let Some(rest) = line.strip_prefix("rule ") {
                let id = rest.trim_end_matches('{').trim();
                keep = ids.contains(&id);
            }
            if keep {
                rules_text.push_str(line);
                rules_text.push('\n');
                if line == "}" {
                    keep = false;
                    rules_text.push('\n');
                }
            }
        }
    }
    out.push(Source::new("subset.cpr", rules_text));
    out
}

/// The pack's [`SUBSET`], compiled by careprompt.
pub fn careprompt_subset() -> Result<RuleSet, careprompt::CompileError> {
    RuleSet::compile(&pack_subset_sources(SUBSET))
}
