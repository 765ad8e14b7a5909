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

use serde_json::Value as Json;

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
    pub(crate) fields: BTreeMap<String, NoneNode>,
}

#[derive(Clone, Debug)]
pub(crate) struct NoneNode {
    pub(crate) nullable: bool,
    pub(crate) form: Option<NoneForm>,
    /// The fields of the object, or of the list's elements.
    pub(crate) below: Option<NoneTree>,
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

/// The settling pass's view of one object of the plan shape: the read
/// fields that have an explicit none in the schema, each with its none form
/// and the fields below it, worked out once per rule set
/// ([`SettleObj::new`]) so that settling a plan (`plan::settle`) looks
/// nothing up by name.
#[derive(Clone, Debug, Default)]
pub(crate) struct SettleObj {
    /// The object's slots in the plan shape (an object made for a covered
    /// absent section has this many fields, all absent).
    pub(crate) slots: u16,
    pub(crate) fields: Vec<SettleField>,
}

#[derive(Clone, Debug)]
pub(crate) struct SettleField {
    pub(crate) slot: u16,
    pub(crate) name: Box<str>,
    pub(crate) nullable: bool,
    pub(crate) form: Option<NoneForm>,
    /// The fields below: of the object (`Below::Object`) or of each element
    /// of a list of objects (`Below::Elements`).
    pub(crate) below: Below,
    /// Whether settling a plan with no coverage can change anything here: an
    /// open end of record, a field that takes no `null`, or such a field
    /// below. The others are passed over when there is no coverage.
    pub(crate) uncovered: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum Below {
    Nothing,
    Object(SettleObj),
    Elements(SettleObj),
}

impl SettleObj {
    /// The settling view of `shape` under the schema's nones `nones`.
    pub(crate) fn new(shape: &ShapeObj, nones: &NoneTree) -> SettleObj {
        let mut fields = Vec::new();
        for f in &shape.fields {
            let Some(slot) = f.slot else { continue };
            let Some(none) = nones.fields.get(f.name.as_ref()) else {
                continue;
            };
            let below = match (&f.ty, &none.below) {
                (ShapeTy::Object(o), Some(b)) => Below::Object(SettleObj::new(o, b)),
                (ty, Some(b)) => match list_object(ty) {
                    Some(o) => Below::Elements(SettleObj::new(o, b)),
                    None => Below::Nothing,
                },
                _ => Below::Nothing,
            };
            let uncovered = none.form == Some(NoneForm::Open)
                || !none.nullable
                || match &below {
                    Below::Object(o) | Below::Elements(o) => o.fields.iter().any(|f| f.uncovered),
                    Below::Nothing => false,
                };
            fields.push(SettleField {
                slot,
                name: f.name.clone(),
                nullable: none.nullable,
                form: none.form,
                below,
                uncovered,
            });
        }
        SettleObj {
            slots: shape.slots,
            fields,
        }
    }
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
