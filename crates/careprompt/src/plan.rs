//! Plan JSON to the compact tree the evaluator reads.
//!
//! One streaming pass over the plan bytes: fields that some rule reads are
//! kept (typed and checked against the schema, strings borrowed from the
//! input where they have no escapes), fields that no rule reads are skipped
//! without being built, and fields the schema does not know are skipped with
//! a warning. Errors give line and column and name the field, never its value.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
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
}

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

/// Reads plan bytes against `shape`.
pub(crate) fn extract<'a>(bytes: &'a [u8], shape: &ShapeObj) -> Result<Extracted<'a>, PlanError> {
    if bytes.len() > MAX_PLAN_BYTES {
        return Err(PlanError {
            kind: PlanErrorKind::Limit,
            message: format!(
                "the plan is {} bytes; the limit is {MAX_PLAN_BYTES}",
                bytes.len()
            ),
            help: Some("check that this is one plan, not a whole export".into()),
            line: 0,
            column: 0,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(PlanError {
            kind: PlanErrorKind::Empty,
            message: "the plan is empty".into(),
            help: Some("a plan is one JSON object: `{ \"child\": { ... } }`".into()),
            line: 1,
            column: 1,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::scan::line_column(bytes, e.valid_up_to());
        PlanError {
            kind: PlanErrorKind::Syntax,
            message: "the plan is not UTF-8 text".into(),
            help: Some("save the plan as UTF-8 (JSON is always UTF-8)".into()),
            line,
            column,
        }
    })?;
    let mut sink = Sink::for_bytes(bytes.len());
    let root = crate::scan::scan(text, shape, &mut sink)?;
    Ok(finish(root, sink))
}

fn finish<'a>(root: Node<'a>, sink: Sink<'a>) -> Extracted<'a> {
    let Sink {
        nodes,
        mut warnings,
        ..
    } = sink;
    warnings.sort();
    warnings.dedup();
    Extracted {
        root,
        nodes,
        warnings,
        coverage: None,
    }
}

/// Reads an already-parsed `serde_json::Value` against `shape`, borrowing its strings.
pub(crate) fn extract_value<'a>(
    value: &'a serde_json::Value,
    shape: &ShapeObj,
) -> Result<Extracted<'a>, PlanError> {
    let mut sink = Sink::default();
    let root = RootSeed {
        shape,
        sink: &mut sink,
    }
    .deserialize(value)
    .map_err(|e| PlanError {
        kind: PlanErrorKind::Schema,
        message: e.to_string(),
        help: None,
        line: 0,
        column: 0,
    })?;
    Ok(finish(root, sink))
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

struct RootSeed<'s, 'w, 'de> {
    shape: &'s ShapeObj,
    sink: &'w mut Sink<'de>,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_, 'de> {
    type Value = Node<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        let root = PathCtx {
            parent: None,
            name: "",
            list: false,
        };
        d.deserialize_any(NodeVisitor {
            ty: Ty::Obj(self.shape),
            ctx: &root,
            sink: self.sink,
        })
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Ty<'s> {
    Obj(&'s ShapeObj),
    Other(&'s ShapeTy),
}

struct NodeSeed<'p, 's, 'w, 'de> {
    ty: &'s ShapeTy,
    ctx: &'p PathCtx<'p, 's>,
    sink: &'w mut Sink<'de>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_, '_, 'de> {
    type Value = Node<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        let ty = match self.ty {
            ShapeTy::Object(o) => Ty::Obj(o),
            other => Ty::Other(other),
        };
        d.deserialize_any(NodeVisitor {
            ty,
            ctx: self.ctx,
            sink: self.sink,
        })
    }
}

struct NodeVisitor<'p, 's, 'w, 'de> {
    ty: Ty<'s>,
    ctx: &'p PathCtx<'p, 's>,
    sink: &'w mut Sink<'de>,
}

/// What a value of type `ty` should be, in words.
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

impl NodeVisitor<'_, '_, '_, '_> {
    fn wrong<E: de::Error>(&self, found: &str) -> E {
        E::custom(wrong_type(self.ty, self.ctx, found))
    }

    fn number<'a, E: de::Error>(self, n: f64) -> Result<Node<'a>, E> {
        number_node(self.ty, self.ctx, n).map_err(E::custom)
    }

    fn text<'a, E: de::Error>(self, s: Cow<'a, str>) -> Result<Node<'a>, E> {
        text_node(self.ty, self.ctx, s).map_err(E::custom)
    }
}

impl<'de> Visitor<'de> for NodeVisitor<'_, '_, '_, 'de> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(expected(self.ty))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node<'de>, E> {
        match self.ty {
            Ty::Other(ShapeTy::Bool) => Ok(Node::Bool(v)),
            _ => Err(self.wrong("true or false")),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node<'de>, E> {
        self.number(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node<'de>, E> {
        self.number(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node<'de>, E> {
        self.number(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node<'de>, E> {
        self.text(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node<'de>, E> {
        self.text(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node<'de>, E> {
        self.text(Cow::Owned(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node<'de>, E> {
        if self.ctx.parent.is_none() {
            return Err(self.wrong("null"));
        }
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node<'de>, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let Ty::Other(ShapeTy::List(elem)) = self.ty else {
            return Err(self.wrong("a list"));
        };
        let ctx = PathCtx {
            parent: Some(self.ctx),
            name: "",
            list: true,
        };
        let mark = self.sink.open_list();
        while let Some(n) = seq.next_element_seed(NodeSeed {
            ty: elem,
            ctx: &ctx,
            sink: &mut *self.sink,
        })? {
            if self.sink.list_len(mark) >= MAX_LIST_LEN {
                return Err(de::Error::custom(format!(
                    "`{}` has more than {MAX_LIST_LEN} elements",
                    self.ctx
                )));
            }
            self.sink.push_element(n);
        }
        Ok(self.sink.close_list(mark))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let obj = match self.ty {
            Ty::Obj(o) => o,
            Ty::Other(ShapeTy::Object(o)) => o,
            _ => return Err(self.wrong("an object")),
        };
        let start = self.sink.open_object(obj.slots);
        let mut seen: u64 = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match obj.position(&key) {
                Some(i) => {
                    let Some(field) = obj.fields.get(i) else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    // Duplicate keys are refused (for the first 64 fields of an object).
                    if i < 64 {
                        let bit = 1u64 << i;
                        if seen & bit != 0 {
                            let ctx = PathCtx {
                                parent: Some(self.ctx),
                                name: &field.name,
                                list: false,
                            };
                            return Err(de::Error::custom(format!("`{ctx}` appears twice")));
                        }
                        seen |= bit;
                    }
                    match field.slot {
                        Some(slot) => {
                            let ctx = PathCtx {
                                parent: Some(self.ctx),
                                name: &field.name,
                                list: false,
                            };
                            let v = map.next_value_seed(NodeSeed {
                                ty: &field.ty,
                                ctx: &ctx,
                                sink: &mut *self.sink,
                            })?;
                            self.sink.set_field(start, slot, v);
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                None => {
                    let at = self.ctx.to_string();
                    let name: String = key.chars().take(64).collect();
                    self.sink.warnings.push(if at.is_empty() {
                        format!("unknown field `{name}` (ignored)")
                    } else {
                        format!("unknown field `{at}.{name}` (ignored)")
                    });
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Sink::object(start, obj.slots))
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// The most date warnings one report lists.
const MAX_DATE_WARNINGS: usize = 50;

/// Warnings about dates that cannot all be right, found in the fields the
/// rules read: a `date_of_birth` after the evaluation date (`age of` it is
/// then unknown), and a record that ends before it starts (both dates are
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
