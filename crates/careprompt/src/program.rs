//! The compiled form of a rule set: conditions with every field resolved to
//! a slot, every type checked, every definition expanded, and the shape of
//! the plan that the rules read.

use std::sync::Arc;

use crate::ast::{CmpOp, DateOp, Quantifier, Span, TextOp};
use crate::ast::{RuleKind, Severity};
use crate::date::{Date, Duration};
use crate::json::literal;

/// The flat form of one rule's condition, what deciding a rule runs
/// (`flat.rs`): the tree of [`Cond`] laid out in one array, children of an
/// `and` or `or` side by side, definitions expanded away, paths held
/// inline (no box to follow), the commonest leaves as their own
/// instructions (a text equal to a literal, a number compared with one, a
/// date window, a count compared with a number). The tree stays the
/// compiled form for recording evidence, explanations and rule-test
/// coverage; both decide the same truth (tested on every example, fixture
/// and rule-test plan).
#[derive(Clone, Debug)]
pub(crate) struct Flat {
    /// The instructions; the first is the condition itself.
    pub ops: Box<[Op]>,
}

/// The most fields a path of the flat form goes through (longer paths keep
/// the rule on the tree).
pub(crate) const FLAT_PATH_LEN: usize = 4;
/// The most scopes (the plan and nested list elements) the flat form holds
/// (a power of two: a scope's index is masked with it, not checked).
pub(crate) const FLAT_SCOPES: usize = 8;
/// A quantifier or count without a `where` filter.
pub(crate) const NO_FILTER: u32 = u32::MAX;

/// A field path of the flat form: a scope and up to [`FLAT_PATH_LEN`] slots.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path {
    pub scope: u8,
    pub len: u8,
    pub slots: [u16; FLAT_PATH_LEN],
}

/// A list looked through: its path, its filter (an index into
/// [`Flat::ops`], or [`NO_FILTER`]), what each element costs the budget
/// (the filter's [`Cond::cost`]) and the scope its elements are put in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Each {
    pub list: Path,
    pub filter: u32,
    pub cost: u32,
    pub level: u8,
}

/// One instruction of the flat form.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// `ops[first..first + len]`, all of them.
    And {
        first: u32,
        len: u32,
    },
    /// `ops[first..first + len]`, any of them.
    Or {
        first: u32,
        len: u32,
    },
    Not(u32),
    Const(bool),
    /// A text field equal (`eq`) or not equal to a literal.
    TextEq {
        path: Path,
        eq: bool,
        text: Arc<str>,
    },
    /// A number field compared with a number.
    NumCmp {
        path: Path,
        op: CmpOp,
        n: f64,
    },
    /// A yes/no field compared with `true` or `false`.
    BoolCmp {
        path: Path,
        op: CmpOp,
        b: bool,
    },
    /// A date field compared with a date.
    DateCmp {
        path: Path,
        op: CmpOp,
        date: Date,
    },
    /// Any other field compared with a literal.
    FieldCmp {
        path: Path,
        op: CmpOp,
        lit: Lit,
    },
    /// A yes/no field.
    Truthy(Path),
    Present {
        path: Path,
        missing: bool,
    },
    /// A date field within `duration` up to the evaluation date.
    Within {
        path: Path,
        duration: Duration,
    },
    /// A date field more than `duration` before the evaluation date.
    MoreThanAgo {
        path: Path,
        duration: Duration,
    },
    Quant {
        q: Quantifier,
        each: Each,
    },
    /// `count list where (filter)` compared with a number.
    CountCmp {
        each: Each,
        op: CmpOp,
        n: f64,
    },
    /// Any other condition, its operands in the flat form.
    Other(Box<OtherOp>),
}

/// The rarer conditions of the flat form.
#[derive(Clone, Debug)]
pub(crate) enum OtherOp {
    Cmp {
        left: FlatOperand,
        op: CmpOp,
        right: FlatOperand,
    },
    In {
        value: FlatOperand,
        set: Box<[Lit]>,
        negated: bool,
    },
    /// `needle_lower` is a literal needle lowercased once.
    Text {
        value: FlatOperand,
        op: TextOp,
        needle: FlatOperand,
        needle_lower: Option<String>,
    },
    DateRel {
        value: FlatOperand,
        op: DateOp,
        duration: Duration,
    },
    Truthy(FlatOperand),
}

