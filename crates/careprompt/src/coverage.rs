//! Explicit none and source coverage: how a plan says "none", and which
//! absent fields a declared source coverage reads as none.
//!
//! An absent field is not known, always. "None" is said explicitly, in the
//! form the schema's `x-none` annotation gives each field ([`NoneForm`]):
//! `[]` for a list, `null` for a fact that can be none (no PEP, no lead
//! professional), `false` for a yes/no. The one kept convention is the end
//! of a record (`end_date`, `discharged`): left out or `null`, the record is
//! open, that is current.
//!
//! A source may declare what it records ([`Coverage`], in the plan's
//! `coverage` key or per batch in [`crate::CheckOptions`]): a covered field
//! that is absent is then read as its explicit none (`[]` or `null`) before
//! any rule is evaluated, and a missing path outside the coverage is marked
//! "not in this source" in the report.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::plan::{Extracted, Node};
use crate::program::{ShapeObj, ShapeTy};
use crate::schema::{FieldType, NoneForm, ObjectType};

/// The evidence value shown for a field recorded as none.
pub(crate) fn none_evidence(path: &str) -> &'static str {
    let last = path.rsplit('.').next().unwrap_or(path);
    if OPEN_RECORD_FIELDS.contains(&last) {
        "current (no end date)"
    } else {
        "recorded as none"
    }
}

/// Field names that end a record: absent or `null`, the record is open.
/// The schema marks each with `"x-none": "open"` (a test checks they agree).
pub const OPEN_RECORD_FIELDS: [&str; 2] = ["end_date", "discharged"];

/// What a source records: a short source name and dotted schema paths with
/// no list indices. A path covers its field and every field beneath it,
/// including fields of list elements (`placements` covers
/// `placements.end_date`).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Coverage {
    /// The source's short name (`ssda903`, `cin`, a vendor's system).
    pub source: String,
    /// The schema paths the source records.
    pub records: Vec<String>,
}

/// Why a coverage declaration could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CoverageError {
    /// What is wrong (names the key, never a plan value).
    pub message: String,
}

impl Coverage {
    /// A coverage of `records` by `source`.
    pub fn new(source: impl Into<String>, records: Vec<String>) -> Coverage {
        Coverage {
            source: source.into(),
            records,
        }
    }

