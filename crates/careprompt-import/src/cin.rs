//! The Children in Need (CIN) census, as the DfE's XML: per child, the id,
//! date of birth, disabilities and, from assessments, whether concerns about
//! the child's mental health (factor 4A) were identified. Codes the case
//! plan has no field for (referral sources, the other assessment factors,
//! child protection plans) are kept in the import log's `cin_codes`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use careprompt::Date;
use roxmltree::{Document, Node};

use crate::codes;
use crate::lines::LineStarts;
use crate::log::{CinCodes, CinPeriod, CinReferral, Handling, ImportLog, Issue, TableCounts};
use crate::plan::Plan;
use crate::read::{read_bounded, MAX_INPUT_BYTES};
use crate::xml_depth::{too_deep, MAX_XML_DEPTH};
use crate::{Import, ImportError};

/// Options for a CIN census import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The responsible local authority's code: sets `child.home_local_authority`.
    pub la_code: Option<String>,
    /// The most bytes the file may hold (default [`MAX_INPUT_BYTES`]).
    pub max_input_bytes: Option<u64>,
    /// The date the plans describe: dates after it are warned about.
    pub as_of: Option<Date>,
}

/// The kinds of element counted, in the order the log lists them.
const KINDS: &[&str] = &[
    "Child",
    "Disability",
    "ReferralSource",
    "AssessmentFactors",
    "ChildProtectionPlans",
];

fn child_elem<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn elems<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child_elem(node, name)
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

struct Counter {
    file: String,
    counts: BTreeMap<&'static str, TableCounts>,
    issues: Vec<Issue>,
}

impl Counter {
    fn count(&mut self, kind: &'static str, level: Option<Handling>) {
        let c = self.counts.entry(kind).or_insert_with(|| TableCounts {
            table: kind.to_string(),
            file: self.file.clone(),
            present: true,
            ..TableCounts::default()
        });
        c.read += 1;
        match level {
            None => c.used += 1,
            Some(Handling::Warning) => {
                c.used += 1;
                c.warnings += 1;
            }
            Some(Handling::Rejected) => c.rejected += 1,
            Some(Handling::NotCarried) | Some(Handling::Note) => c.not_carried += 1,
        }
    }

    fn issue(
        &mut self,
        kind: &str,
        line: u64,
        child: Option<&str>,
        level: Handling,
        reason: String,
    ) {
        self.issue_about(kind, line, child, level, reason, None);
    }

    /// An issue about `value`, which goes to the log file only.
    fn issue_about(
        &mut self,
        kind: &str,
        line: u64,
        child: Option<&str>,
        level: Handling,
        reason: String,
        value: Option<&str>,
    ) {
        self.issues.push(Issue {
            table: kind.to_string(),
            file: self.file.clone(),
            line: Some(line),
            child: child.map(str::to_string),
            level,
            reason,
            value: value.map(str::to_string),
        });
    }
}

