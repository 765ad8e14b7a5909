//! Extra reads: fields a host wants from each plan beside its report (the
//! cohort report's child id and placement dates), read in the same pass
//! over the plan as the fields the rules read, so that no host parses a
//! plan a second time.
//!
//! The fields are given slots in a copy of the rule set's plan shape that
//! no compiled rule refers to; after the read their values are taken out
//! and their nodes blanked, so that the tree the rules are evaluated on
//! (and the plan size their budget is measured from) is the one the rule
//! set's own shape gives.

use crate::date::Date;
use crate::program::{ShapeObj, ShapeTy};

use super::tree::Node;

/// Fields read from every plan beside what the rules read
/// ([`crate::RuleSet::extra_reads`]). Paths are dotted schema paths, `[]` after a
/// list's name (`child.id`, `placements[].start_date`).
#[derive(Clone, Debug)]
pub struct ExtraReads {
    pub(crate) shape: ShapeObj,
    paths: Vec<Vec<Step>>,
}

/// One step of a path: the field's slot, whether the rules read it (else
/// it was added, and is blanked after the read), and whether it is a list
/// whose elements the path goes on into.
#[derive(Clone, Copy, Debug)]
struct Step {
    slot: u16,
    added: bool,
    list: bool,
}

/// A value read at an extra path.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ExtraValue {
    /// The field is not in the plan.
    Absent,
    /// The field is `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A text.
    Text(String),
    /// A date (a field of date type).
    Date(Date),
    /// Through a list: one value per element, in order.
    List(Vec<ExtraValue>),
    /// An object (a path that ends at one).
    Object,
}

impl ExtraReads {
    /// The extra reads of `paths` over a rule set's `shape`. A path that
    /// is not in the schema (a vendor's schema may leave a field out) reads
    /// as absent from every plan.
    pub(crate) fn new(shape: &ShapeObj, paths: &[&str]) -> ExtraReads {
        let mut shape = shape.clone();
        let mut steps = Vec::with_capacity(paths.len());
        for p in paths {
            let mut probe = shape.clone();
            match Self::path(&mut probe, p) {
                Some(path) => {
                    shape = probe;
                    steps.push(path);
                }
                None => steps.push(Vec::new()),
            }
        }
        ExtraReads {
            shape,
            paths: steps,
        }
    }

    /// Gives the fields along `p` slots in `shape`; `None` when `p` is not
    /// a path of the schema.
    fn path(shape: &mut ShapeObj, p: &str) -> Option<Vec<Step>> {
        let mut obj = shape;
        let mut path = Vec::new();
        let segments: Vec<&str> = p.split('.').collect();
        for (k, seg) in segments.iter().enumerate() {
            let (name, list) = match seg.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (*seg, false),
            };
            let i = obj.position(name)?;
            let next_slot = obj.slots;
            let field = obj.fields.get(i)?;
            // `[]` after a list's name, and only there.
            if list != matches!(field.ty, ShapeTy::List(_)) {
                return None;
            }
            let added = field.slot.is_none();
            if added {
                obj.slots = next_slot.checked_add(1)?;
            }
            let field = obj.fields.get_mut(i)?;
            let slot = *field.slot.get_or_insert(next_slot);
            path.push(Step { slot, added, list });
            if k + 1 == segments.len() {
                break;
            }
            obj = match &mut field.ty {
                ShapeTy::List(elem) => match elem.as_mut() {
                    ShapeTy::Object(o) => o,
                    _ => return None,
                },
                ShapeTy::Object(o) => o,
                _ => return None,
            };
        }
        Some(path)
    }

    /// A value for every path, each absent.
    pub(crate) fn absent(&self) -> Vec<ExtraValue> {
        vec![ExtraValue::Absent; self.paths.len()]
    }

    /// Takes the values at the paths out of a plan read with
    /// [`ExtraReads::shape`], and blanks the nodes the rules do not read.
    pub(crate) fn take(&self, root: &Node<'_>, nodes: &mut [Node<'_>]) -> Vec<ExtraValue> {
        let values = self
            .paths
            .iter()
            .map(|p| {
                if p.is_empty() {
                    ExtraValue::Absent
                } else {
                    value_at(root, nodes, p)
                }
            })
            .collect();
        for p in &self.paths {
            blank_at(root, nodes, p);
        }
        values
    }
}

fn value_of(node: &Node<'_>) -> ExtraValue {
    match node {
        Node::Absent => ExtraValue::Absent,
        Node::Null => ExtraValue::Null,
        Node::Bool(b) => ExtraValue::Bool(*b),
        Node::Num(n) => ExtraValue::Number(*n),
        Node::Text(t) => ExtraValue::Text(t.to_string()),
        Node::Date(d) => ExtraValue::Date(*d),
        Node::List(..) => ExtraValue::List(Vec::new()),
        Node::Obj(..) => ExtraValue::Object,
    }
}

/// The value at `path` below the object `obj`.
fn value_at(obj: &Node<'_>, nodes: &[Node<'_>], path: &[Step]) -> ExtraValue {
    let Some((step, rest)) = path.split_first() else {
        return value_of(obj);
    };
    let Some(child) = obj.children(nodes).get(usize::from(step.slot)) else {
        return ExtraValue::Absent;
    };
    match child {
        Node::List(..) if step.list => ExtraValue::List(
            child
                .children(nodes)
                .iter()
                .map(|e| {
                    if rest.is_empty() {
                        value_of(e)
                    } else if matches!(e, Node::Obj(..)) {
                        value_at(e, nodes, rest)
                    } else {
                        value_of(e)
                    }
                })
                .collect(),
        ),
        Node::Obj(..) if !rest.is_empty() => value_at(child, nodes, rest),
        other => value_of(other),
    }
}

/// The index in `nodes` of `obj`'s field `slot`.
fn field_index(obj: &Node<'_>, slot: u16) -> Option<usize> {
    match *obj {
        Node::Obj(start, len) if u32::from(slot) < len => Some(start as usize + usize::from(slot)),
        _ => None,
    }
}

/// Blanks the fields along `path` below `obj` that were added for the
/// extra reads (and everything below them).
fn blank_at(obj: &Node<'_>, nodes: &mut [Node<'_>], path: &[Step]) {
    let Some((step, rest)) = path.split_first() else {
        return;
    };
    let Some(i) = field_index(obj, step.slot) else {
        return;
    };
    let Some(child) = nodes.get(i).cloned() else {
        return;
    };
    if step.added {
        blank_tree(nodes, i);
        return;
    }
    match child {
        Node::List(start, len) if step.list => {
            for e in start..start.saturating_add(len) {
                if let Some(elem) = nodes.get(e as usize).cloned() {
                    blank_at(&elem, nodes, rest);
                }
            }
        }
        Node::Obj(..) => blank_at(&child, nodes, rest),
        _ => {}
    }
}

/// Sets the node at `i`, and every node below it, to absent.
fn blank_tree(nodes: &mut [Node<'_>], i: usize) {
    let Some(node) = nodes.get(i).cloned() else {
        return;
    };
    if let Node::List(start, len) | Node::Obj(start, len) = node {
        for c in start..start.saturating_add(len) {
            blank_tree(nodes, c as usize);
        }
    }
    if let Some(n) = nodes.get_mut(i) {
        *n = Node::Absent;
    }
}