    /// Reads `{"source": "...", "records": ["path", ...]}`.
    pub fn from_json(text: &str) -> Result<Coverage, CoverageError> {
        let err = |m: &str| CoverageError {
            message: m.to_string(),
        };
        let v: Json =
            serde_json::from_str(text).map_err(|e| err(&format!("coverage is not JSON: {e}")))?;
        let source = v
            .get("source")
            .and_then(Json::as_str)
            .ok_or_else(|| err("coverage needs `source`, a short text naming the source"))?;
        let records = v
            .get("records")
            .and_then(Json::as_array)
            .ok_or_else(|| err("coverage needs `records`, a list of schema paths"))?
            .iter()
            .map(|r| {
                r.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| err("every entry of coverage `records` must be a path"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Coverage::new(source, records))
    }

    /// Whether the source records the field at `path` (list indices such
    /// as `[2]` are ignored).
    pub fn covers(&self, path: &str) -> bool {
        let plain = strip_indices(path);
        self.records.iter().any(|r| {
            plain == *r
                || (plain.len() > r.len()
                    && plain.starts_with(r.as_str())
                    && plain.as_bytes().get(r.len()) == Some(&b'.'))
        })
    }

    /// Whether the source records some field beneath `path`.
    pub fn reaches_below(&self, path: &str) -> bool {
        let plain = strip_indices(path);
        self.records.iter().any(|r| {
            r.len() > plain.len()
                && r.starts_with(plain.as_str())
                && r.as_bytes().get(plain.len()) == Some(&b'.')
        })
    }

    /// The missing paths the source does not record.
    pub fn not_in_source(&self, missing: &[String]) -> Vec<String> {
        missing
            .iter()
            .filter(|p| !self.covers(p))
            .cloned()
            .collect()
    }
}

/// `placements[2].end_date` as `placements.end_date`.
fn strip_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0u32;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The none forms of the schema's fields, by name, for settling plans.
#[derive(Clone, Debug, Default)]
pub(crate) struct NoneTree {
    fields: BTreeMap<String, NoneNode>,
}

#[derive(Clone, Debug)]
struct NoneNode {
    nullable: bool,
    form: Option<NoneForm>,
    /// The fields of the object, or of the list's elements.
    below: Option<NoneTree>,
}

impl NoneTree {
    /// Whether `path` (dotted, no indices) names a field of the schema.
    pub fn knows(&self, path: &str) -> bool {
        let mut tree = self;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let Some(node) = tree.fields.get(part) else {
                return false;
            };
            if parts.peek().is_none() {
                return true;
            }
            match &node.below {
                Some(below) => tree = below,
                None => return false,
            }
        }
        false
    }

    /// The none forms of an object type's fields.
    pub fn from_schema(obj: &ObjectType) -> NoneTree {
        let fields = obj
            .fields
            .iter()
            .map(|(name, f)| {
                let below = match &f.ty {
                    FieldType::Object(o) => Some(NoneTree::from_schema(o)),
                    FieldType::List(e) => match e.as_ref() {
                        FieldType::Object(o) => Some(NoneTree::from_schema(o)),
                        _ => None,
                    },
                    _ => None,
                };
                (
                    name.clone(),
                    NoneNode {
                        nullable: f.nullable,
                        form: f.none,
                        below,
                    },
                )
            })
            .collect();
        NoneTree { fields }
    }
}

/// Gives the plan's `coverage` key and its fields slots in `shape`, so
/// that the plan reader keeps them whether or not a rule reads them.
pub(crate) fn read_coverage_key(shape: &mut ShapeObj) {
    fn slot(obj: &mut ShapeObj, name: &str) -> Option<usize> {
        let i = obj.position(name)?;
        let next = obj.slots;
        let f = obj.fields.get_mut(i)?;
        if f.slot.is_none() {
            f.slot = Some(next);
            obj.slots = next.saturating_add(1);
        }
        Some(i)
    }
    let Some(i) = slot(shape, "coverage") else {
        return;
    };
    if let Some(ShapeTy::Object(o)) = shape.fields.get_mut(i).map(|f| &mut f.ty) {
        slot(o, "source");
        slot(o, "records");
    }
}

/// The coverage the plan declares in its own `coverage` key, if any.
fn declared<'a>(plan: &Extracted<'a>, shape: &ShapeObj) -> Option<Coverage> {
    fn field<'a>(
        nodes: &[Node<'a>],
        obj: &Node<'a>,
        shape: &ShapeObj,
        name: &str,
    ) -> Option<Node<'a>> {
        let slot = shape.field(name)?.slot?;
        obj.children(nodes).get(usize::from(slot)).cloned()
    }
    let field = |obj: &Node<'a>, shape: &ShapeObj, name: &str| field(&plan.nodes, obj, shape, name);
    let cov = field(&plan.root, shape, "coverage")?;
    if !matches!(cov, Node::Obj(..)) {
        return None;
    }
    let ShapeTy::Object(cshape) = &shape.field("coverage")?.ty else {
        return None;
    };
    let source = match field(&cov, cshape, "source") {
        Some(Node::Text(t)) => t.to_string(),
        _ => String::new(),
    };
    let records = match field(&cov, cshape, "records") {
        Some(list @ Node::List(..)) => list
            .children(&plan.nodes)
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(Coverage::new(source, records))
}

