//! Settling a freshly read plan before evaluation (docs/absence.md): an
//! absent end of record reads as open, a `null` where the schema takes none
//! reads as not known, and under a declared source coverage a covered absent
//! field reads as its explicit none (`[]` or `null`).

use std::sync::Arc;

use crate::coverage::{Below, Coverage, NoneTree, SettleField, SettleObj};
use crate::program::{ShapeObj, ShapeTy};
use crate::schema::NoneForm;

use super::{Extracted, Node};

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
    tree: &SettleObj,
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
        tree,
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
    tree: &SettleObj,
    prefix: &At<'_>,
    coverage: Option<&Coverage>,
    warnings: &mut Vec<String>,
) {
    let Node::Obj(start, len) = *obj else {
        return;
    };
    for f in &tree.fields {
        if coverage.is_none() && !f.uncovered {
            continue;
        }
        if u32::from(f.slot) >= len {
            continue;
        }
        let here = At {
            parent: Some(prefix),
            name: &f.name,
        };
        let at = start as usize + usize::from(f.slot);
        let kind = match nodes.get(at) {
            Some(Node::Absent) => Kind::Absent,
            Some(Node::Null) => Kind::Null,
            Some(Node::Obj(s, l)) => Kind::Obj(*s, *l),
            Some(Node::List(s, l)) => Kind::List(*s, *l),
            Some(_) => Kind::Other,
            None => continue,
        };
        let replaced = match kind {
            Kind::Absent if f.form == Some(NoneForm::Open) => Some(Node::Null),
            Kind::Absent => match coverage {
                None => None,
                Some(c) => {
                    let path = here.text();
                    if c.covers(&path) {
                        match f.form {
                            Some(NoneForm::EmptyList) => {
                                let end = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
                                Some(Node::List(end, 0))
                            }
                            Some(NoneForm::Null) if f.nullable => Some(Node::Null),
                            _ => materialise(nodes, f, &here, coverage, warnings),
                        }
                    } else if c.reaches_below(&path) {
                        materialise(nodes, f, &here, coverage, warnings)
                    } else {
                        None
                    }
                }
            },
            Kind::Null if !f.nullable => {
                warnings.push(format!(
                    "`{}` is null, which this field does not take: it is read as not known (leave the field out when it is not known; see the schema's `x-none` for how to record none)",
                    here.text()
                ));
                Some(Node::Absent)
            }
            Kind::Obj(s, l) => {
                if let Below::Object(o) = &f.below {
                    settle_obj(nodes, &Node::Obj(s, l), o, &here, coverage, warnings);
                }
                None
            }
            Kind::List(s, l) => {
                if let Below::Elements(o) = &f.below {
                    for i in s as usize..(s as usize).saturating_add(l as usize) {
                        if let Some(&Node::Obj(es, el)) = nodes.get(i) {
                            settle_obj(nodes, &Node::Obj(es, el), o, &here, coverage, warnings);
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
    f: &SettleField,
    path: &At<'_>,
    coverage: Option<&Coverage>,
    warnings: &mut Vec<String>,
) -> Option<Node<'a>> {
    let Below::Object(o) = &f.below else {
        return None;
    };
    let start = nodes.len();
    nodes.resize_with(start + usize::from(o.slots), || Node::Absent);
    let obj = Node::Obj(u32::try_from(start).unwrap_or(u32::MAX), u32::from(o.slots));
    settle_obj(nodes, &obj, o, path, coverage, warnings);
    Some(obj)
}