/// An operand of the flat form.
#[derive(Clone, Debug)]
pub(crate) enum FlatOperand {
    Lit(Lit),
    Path(Path),
    Count(Each),
    Age(Path),
}

/// Where a compiled condition came from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loc {
    pub file: u32,
    pub span: Span,
}

/// A compiled condition with a number unique within its rule set.
#[derive(Clone, Debug)]
pub(crate) struct Cond {
    pub id: u32,
    pub loc: Loc,
    pub kind: CondKind,
    /// How many tests one evaluation of this condition makes at most,
    /// lists looked through inside it counted once (each spends its own
    /// budget per element): what a list element costs the evaluation
    /// budget when this is a `where` filter ([`CondKind::cost`]).
    pub cost: u32,
}

impl CondKind {
    /// The tests one evaluation of a condition of this kind makes at
    /// most: the sum over `and`, `or` and `not` of their parts, one for
    /// any other condition (a quantifier, or a count in a comparison,
    /// spends its own budget for the elements it looks at).
    pub(crate) fn cost(&self) -> u32 {
        match self {
            CondKind::And(ops) | CondKind::Or(ops) => ops
                .iter()
                .fold(0u32, |sum, op| sum.saturating_add(op.cost))
                .max(1),
            CondKind::Not(inner) => inner.cost,
            CondKind::Def { body, .. } => body.cost,
            _ => 1,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum CondKind {
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Not(Box<Cond>),
    Quant {
        q: Quantifier,
        list: Access,
        filter: Option<Box<Cond>>,
    },
    Cmp {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
    In {
        value: Operand,
        set: Box<[Lit]>,
        negated: bool,
    },
    Text {
        value: Operand,
        op: TextOp,
        needle: Operand,
    },
    Present {
        access: Access,
        missing: bool,
    },
    DateRel {
        value: Operand,
        op: DateOp,
        duration: Duration,
    },
    Truthy(Operand),
    Const(bool),
    Def {
        name: Arc<str>,
        body: Box<Cond>,
    },
}

#[derive(Clone, Debug)]
pub(crate) enum Operand {
    Lit(Lit),
    Access(Access),
    Count {
        list: Access,
        filter: Option<Box<Cond>>,
    },
    Age(Access),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Text(Arc<str>),
    Num(f64),
    Bool(bool),
    Date(Date),
}

/// A field path resolved to slots, starting from a scope: 0 is the plan,
/// 1 the element of the outermost quantifier, and so on.
#[derive(Clone, Debug)]
pub(crate) struct Access {
    pub scope: usize,
    pub slots: Box<[u16]>,
    /// The path as written relative to its scope, for evidence and missing lists.
    pub display: Arc<str>,
}

/// The shape of the plan the rules read: every schema field, with a slot
/// for those some rule reads.
#[derive(Clone, Debug, Default)]
pub(crate) struct ShapeObj {
    /// Fields sorted by name.
    pub fields: Vec<ShapeField>,
    pub slots: u16,
    /// An open-addressing hash table of field positions (`u16::MAX` is an
    /// empty cell), so that a plan's keys are found with one comparison
    /// rather than a binary search: key look-up is the hottest part of
    /// reading a plan. Built by [`ShapeObj::new`].
    pub index: Box<[u16]>,
    /// The read date fields the report checks for dates that cannot all be
    /// right, worked out once by [`ShapeObj::finish`].
    pub date_checks: DateChecks,
}

/// Read date fields of one object that the report checks: a birth date
/// (not after the evaluation date) and start/end pairs (not backwards).
#[derive(Clone, Debug, Default)]
pub(crate) struct DateChecks {
    /// The slot of `date_of_birth`.
    pub birth: Option<u16>,
    /// (start slot, end slot, start name, end name).
    pub pairs: Vec<(u16, u16, &'static str, &'static str)>,
    /// (slot, name) of read fields dating something that has happened
    /// ([`EVENT_DATES`]): after the evaluation date, the event drops out of
    /// every rule that looks back from it, so the report warns.
    pub events: Vec<(u16, &'static str)>,
    /// Whether this object or any object below it has a check: objects
    /// without one are not walked.
    pub any_below: bool,
}

/// Names of date fields that date something that has already happened
/// (an attendance, a review, a referral): a value after the evaluation
/// date is warned. End dates are left out (a planned end is normal), and
/// so are the dates of school moves, which may be planned
/// ([`PLANNED_DATE_PATHS`]).
pub(crate) const EVENT_DATES: [&str; 13] = [
    "date",
    "start_date",
    "admitted",
    "medically_fit_for_discharge",
    "last_reviewed",
    "since",
    "referral_date",
    "escalation_noted",
    "notified_date",
    "last_involved_in_planning",
    "assigned_date",
    "growth_or_physical_change_noted",
    "status_date",
];

/// Objects (by path, list positions left out) whose dates may be planned,
/// so are never warned as after the evaluation date.
pub(crate) const PLANNED_DATE_PATHS: [&str; 2] =
    ["education.school_moves", "education.planned_school_move"];

/// Date pairs of one record that must not run backwards: (start, end).
pub(crate) const DATE_PAIRS: [(&str, &str); 2] =
    [("start_date", "end_date"), ("admitted", "discharged")];

#[derive(Clone, Debug)]
pub(crate) struct ShapeField {
    pub name: Box<str>,
    pub slot: Option<u16>,
    pub ty: ShapeTy,
}

#[derive(Clone, Debug)]
pub(crate) enum ShapeTy {
    Text(Option<Arc<[Box<str>]>>),
    Number { integer: bool },
    Bool,
    Date,
    List(Box<ShapeTy>),
    Object(ShapeObj),
}

/// The hash of a field name for [`ShapeObj::index`]: its length and three
/// of its bytes, which tell the schema's field names apart well enough.
#[inline]
fn key_hash(b: &[u8]) -> usize {
    let n = b.len();
    let at = |i: usize| usize::from(b.get(i).copied().unwrap_or(0));
    n.wrapping_mul(0x9e37)
        ^ at(0).wrapping_mul(0x45d9)
        ^ at(n.wrapping_sub(1)).wrapping_mul(0x1f3b)
        ^ at(n / 2).wrapping_mul(0x2b7)
}

/// Whether two short byte strings are equal: field names are a few bytes
/// long, so eight-byte words compared inline beat a call to `memcmp`.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a_words = a.chunks_exact(8);
    let mut b_words = b.chunks_exact(8);
    for (x, y) in a_words.by_ref().zip(b_words.by_ref()) {
        if x != y {
            return false;
        }
    }
    a_words
        .remainder()
        .iter()
        .zip(b_words.remainder())
        .all(|(x, y)| x == y)
}

impl ShapeObj {
    /// An object of `fields` (sorted by name), none of them read yet.
    pub fn new(fields: Vec<ShapeField>) -> ShapeObj {
        let size = (fields.len() * 2).next_power_of_two().max(4);
        let mut index = vec![u16::MAX; size].into_boxed_slice();
        let mask = size - 1;
        for (i, f) in fields.iter().enumerate() {
            let mut h = key_hash(f.name.as_bytes()) & mask;
            while index.get(h).is_some_and(|c| *c != u16::MAX) {
                h = (h + 1) & mask;
            }
            if let Some(c) = index.get_mut(h) {
                *c = u16::try_from(i).unwrap_or(u16::MAX);
            }
        }
        ShapeObj {
            fields,
            slots: 0,
            index,
            date_checks: DateChecks::default(),
        }
    }

    /// Works out the date checks of this object and every object below it,
    /// once the rules have given every read field its slot.
    pub fn finish(&mut self) {
        let mut any_below = false;
        for f in &mut self.fields {
            if f.slot.is_none() {
                continue;
            }
            let mut ty = &mut f.ty;
            while let ShapeTy::List(e) = ty {
                ty = e;
            }
            if let ShapeTy::Object(o) = ty {
                o.finish();
                any_below |= o.date_checks.any_below;
            }
        }
        let slot = |name: &str| self.field(name).and_then(|f| f.slot);
        let birth = slot("date_of_birth");
        let pairs: Vec<_> = DATE_PAIRS
            .iter()
            .filter_map(|&(s, e)| Some((slot(s)?, slot(e)?, s, e)))
            .collect();
        let events: Vec<_> = EVENT_DATES
            .iter()
            .filter_map(|&name| {
                let f = self.field(name)?;
                matches!(f.ty, ShapeTy::Date).then_some((f.slot?, name))
            })
            .collect();
        let any_below = any_below || birth.is_some() || !pairs.is_empty() || !events.is_empty();
        self.date_checks = DateChecks {
            birth,
            pairs,
            events,
            any_below,
        };
    }

    /// The position in `fields` of the field named `name`.
    #[inline]
    pub fn position(&self, name: &str) -> Option<usize> {
        let mask = self.index.len().wrapping_sub(1);
        let mut h = key_hash(name.as_bytes()) & mask;
        loop {
            let c = *self.index.get(h)?;
            if c == u16::MAX {
                return None;
            }
            let i = usize::from(c);
            if self
                .fields
                .get(i)
                .is_some_and(|f| same_bytes(f.name.as_bytes(), name.as_bytes()))
            {
                return Some(i);
            }
            h = (h + 1) & mask;
        }
    }

    pub fn field(&self, name: &str) -> Option<&ShapeField> {
        self.position(name).and_then(|i| self.fields.get(i))
    }
}

/// The learning point a rule cites.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Learning {
    /// The source document.
    pub source: String,
    /// The section of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A compiled rule and its metadata.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRule {
    /// The rule's words (id, title, prompt...), shared with its outcomes.
    pub text: Arc<RuleText>,
    pub cond: Cond,
    /// The condition's flat form, what deciding runs; `None` for a
    /// condition nested deeper than the flat form holds (decided on the
    /// tree).
    pub flat: Option<Flat>,
    pub loc: Loc,
}

/// What a rule says, whatever the plan: shared by all of the rule's
/// outcomes (one reference count per outcome, not one per field).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleText {
    /// The rule's id.
    pub id: String,
    /// The rule's title.
    pub title: String,
    /// The theme it belongs to.
    pub theme: String,
    /// risk, practice or strength.
    pub kind: RuleKind,
    /// high, medium, low or info.
    pub severity: Severity,
    /// The learning point it cites.
    pub learning: Option<Learning>,
    /// The prompt.
    pub prompt: String,
    /// Next steps and questions.
    pub next_steps: Vec<String>,
    /// The same words as JSON string literals, escaped once when the rules
    /// are compiled: most of a report's JSON, written without escaping it
    /// again for every plan.
    pub(crate) json: RuleJson,
}

/// A rule's words as JSON string literals (quotes and escapes included).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RuleJson {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) theme: String,
    pub(crate) learning: Option<(String, Option<String>)>,
    pub(crate) prompt: String,
    pub(crate) next_steps: Vec<String>,
}

impl RuleText {
    /// A rule's words, with their JSON worked out once.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: String,
        title: String,
        theme: String,
        kind: RuleKind,
        severity: Severity,
        learning: Option<Learning>,
        prompt: String,
        next_steps: Vec<String>,
    ) -> RuleText {
        let json = RuleJson {
            id: literal(&id),
            title: literal(&title),
            theme: literal(&theme),
            learning: learning
                .as_ref()
                .map(|l| (literal(&l.source), l.section.as_deref().map(literal))),
            prompt: literal(&prompt),
            next_steps: next_steps.iter().map(|n| literal(n)).collect(),
        };
        RuleText {
            id,
            title,
            theme,
            kind,
            severity,
            learning,
            prompt,
            next_steps,
            json,
        }
    }
}