/// Settles a freshly read plan before evaluation: an absent end of record
/// reads as `null` (open), `null` on a field that takes no `null` reads as
/// not known (with a warning naming the field), and, under the plan's own
/// coverage or else `batch`, a covered absent field reads as its explicit
/// none (`[]` or `null`). Records the coverage used in the plan.
pub(crate) fn settle(
    plan: &mut Extracted<'_>,
    shape: &ShapeObj,
    nones: &NoneTree,
    batch: Option<&Arc<Coverage>>,
) {
    let coverage = match declared(plan, shape) {
        Some(own) => Some(Arc::new(own)),
        None => batch.cloned(),
    };
    let mut warnings = Vec::new();
    if let Some(c) = &coverage {
        for r in c.records.iter().filter(|r| !nones.knows(r)) {
            warnings.push(format!(
                "coverage path `{r}` is not a field of the case-plan schema, so it covers nothing (write a dotted schema path with no list indices, such as `education.pep`)"
            ));
        }
    }
    let root = plan.root.clone();
    settle_obj(
        &mut plan.nodes,
        &root,
        shape,
        nones,
        &At {
            parent: None,
            name: "",
        },
        coverage.as_deref(),
        &mut warnings,
    );
    if !warnings.is_empty() {
        plan.warnings.extend(warnings);
        plan.warnings.sort();
        plan.warnings.dedup();
    }
    plan.coverage = coverage;
}

/// Where a field sits, built into a dotted path only when one is needed (a
/// coverage to test or a warning to write): settling a plan with no
/// coverage allocates nothing.
#[derive(Clone, Copy)]
struct At<'p> {
    parent: Option<&'p At<'p>>,
    name: &'p str,
}

impl At<'_> {
    fn text(&self) -> String {
        match self.parent {
            Some(p) if p.parent.is_some() || !p.name.is_empty() => {
                format!("{}.{}", p.text(), self.name)
            }
            _ => self.name.to_string(),
        }
    }
}

/// The kind of a node, copied out so that the nodes can be changed.
#[derive(Clone, Copy)]
enum Kind {
    Absent,
    Null,
    Obj(u32, u32),
    List(u32, u32),
    Other,
}

fn settle_obj(
    nodes: &mut Vec<Node<'_>>,
    obj: &Node<'_>,
    shape: &ShapeObj,
    nones: &NoneTree,
    prefix: &At<'_>,
    coverage: Option<&Coverage>,
    warnings: &mut Vec<String>,
) {
    let Node::Obj(start, len) = *obj else {
        return;
    };
    for f in &shape.fields {
        let Some(slot) = f.slot else { continue };
        if u32::from(slot) >= len {
            continue;
        }
        let Some(none) = nones.fields.get(f.name.as_ref()) else {
            continue;
        };
        let here = At {
            parent: Some(prefix),
            name: &f.name,
        };
        let at = start as usize + usize::from(slot);
        let kind = match nodes.get(at) {
            Some(Node::Absent) => Kind::Absent,
            Some(Node::Null) => Kind::Null,
            Some(Node::Obj(s, l)) => Kind::Obj(*s, *l),
            Some(Node::List(s, l)) => Kind::List(*s, *l),
            Some(_) => Kind::Other,
            None => continue,
        };
        let replaced = match kind {
            Kind::Absent if none.form == Some(NoneForm::Open) => Some(Node::Null),
            Kind::Absent => match coverage {
                None => None,
                Some(c) => {
                    let path = here.text();
                    if c.covers(&path) {
                        match none.form {
                            Some(NoneForm::EmptyList) => {
                                let end = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
                                Some(Node::List(end, 0))
                            }
                            Some(NoneForm::Null) if none.nullable => Some(Node::Null),
                            _ => materialise(nodes, f, none, &here, coverage, warnings),
                        }
                    } else if c.reaches_below(&path) {
                        materialise(nodes, f, none, &here, coverage, warnings)
                    } else {
                        None
                    }
                }
            },
            Kind::Null if !none.nullable => {
                warnings.push(format!(
                    "`{}` is null, which this field does not take: it is read as not known (leave the field out when it is not known; see the schema's `x-none` for how to record none)",
                    here.text()
                ));
                Some(Node::Absent)
            }
            Kind::Obj(s, l) => {
                if let (ShapeTy::Object(o), Some(below)) = (&f.ty, &none.below) {
                    settle_obj(nodes, &Node::Obj(s, l), o, below, &here, coverage, warnings);
                }
                None
            }
            Kind::List(s, l) => {
                if let (Some(o), Some(below)) = (list_object(&f.ty), &none.below) {
                    for i in s as usize..(s as usize).saturating_add(l as usize) {
                        if let Some(&Node::Obj(es, el)) = nodes.get(i) {
                            settle_obj(
                                nodes,
                                &Node::Obj(es, el),
                                o,
                                below,
                                &here,
                                coverage,
                                warnings,
                            );
                        }
                    }
                }
                None
            }
            _ => None,
        };
        if let (Some(r), Some(cell)) = (replaced, nodes.get_mut(at)) {
            *cell = r;
        }
    }
}