/// Imports the CIN census in `path`.
pub fn import_file(path: &Path, options: &Options) -> Result<Import, ImportError> {
    let file = path.display().to_string();
    let bytes = read_bounded(path, options.max_input_bytes.unwrap_or(MAX_INPUT_BYTES))?;
    let starts = LineStarts::new(&bytes);
    let raw = String::from_utf8(bytes).map_err(|e| ImportError::Xml {
        path: format!("{file}:{}", starts.line_of(e.utf8_error().valid_up_to())),
        message: "not UTF-8 text (save the census as UTF-8)".into(),
    })?;
    let xml = raw.trim_start_matches('\u{feff}');
    let bom = raw.len() - xml.len();
    if let Some(at) = too_deep(xml.as_bytes(), MAX_XML_DEPTH) {
        return Err(ImportError::Xml {
            path: format!("{file}:{}", starts.line_of(at + bom)),
            message: format!(
                "elements nested more than {MAX_XML_DEPTH} deep: not a CIN census file (a census nests about eight deep)"
            ),
        });
    }
    // The parser's message is not repeated: it can quote the file's text.
    let doc = Document::parse(xml).map_err(|e| ImportError::Xml {
        path: format!("{file}:{}:{}", e.pos().row, e.pos().col),
        message: "not well-formed XML (check the file with an XML validator)".into(),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "Message" {
        return Err(ImportError::Xml {
            path: file,
            message: format!(
                "the root element is <{}>, not <Message>: not a CIN census file",
                root.tag_name().name()
            ),
        });
    }
    // Lines from a table of line starts: asking the document for the
    // position of every node scans from the start each time.
    let line_of = |n: Node<'_, '_>| starts.line_of(n.range().start + bom);
    let mut c = Counter {
        file: file.clone(),
        counts: BTreeMap::new(),
        issues: Vec::new(),
    };
    let mut plans: BTreeMap<String, Plan> = BTreeMap::new();
    let mut cin_codes = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let children_node = child_elem(root, "Children");
    let child_nodes: Vec<Node<'_, '_>> = children_node
        .map(|n| elems(n, "Child").collect())
        .unwrap_or_default();
    // Every <Child> in the file is accounted for: one that is not where a
    // census puts it (Message/Children/Child) is rejected, not skipped.
    for stray in root.descendants().filter(|n| {
        n.is_element() && n.tag_name().name() == "Child" && n.parent_element() != children_node
    }) {
        c.count("Child", Some(Handling::Rejected));
        c.issue(
            "Child",
            line_of(stray),
            None,
            Handling::Rejected,
            "a <Child> outside <Message><Children>: not read".into(),
        );
    }
    for node in child_nodes {
        let line = line_of(node);
        let ids = child_elem(node, "ChildIdentifiers");
        let Some(id) = ids.and_then(|n| text(n, "LAchildID")) else {
            c.count("Child", Some(Handling::Rejected));
            c.issue(
                "Child",
                line,
                None,
                Handling::Rejected,
                "LAchildID is missing or blank".into(),
            );
            continue;
        };
        if id.len() > crate::ssda903::MAX_CHILD_ID_LEN {
            let reason = format!(
                "LAchildID is longer than {} characters",
                crate::ssda903::MAX_CHILD_ID_LEN
            );
            c.count("Child", Some(Handling::Rejected));
            c.issue("Child", line, None, Handling::Rejected, reason);
            continue;
        }
        if let Some(first) = first_line.get(id) {
            let reason = format!(
                "a second <Child> with this LAchildID (first at line {first}): the first is used"
            );
            c.count("Child", Some(Handling::Rejected));
            c.issue("Child", line, Some(id), Handling::Rejected, reason);
            continue;
        }
        first_line.insert(id.to_string(), line);
        let mut plan = Plan::new(id);
        plan.child.home_local_authority = options.la_code.clone();
        let mut child_level = None;
        match ids.and_then(|n| text(n, "PersonBirthDate")) {
            Some(t) => match Date::parse(t) {
                Ok(d) => {
                    if options.as_of.is_some_and(|a| d > a) {
                        child_level = Some(Handling::Warning);
                        let reason = "PersonBirthDate is after the as-of date: kept, but check it"
                            .to_string();
                        c.issue_about("Child", line, Some(id), Handling::Warning, reason, Some(t));
                    }
                    plan.child.date_of_birth = Some(d.to_string());
                }
                Err(_) => {
                    child_level = Some(Handling::Warning);
                    let reason =
                        "PersonBirthDate is not a date (YYYY-MM-DD): date_of_birth left out"
                            .to_string();
                    c.issue_about("Child", line, Some(id), Handling::Warning, reason, Some(t));
                }
            },
            None => {
                child_level = Some(Handling::Warning);
                c.issue(
                    "Child",
                    line,
                    Some(id),
                    Handling::Warning,
                    "no PersonBirthDate: date_of_birth left out".into(),
                );
            }
        }
        c.count("Child", child_level);

        // Disabilities: the list, or left out when a code is unknown.
        let dis = node
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == "Disabilities");
        if let Some(dis) = dis {
            let mut words: BTreeSet<String> = BTreeSet::new();
            let mut complete = true;
            let mut any = false;
            for d in elems(dis, "Disability") {
                any = true;
                let code = d.text().map(str::trim).unwrap_or("");
                match codes::disability(code) {
                    Some(word) => {
                        c.count("Disability", None);
                        if let Some(w) = word {
                            words.insert(w.to_string());
                        }
                    }
                    None => {
                        complete = false;
                        c.count("Disability", Some(Handling::Rejected));
                        let reason = "Disability is not a disability code: disabilities left out for this child".to_string();
                        c.issue_about(
                            "Disability",
                            line_of(d),
                            Some(id),
                            Handling::Rejected,
                            reason,
                            Some(code),
                        );
                    }
                }
            }
            if any && complete {
                if words.contains("autism") {
                    plan.child.neurodiversity = Some(vec!["autism".to_string()]);
                }
                plan.child.disabilities = Some(words.into_iter().collect());
            }
        }

        let mut record = CinCodes {
            child: id.to_string(),
            line,
            ..CinCodes::default()
        };
        let mut factors: BTreeSet<String> = BTreeSet::new();
        for details in elems(node, "CINdetails") {
            let date_text = text(details, "CINreferralDate");
            let date = date_text.and_then(|t| Date::parse(t).ok());
            if let (Some(d), Some(a)) = (date, options.as_of) {
                if d > a {
                    let reason = "CINreferralDate is after the as-of date".to_string();
                    c.issue_about(
                        "ReferralSource",
                        line_of(details),
                        Some(id),
                        Handling::Warning,
                        reason,
                        date_text,
                    );
                }
            }
            if let (Some(t), None) = (date_text, date) {
                let reason = "CINreferralDate is not a date (YYYY-MM-DD)".to_string();
                c.issue_about(
                    "ReferralSource",
                    line_of(details),
                    Some(id),
                    Handling::Warning,
                    reason,
                    Some(t),
                );
            }
            if let Some(src_node) = child_elem(details, "ReferralSource") {
                let code = src_node.text().map(str::trim).unwrap_or("");
                let valid = codes::REFERRAL_SOURCE.contains(&code);
                if valid {
                    c.count("ReferralSource", Some(Handling::NotCarried));
                } else {
                    c.count("ReferralSource", Some(Handling::Rejected));
                    let reason = "ReferralSource is not a referral source code".to_string();
                    c.issue_about(
                        "ReferralSource",
                        line_of(src_node),
                        Some(id),
                        Handling::Rejected,
                        reason,
                        Some(code),
                    );
                }
                record.referrals.push(CinReferral {
                    date: date.map(|d| d.to_string()),
                    source: valid.then(|| code.to_string()),
                    from_ae: code == codes::REFERRAL_FROM_AE,
                });
            }
            for a in elems(details, "Assessments") {
                let Some(f) = child_elem(a, "FactorsIdentifiedAtAssessment") else {
                    continue;
                };
                for factor in elems(f, "AssessmentFactors") {
                    let code = factor.text().map(str::trim).unwrap_or("");
                    if !codes::ASSESSMENT_FACTORS.contains(&code) {
                        c.count("AssessmentFactors", Some(Handling::Rejected));
                        let reason =
                            "AssessmentFactors is not an assessment factor code".to_string();
                        c.issue_about(
                            "AssessmentFactors",
                            line_of(factor),
                            Some(id),
                            Handling::Rejected,
                            reason,
                            Some(code),
                        );
                        continue;
                    }
                    if code == codes::FACTOR_CHILD_MENTAL_HEALTH {
                        c.count("AssessmentFactors", None);
                        plan.child.mental_health_needs = Some(true);
                    } else {
                        c.count("AssessmentFactors", Some(Handling::NotCarried));
                    }
                    factors.insert(code.to_string());
                }
            }
            for cpp in elems(details, "ChildProtectionPlans") {
                c.count("ChildProtectionPlans", Some(Handling::NotCarried));
                let date = |name: &str| {
                    text(cpp, name)
                        .and_then(|t| Date::parse(t).ok())
                        .map(|d| d.to_string())
                };
                record.child_protection_plans.push(CinPeriod {
                    start: date("CPPstartDate"),
                    end: date("CPPendDate"),
                });
            }
        }
        record.assessment_factors = factors.into_iter().collect();
        if !record.referrals.is_empty()
            || !record.assessment_factors.is_empty()
            || !record.child_protection_plans.is_empty()
        {
            cin_codes.push(record);
        }
        plan.declare_coverage("cin");
        plans.insert(id.to_string(), plan);
    }
    let mut log = ImportLog::new("cin");
    log.inputs.push(file.clone());
    log.la_code = options.la_code.clone();
    for kind in KINDS {
        log.tables
            .push(c.counts.remove(kind).unwrap_or_else(|| TableCounts {
                table: (*kind).to_string(),
                file: file.clone(),
                present: true,
                ..TableCounts::default()
            }));
    }
    log.issues = c.issues;
    for (kind, what) in [
        (
            "ReferralSource",
            "referral sources (3E is a referral from A&E)",
        ),
        (
            "AssessmentFactors",
            "assessment factors other than 4A (mental health of the child)",
        ),
        ("ChildProtectionPlans", "child protection plans"),
    ] {
        let n = log.table(kind).map_or(0, |t| t.not_carried);
        log.issues.push(Issue {
            table: kind.to_string(),
            file: file.clone(),
            line: None,
            child: None,
            level: Handling::Note,
            value: None,
            reason: format!(
                "{n} valid value(s) not carried: the case-plan schema has no field for {what}; they are listed per child in the log's cin_codes"
            ),
        });
    }
    log.cin_codes = cin_codes;
    log.plans = plans.len() as u64;
    Ok(Import { plans, log })
}

/// Adds what the CIN census carries to SSDA903 plans, matching children by
/// id (SSDA903 CHILD = CIN LAchildID). Children only in the census get
/// plans of their own. Where both give a date of birth and they differ,
/// the SSDA903 one is kept and the difference reported.
pub fn merge(base: Import, cin: Import) -> Import {
    let Import { mut plans, mut log } = base;
    log.source = "ssda903+cin".to_string();
    log.inputs.extend(cin.log.inputs.iter().cloned());
    log.tables.extend(cin.log.tables.iter().cloned());
    log.issues.extend(cin.log.issues.iter().cloned());
    log.cin_codes = cin.log.cin_codes.clone();
    let file = cin.log.inputs.first().cloned().unwrap_or_default();
    let (mut matched, mut cin_only) = (0u64, 0u64);
    for (id, c) in cin.plans {
        let Some(p) = plans.get_mut(&id) else {
            cin_only += 1;
            plans.insert(id, c);
            continue;
        };
        matched += 1;
        if c.child.mental_health_needs == Some(true) {
            p.child.mental_health_needs = Some(true);
        }
        if p.child.disabilities.is_none() {
            p.child.disabilities = c.child.disabilities.clone();
        }
        if p.child.neurodiversity.is_none() {
            p.child.neurodiversity = c.child.neurodiversity.clone();
        }
        match (&p.child.date_of_birth, &c.child.date_of_birth) {
            (None, Some(d)) => p.child.date_of_birth = Some(d.clone()),
            (Some(a), Some(b)) if a != b => log.issues.push(Issue {
                table: "merge".into(),
                file: file.clone(),
                line: None,
                child: Some(id.clone()),
                level: Handling::Warning,
                reason: "the CIN census gives another date of birth than SSDA903: the SSDA903 one is kept".into(),
                value: Some(format!("CIN {b}, SSDA903 {a}")),
            }),
            _ => {}
        }
    }
    let ssda_only = (plans.len() as u64).saturating_sub(matched + cin_only);
    log.issues.push(Issue {
        table: "merge".into(),
        file,
        line: None,
        child: None,
        level: Handling::Note,
        value: None,
        reason: format!(
            "{matched} child(ren) in both returns merged by id; {cin_only} only in the CIN census; {ssda_only} only in SSDA903"
        ),
    });
    for plan in plans.values_mut() {
        plan.declare_coverage("ssda903+cin");
    }
    log.plans = plans.len() as u64;
    Import { plans, log }
}
