//! The plan tree the evaluator reads (one vector of nodes), the sink both
//! readers build it through, plan errors, and the type checks both readers
//! apply to a value (numbers, texts, enum values, dates).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::date::Date;
use crate::program::{ShapeObj, ShapeTy};

/// The largest plan accepted, in bytes.
pub const MAX_PLAN_BYTES: usize = 8 * 1024 * 1024;
/// The longest list accepted in a plan.
pub const MAX_LIST_LEN: usize = 10_000;

/// A value of the plan as the evaluator sees it.
///
/// A plan's values live in one vector (its *nodes*, in [`Extracted`]): an
/// object's fields, by slot, and a list's elements are each a run of it,
/// given here as (start, length). One allocation holds a whole plan, and the
/// values the rules read sit close together in memory.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node<'a> {
    /// The field is not in the plan.
    Absent,
    /// The field is `null`.
    Null,
    Bool(bool),
    Num(f64),
    Text(Cow<'a, str>),
    Date(Date),
    /// Elements: a run of the nodes.
    List(u32, u32),
    /// Fields by slot: a run of the nodes.
    Obj(u32, u32),
}

impl<'a> Node<'a> {
    /// The fields of an object or the elements of a list, from the plan's
    /// `nodes` (empty for any other value).
    #[inline]
    pub fn children<'t>(&self, nodes: &'t [Node<'a>]) -> &'t [Node<'a>] {
        match *self {
            Node::List(start, len) | Node::Obj(start, len) => {
                let start = start as usize;
                nodes.get(start..start + len as usize).unwrap_or_default()
            }
            _ => &[],
        }
    }

    /// The field in slot `slot` of an object, from the plan's `nodes`;
    /// `None` when this is not an object or the object has no such slot.
    #[inline(always)]
    pub fn field<'t>(&self, nodes: &'t [Node<'a>], slot: u16) -> Option<&'t Node<'a>> {
        match *self {
            Node::Obj(start, len) if u32::from(slot) < len => {
                nodes.get(start as usize + usize::from(slot))
            }
            _ => None,
        }
    }

    /// The node reached from this one by the field slots `slots`, in turn;
    /// absent when a step is not an object's field (the evaluator's and the
    /// flat form's one walk along a compiled path).
    #[inline(always)]
    pub fn walk<'t>(&'t self, nodes: &'t [Node<'a>], slots: &[u16]) -> &'t Node<'a> {
        let mut n = self;
        for &slot in slots {
            n = match n.field(nodes, slot) {
                Some(child) => child,
                None => return &ABSENT_NODE,
            };
        }
        n
    }
}

/// An absent node, for a walk that leaves the plan.
static ABSENT_NODE: Node<'static> = Node::Absent;

/// A run's start or length: plans are at most [`MAX_PLAN_BYTES`] long, so
/// they never hold anywhere near `u32::MAX` values.
#[inline]
fn run(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Where a plan's tree is built: its nodes, a stack for list elements
/// being read, and the warnings found on the way.
#[derive(Default)]
pub(crate) struct Sink<'a> {
    pub nodes: Vec<Node<'a>>,
    scratch: Vec<Node<'a>>,
    pub warnings: Vec<String>,
}

impl<'a> Sink<'a> {
    /// A sink with room for a plan of `bytes` bytes.
    pub fn for_bytes(bytes: usize) -> Sink<'a> {
        Sink {
            // About one value the rules read per 24 bytes of plan text.
            nodes: Vec::with_capacity(bytes / 24 + 16),
            scratch: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Adds the fields of an object with `slots` slots, all absent; returns
    /// where they start.
    #[inline]
    pub fn open_object(&mut self, slots: u16) -> usize {
        let start = self.nodes.len();
        self.nodes
            .resize_with(start + usize::from(slots), || Node::Absent);
        start
    }

    /// Sets field `slot` of the object whose fields start at `start`.
    #[inline]
    pub fn set_field(&mut self, start: usize, slot: u16, value: Node<'a>) {
        if let Some(s) = self.nodes.get_mut(start + usize::from(slot)) {
            *s = value;
        }
    }

    /// The object whose fields start at `start`.
    #[inline]
    pub fn object(start: usize, slots: u16) -> Node<'a> {
        Node::Obj(run(start), u32::from(slots))
    }

    /// Where the elements of a list about to be read begin on the stack.
    #[inline]
    pub fn open_list(&self) -> usize {
        self.scratch.len()
    }

    /// Adds an element to the list being read.
    #[inline]
    pub fn push_element(&mut self, value: Node<'a>) {
        self.scratch.push(value);
    }

    /// How many elements the list opened at `mark` has so far.
    #[inline]
    pub fn list_len(&self, mark: usize) -> usize {
        self.scratch.len().saturating_sub(mark)
    }

    /// Moves the elements read since `mark` into the nodes, as one run.
    #[inline]
    pub fn close_list(&mut self, mark: usize) -> Node<'a> {
        let start = self.nodes.len();
        let len = self.list_len(mark);
        self.nodes
            .extend(self.scratch.drain(mark.min(self.scratch.len())..));
        Node::List(run(start), run(len))
    }
}