/// An absent object section some of whose fields are covered: made an
/// empty object (every field absent) and settled, so that its covered
/// fields read as none.
fn materialise<'a>(
    nodes: &mut Vec<Node<'a>>,
    f: &crate::program::ShapeField,
    none: &NoneNode,
    path: &At<'_>,
    coverage: Option<&Coverage>,
    warnings: &mut Vec<String>,
) -> Option<Node<'a>> {
    let (ShapeTy::Object(o), Some(below)) = (&f.ty, &none.below) else {
        return None;
    };
    let start = nodes.len();
    nodes.resize_with(start + usize::from(o.slots), || Node::Absent);
    let obj = Node::Obj(u32::try_from(start).unwrap_or(u32::MAX), u32::from(o.slots));
    settle_obj(nodes, &obj, o, below, path, coverage, warnings);
    Some(obj)
}

/// The object type of a list's elements.
fn list_object(ty: &ShapeTy) -> Option<&ShapeObj> {
    match ty {
        ShapeTy::List(e) => match e.as_ref() {
            ShapeTy::Object(o) => Some(o),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_covers_itself_and_what_lies_beneath_it() {
        let c = Coverage::new("t", vec!["placements".into(), "education.pep".into()]);
        assert!(c.covers("placements"));
        assert!(c.covers("placements[3].end_date"));
        assert!(c.covers("education.pep.last_reviewed"));
        assert!(!c.covers("education.pepx"));
        assert!(!c.covers("education"));
        assert!(!c.covers("education.ehcp"));
        assert_eq!(
            c.not_in_source(&[
                "education.ehcp.in_place".into(),
                "placements[0].emergency".into()
            ]),
            vec!["education.ehcp.in_place".to_string()]
        );
    }

    #[test]
    fn reads_a_coverage_file_and_names_what_is_wrong() {
        let c = Coverage::from_json(r#"{"source":"cms","records":["education.pep"]}"#).unwrap();
        assert_eq!(c.source, "cms");
        assert_eq!(c.records, vec!["education.pep".to_string()]);
        let e = Coverage::from_json(r#"{"records":[]}"#).unwrap_err();
        assert!(e.message.contains("`source`"));
        let e = Coverage::from_json(r#"{"source":"x","records":[1]}"#).unwrap_err();
        assert!(e.message.contains("records"));
    }

    #[test]
    fn knows_the_schema_paths_a_coverage_may_name() {
        let schema = crate::Schema::builtin().unwrap();
        let tree = NoneTree::from_schema(&schema.root);
        assert!(tree.knows("education.pep"));
        assert!(tree.knows("placements.end_date"));
        assert!(tree.knows("placements"));
        assert!(!tree.knows("education.peps"));
        assert!(!tree.knows("placements[0].end_date"));
        assert!(!tree.knows("child.date_of_birth.year"));
    }

    #[test]
    fn none_forms_read_and_write_the_same_annotation() {
        for f in [
            NoneForm::EmptyList,
            NoneForm::Null,
            NoneForm::False,
            NoneForm::Open,
            NoneForm::Value,
        ] {
            assert_eq!(NoneForm::parse(&Json::from(f.as_str())), Some(f));
        }
        assert_eq!(NoneForm::parse(&Json::from("none")), None);
        assert_eq!(
            none_evidence("placements[1].end_date"),
            "current (no end date)"
        );
        assert_eq!(none_evidence("education.pep"), "recorded as none");
    }
}