/// What kind of problem a plan has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PlanErrorKind {
    /// The bytes are not JSON (or not UTF-8).
    Syntax,
    /// The JSON does not fit the case-plan schema.
    Schema,
    /// The plan is empty.
    Empty,
    /// The plan is over a size or nesting limit.
    Limit,
}

/// Why a plan could not be checked.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct PlanError {
    /// The kind of problem.
    pub kind: PlanErrorKind,
    /// What is wrong (names fields, never echoes their values).
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// 1-based line in the plan text (0 when unknown).
    pub line: usize,
    /// 1-based column in the plan text (0 when unknown).
    pub column: usize,
}

impl PlanError {
    /// Serialises the error as JSON, for JavaScript callers.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A parsed plan: its root object, the nodes of its tree, and the
/// warnings about it.
#[derive(Clone)]
pub(crate) struct Extracted<'a> {
    pub root: Node<'a>,
    pub nodes: Vec<Node<'a>>,
    pub warnings: Vec<String>,
    /// The source coverage the plan was settled under
    /// ([`crate::coverage::settle`]), if any.
    pub coverage: Option<std::sync::Arc<crate::coverage::Coverage>>,
}

impl Extracted<'_> {
    /// How many values the plan holds (absent fields not counted).
    pub fn size(&self) -> usize {
        plan_size(&self.nodes)
    }
}

/// How many values a plan with these nodes holds: its root and every node
/// that is not absent.
pub(crate) fn plan_size(nodes: &[Node<'_>]) -> usize {
    1 + nodes.iter().filter(|n| !matches!(n, Node::Absent)).count()
}

/// Where in the plan a value sits, for messages.
#[derive(Clone, Copy)]
pub(crate) struct PathCtx<'p, 's> {
    pub(crate) parent: Option<&'p PathCtx<'p, 's>>,
    pub(crate) name: &'s str,
    pub(crate) list: bool,
}

impl fmt::Display for PathCtx<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.parent {
            if !p.name.is_empty() || p.parent.is_some() {
                write!(f, "{p}")?;
                if !self.list {
                    f.write_str(".")?;
                }
            }
        }
        if self.list {
            f.write_str("[]")
        } else {
            f.write_str(self.name)
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Ty<'s> {
    Obj(&'s ShapeObj),
    Other(&'s ShapeTy),
}

pub(crate) fn expected(ty: Ty<'_>) -> &'static str {
    match ty {
        Ty::Obj(_) => "an object",
        Ty::Other(ShapeTy::Text(Some(_))) => "one of the schema's text values",
        Ty::Other(ShapeTy::Text(None)) => "text",
        Ty::Other(ShapeTy::Number { integer: true }) => "a whole number",
        Ty::Other(ShapeTy::Number { integer: false }) => "a number",
        Ty::Other(ShapeTy::Bool) => "true or false",
        Ty::Other(ShapeTy::Date) => "a date written YYYY-MM-DD",
        Ty::Other(ShapeTy::List(_)) => "a list",
        Ty::Other(ShapeTy::Object(_)) => "an object",
    }
}

/// The message for a value of the wrong JSON type at `ctx`.
pub(crate) fn wrong_type(ty: Ty<'_>, ctx: &PathCtx<'_, '_>, found: &str) -> String {
    if ctx.parent.is_none() {
        return format!("a case plan must be a JSON object, found {found}");
    }
    format!("`{ctx}` should be {}, found {found}", expected(ty))
}

/// A number read for a field of type `ty`.
pub(crate) fn number_node<'a>(
    ty: Ty<'_>,
    ctx: &PathCtx<'_, '_>,
    n: f64,
) -> Result<Node<'a>, String> {
    match ty {
        Ty::Other(ShapeTy::Number { integer }) => {
            if *integer && n.fract() != 0.0 {
                return Err(format!("`{ctx}` should be a whole number"));
            }
            Ok(Node::Num(n))
        }
        _ => Err(wrong_type(ty, ctx, "a number")),
    }
}

/// A text read for a field of type `ty` (text, a schema value, or a date).
pub(crate) fn text_node<'a>(
    ty: Ty<'_>,
    ctx: &PathCtx<'_, '_>,
    s: Cow<'a, str>,
) -> Result<Node<'a>, String> {
    match ty {
        Ty::Other(ShapeTy::Text(values)) => {
            if let Some(values) = values {
                let b = s.as_bytes();
                if !values
                    .iter()
                    .any(|v| crate::program::same_bytes(v.as_bytes(), b))
                {
                    let list = values
                        .iter()
                        .take(12)
                        .map(|v| format!("\"{v}\""))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(format!(
                        "`{ctx}` holds a value the schema does not list (allowed: {list})"
                    ));
                }
            }
            Ok(Node::Text(s))
        }
        Ty::Other(ShapeTy::Date) => match Date::parse(&s) {
            Ok(d) => Ok(Node::Date(d)),
            Err(crate::date::DateError::Layout) => {
                Err(format!("`{ctx}` should be a date written YYYY-MM-DD"))
            }
            Err(crate::date::DateError::Impossible(_)) => {
                Err(format!("`{ctx}` is not a real calendar date"))
            }
        },
        _ => Err(wrong_type(ty, ctx, "text")),
    }
}
