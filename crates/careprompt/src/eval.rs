//! Evaluation: compiled conditions over a plan, in three-valued logic.
//!
//! Each condition is `True`, `False` or `Unknown` (some data it needs is
//! missing). `and`, `or` and `not` follow Kleene's logic. A first pass
//! decides every rule without recording anything; only rules that fire or
//! are unknown are evaluated again with recording on, to collect the
//! evidence (paths and values, list elements by index) or the missing paths.

use serde::Serialize;

use crate::ast::{CmpOp, DateOp, Quantifier, TextOp};
use crate::date::{within_from, Date, Duration};
use crate::plan::Node;
use crate::program::{same_bytes, Access, Cond, CondKind, Lit, Operand};

/// A three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    /// Does not hold.
    False,
    /// Holds.
    True,
    /// Cannot be decided: data is missing.
    Unknown,
}

impl Truth {
    /// Kleene conjunction.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    /// Kleene negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    #[inline]
    pub(crate) fn from_bool(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// A value recorded as evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EvidenceValue {
    /// Text (dates are written YYYY-MM-DD).
    Text(String),
    /// A number.
    Number(f64),
    /// true or false.
    Bool(bool),
    /// Serialised as `null`. No longer produced: a field left out is not
    /// known and is never evidence (a field recorded as none has the text
    /// "recorded as none", an open record's end "current (no end date)");
    /// kept so that version 1 reports still read.
    Absent,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    Evidence { path: String, value: EvidenceValue },
    Missing(String),
}

pub(crate) static ABSENT: Node<'static> = Node::Absent;

/// The state of one evaluation: the evaluation date, the stack of list
/// elements being looked at, and (when recording) what was observed.
pub(crate) struct Env<'p, 'a> {
    pub as_of: Date,
    /// The plan's values ([`Node`] runs index into them).
    nodes: &'p [Node<'a>],
    scopes: Vec<&'p Node<'a>>,
    prefixes: Vec<String>,
    pub items: Vec<Item>,
    /// Steps taken since the budget was set ([`EVAL_STEPS_PER_PLAN_NODE`]).
    spent: u64,
    /// An explicit budget ([`Env::set_budget`]), or `None` for the plan's
    /// own ([`Env::set_plan_budget`]).
    limit: Option<u64>,
    /// The plan's budget, worked out the first time a rule needs it: most
    /// rules visit fewer elements than any plan allows, and then the plan
    /// is never measured.
    plan_budget: Option<u64>,
    /// The budget ran out: the condition being evaluated is unknown.
    exhausted: bool,
    /// Cutoff dates already worked out from `as_of` (a pack uses a few
    /// durations many times, and calendar arithmetic is not free).
    cutoffs: [Option<(Duration, Date)>; CUTOFFS],
}

/// How many steps one rule may take per node of the plan. A step is one
/// test of a `where` filter on one list element (a filter of three tests
/// costs three per element), or one list item searched.
///
/// Looking through a list inside the `where` of another (`any placements
/// where (any crisis.arrests where (date >= start_date))`) multiplies the
/// work by both lengths, and a long filter by its length. With this budget
/// the work of one rule is at most its size times this many times the
/// plan's size, so a whole check is bounded by the size of the rules times
/// the size of the plan. Real plans stay far inside it; a rule that runs
/// out is reported `unknown`.
pub const EVAL_STEPS_PER_PLAN_NODE: u64 = 64;

/// How many distinct durations' cutoff dates one evaluation keeps.
pub(crate) const CUTOFFS: usize = 8;

/// Cutoff dates for one evaluation date, kept per thread.
type CutoffCache = (Date, [Option<(Duration, Date)>; CUTOFFS]);

thread_local! {
    /// The cutoffs worked out on this thread for the last evaluation date
    /// seen. Plans checked one after another (a batch, a page re-checked on
    /// every edit) share an evaluation date, so calendar arithmetic is done
    /// once per thread rather than once per plan.
    static THREAD_CUTOFFS: std::cell::RefCell<Option<CutoffCache>> =
        const { std::cell::RefCell::new(None) };
}

/// `duration` before `as_of`, from this thread's cache when it has it.
pub(crate) fn thread_cutoff(as_of: Date, duration: Duration) -> Date {
    THREAD_CUTOFFS
        .try_with(|cache| {
            let Ok(mut cache) = cache.try_borrow_mut() else {
                return duration.before(as_of);
            };
            let (date, slots) = match &mut *cache {
                Some((date, slots)) if *date == as_of => (*date, slots),
                other => {
                    let (date, slots) = other.insert((as_of, [None; CUTOFFS]));
                    (*date, slots)
                }
            };
            for slot in slots.iter_mut() {
                match slot {
                    Some((k, d)) if *k == duration => return *d,
                    Some(_) => {}
                    None => {
                        let d = duration.before(date);
                        *slot = Some((duration, d));
                        return d;
                    }
                }
            }
            duration.before(as_of)
        })
        .unwrap_or_else(|_| duration.before(as_of))
}

/// `exists` (`missing` false) or `missing` (true) of a plan value: an
/// absent field is not known, so both are unknown on it; `null` and an
/// empty list record none.
#[inline]
pub(crate) fn presence(n: &Node<'_>, missing: bool) -> Truth {
    let none = match n {
        Node::Absent => return Truth::Unknown,
        Node::Null | Node::List(_, 0) => true,
        _ => false,
    };
    Truth::from_bool(none == missing)
}

pub(crate) enum Ov<'n> {
    Missing,
    Text(&'n str),
    /// A number, or for counts over partly unknown lists, the range it lies in.
    Num(f64, f64),
    Bool(bool),
    Date(Date),
    List(&'n [Node<'n>]),
}

/// A quantifier with no `where` over a known list of `len` elements.
pub(crate) fn quantify_unfiltered(q: Quantifier, len: usize) -> Truth {
    Truth::from_bool(match q {
        Quantifier::Any => len > 0,
        Quantifier::None => len == 0,
        Quantifier::All => true,
    })
}

/// The filter's value on an element that settles a quantifier: an `any` or
/// a `none` is decided by an element it holds for, an `all` by one it does
/// not hold for.
pub(crate) fn quantifier_stop(q: Quantifier) -> Truth {
    match q {
        Quantifier::Any | Quantifier::None => Truth::True,
        Quantifier::All => Truth::False,
    }
}

/// A quantifier's value from how many of a list's elements its filter held
/// for, was not known for, and did not hold for; shared by the tree walk,
/// the flat form and the rule tests' coverage walk.
pub(crate) fn quantify(q: Quantifier, (trues, unknowns, falses): (usize, usize, usize)) -> Truth {
    let any = if trues > 0 {
        Truth::True
    } else if unknowns > 0 {
        Truth::Unknown
    } else {
        Truth::False
    };
    match q {
        Quantifier::Any => any,
        Quantifier::None => any.not(),
        Quantifier::All if falses > 0 => Truth::False,
        Quantifier::All if unknowns > 0 => Truth::Unknown,
        Quantifier::All => Truth::True,
    }
}

/// `value in [...]` (negated: `not in`) on a value already read, shared by
/// the tree walk and the flat form (`flat.rs`). A number known only to lie
/// in a range (a count over a partly unknown list) is in the set only if
/// the set holds a number in that range, and is then not known.
pub(crate) fn in_set(v: Ov<'_>, set: &[Lit], negated: bool) -> Truth {
    let found = match v {
        Ov::Missing => return Truth::Unknown,
        Ov::Text(t) => set
            .iter()
            .any(|s| matches!(s, Lit::Text(x) if same_bytes(x.as_bytes(), t.as_bytes()))),
        Ov::Num(lo, hi) => {
            if lo != hi {
                let any_in = set
                    .iter()
                    .any(|s| matches!(s, Lit::Num(x) if *x >= lo && *x <= hi));
                if !any_in {
                    return Truth::from_bool(negated);
                }
                return Truth::Unknown;
            }
            set.iter().any(|s| matches!(s, Lit::Num(x) if *x == lo))
        }
        Ov::Bool(b) => set.iter().any(|s| matches!(s, Lit::Bool(x) if *x == b)),
        Ov::Date(d) => set.iter().any(|s| matches!(s, Lit::Date(x) if *x == d)),
        Ov::List(_) => false,
    };
    Truth::from_bool(found != negated)
}

/// `contains` / `starts with` on a value already read, against a needle
/// already in lower case, shared by the tree walk and the flat form: a text
/// is searched without regard to case; a list of texts contains the needle
/// when an element equals it (an absent or null element makes a miss not
/// known). `spend` is asked for the list's elements before they are looked at.
pub(crate) fn text_test(
    v: Ov<'_>,
    op: TextOp,
    needle: &str,
    spend: impl FnOnce(usize) -> bool,
) -> Truth {
    match v {
        Ov::Text(t) => Truth::from_bool(match op {
            TextOp::Contains => contains_ci(t, needle),
            TextOp::StartsWith => starts_with_ci(t, needle),
        }),
        Ov::List(items) => {
            if !spend(items.len()) {
                return Truth::Unknown;
            }
            let mut result = Truth::False;
            for item in items {
                match item {
                    Node::Text(t) if t.to_lowercase() == needle => return Truth::True,
                    Node::Absent | Node::Null => result = Truth::Unknown,
                    _ => {}
                }
            }
            result
        }
        _ => Truth::Unknown,
    }
}

impl<'p, 'a> Env<'p, 'a> {
    pub fn new(root: &'p Node<'a>, nodes: &'p [Node<'a>], as_of: Date) -> Env<'p, 'a> {
        Env {
            as_of,
            nodes,
            // Room for a few nested quantifiers without growing.
            // Room for a few nested quantifiers without growing.
            scopes: {
                let mut v = Vec::with_capacity(4);
                v.push(root);
                v
            },
            // Paths of the scopes, kept only when recording (the root's is
            // empty): deciding alone never allocates here.
            prefixes: Vec::new(),
            items: Vec::new(),
            spent: 0,
            limit: Some(u64::MAX),
            plan_budget: None,
            exhausted: false,
            cutoffs: [None; CUTOFFS],
        }
    }

    /// `duration` before the evaluation date.
    #[inline]
    fn cutoff(&mut self, duration: Duration) -> Date {
        for slot in self.cutoffs.iter_mut() {
            match slot {
                Some((k, d)) if *k == duration => return *d,
                Some(_) => {}
                None => {
                    let d = thread_cutoff(self.as_of, duration);
                    *slot = Some((duration, d));
                    return d;
                }
            }
        }
        // More distinct durations than the cache holds: work it out.
        duration.before(self.as_of)
    }

    /// Allows the next evaluation to visit at most `steps` list elements.
    pub fn set_budget(&mut self, steps: u64) {
        self.spent = 0;
        self.limit = Some(steps);
        self.exhausted = false;
    }

    /// Allows the next evaluation to visit at most the plan's budget of
    /// list elements ([`eval_budget`] of the plan's size).
    pub fn set_plan_budget(&mut self) {
        self.spent = 0;
        self.limit = None;
        self.exhausted = false;
    }

    /// Whether the budget ran out since it was last set.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Spends `n` steps; false (and the evaluation abandoned) when too few are left.
    #[inline]
    pub fn spend(&mut self, n: usize) -> bool {
        if self.exhausted {
            return false;
        }
        self.spent = self.spent.saturating_add(n as u64);
        let ok = match self.limit {
            Some(limit) => self.spent <= limit,
            // Every plan allows at least EVAL_STEPS_PER_PLAN_NODE steps.
            None if self.spent <= EVAL_STEPS_PER_PLAN_NODE => true,
            None => {
                let nodes = self.nodes;
                self.spent
                    <= *self
                        .plan_budget
                        .get_or_insert_with(|| eval_budget(crate::plan::plan_size(nodes)))
            }
        };
        if !ok {
            self.exhausted = true;
        }
        ok
    }

    #[inline]
    fn node(&self, a: &Access) -> &'p Node<'a> {
        let Some(n) = self.scopes.get(a.scope).copied() else {
            return &ABSENT;
        };
        n.walk(self.nodes, &a.slots)
    }

    fn path(&self, a: &Access) -> String {
        match self.prefixes.get(a.scope) {
            Some(p) if !p.is_empty() => format!("{p}.{}", a.display),
            _ => a.display.to_string(),
        }
    }

    fn observe<const REC: bool>(&mut self, a: &Access, n: &Node<'_>) {
        if !REC {
            return;
        }
        let path = self.path(a);
        let value = match n {
            Node::Absent | Node::Null => {
                self.items.push(Item::Missing(path));
                return;
            }
            Node::Bool(b) => EvidenceValue::Bool(*b),
            Node::Num(x) => EvidenceValue::Number(*x),
            Node::Text(t) => EvidenceValue::Text(t.to_string()),
            Node::Date(d) => EvidenceValue::Text(d.to_string()),
            Node::List(_, len) => EvidenceValue::Number(f64::from(*len)),
            Node::Obj(..) => EvidenceValue::Text("recorded".into()),
        };
        self.items.push(Item::Evidence { path, value });
    }

    /// The commonest leaves, decided in place when only deciding: a field
    /// against a literal, a yes/no field, a presence test, a date window.
    /// They read the plan node directly (no operand value in between), and
    /// the `and`, `or` and list loops call this before [`Env::cond`], so a
    /// leaf costs no call. `None` for anything else.
    #[inline(always)]
    fn leaf(&mut self, c: &Cond) -> Option<Truth> {
        Some(match &c.kind {
            CondKind::Cmp {
                left: Operand::Access(a),
                op,
                right: Operand::Lit(l),
            } => compare_node(self.node(a), *op, l),
            CondKind::Truthy(Operand::Access(a)) => match self.node(a) {
                Node::Bool(b) => Truth::from_bool(*b),
                _ => Truth::Unknown,
            },
            CondKind::Present { access, missing } => presence(self.node(access), *missing),
            CondKind::DateRel {
                value: Operand::Access(a),
                op,
                duration,
            } => {
                let Node::Date(d) = *self.node(a) else {
                    return Some(Truth::Unknown);
                };
                let cutoff = self.cutoff(*duration);
                Truth::from_bool(match op {
                    DateOp::Within => within_from(cutoff, d, self.as_of),
                    DateOp::MoreThanAgo => d < cutoff,
                })
            }
            _ => return None,
        })
    }

    /// [`Env::cond`] when only deciding, with leaves decided in place.
    #[inline(always)]
    fn decide(&mut self, c: &Cond) -> Truth {
        match self.leaf(c) {
            Some(t) => t,
            None => self.cond::<false>(c),
        }
    }

    /// Evaluates a condition. With `REC`, records evidence and missing paths.
    pub fn cond<const REC: bool>(&mut self, c: &Cond) -> Truth {
        if self.exhausted {
            return Truth::Unknown;
        }
        if !REC {
            if let Some(t) = self.leaf(c) {
                return t;
            }
        }
        match &c.kind {
            CondKind::And(ops) => {
                let start = self.items.len();
                let mut result = Truth::True;
                for op in ops.iter() {
                    let mark = self.items.len();
                    let t = if REC {
                        self.cond::<REC>(op)
                    } else {
                        self.decide(op)
                    };
                    match t {
                        Truth::False => {
                            if REC {
                                self.items.drain(start..mark);
                            }
                            return Truth::False;
                        }
                        Truth::Unknown => result = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                result
            }
            CondKind::Or(ops) => {
                let start = self.items.len();
                let mut result = Truth::False;
                for op in ops.iter() {
                    let mark = self.items.len();
                    let t = if REC {
                        self.cond::<REC>(op)
                    } else {
                        self.decide(op)
                    };
                    match t {
                        Truth::True => {
                            if REC {
                                self.items.drain(start..mark);
                            }
                            return Truth::True;
                        }
                        Truth::Unknown => result = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                result
            }
            CondKind::Not(inner) => self.cond::<REC>(inner).not(),
            CondKind::Def { body, .. } => self.cond::<REC>(body),
            CondKind::Const(b) => Truth::from_bool(*b),
            CondKind::Quant { q, list, filter } => {
                self.quantifier::<REC>(*q, list, filter.as_deref())
            }
            CondKind::Present { access, missing } => {
                let n = self.node(access);
                if REC {
                    let path = self.path(access);
                    match n {
                        Node::Absent => self.items.push(Item::Missing(path)),
                        Node::Null => {
                            let value = crate::coverage::none_evidence(&path);
                            self.items.push(Item::Evidence {
                                path,
                                value: EvidenceValue::Text(value.into()),
                            });
                        }
                        _ => self.observe::<REC>(access, n),
                    }
                }
                presence(n, *missing)
            }
            CondKind::Truthy(op) => match self.value::<REC>(op) {
                Ov::Bool(b) => Truth::from_bool(b),
                _ => Truth::Unknown,
            },
            CondKind::Cmp { left, op, right } => {
                let l = self.value::<REC>(left);
                let r = self.value::<REC>(right);
                compare(&l, *op, &r)
            }
            CondKind::In {
                value,
                set,
                negated,
            } => {
                let v = self.value::<REC>(value);
                in_set(v, set, *negated)
            }
            CondKind::Text { value, op, needle } => {
                let v = self.value::<REC>(value);
                let n = self.operand::<REC>(needle);
                let needle = match n {
                    Ov::Text(t) => t.to_lowercase(),
                    _ => return Truth::Unknown,
                };
                text_test(v, *op, &needle, |n| self.spend(n))
            }
            CondKind::DateRel {
                value,
                op,
                duration,
            } => {
                let Ov::Date(d) = self.value::<REC>(value) else {
                    return Truth::Unknown;
                };
                let cutoff = self.cutoff(*duration);
                Truth::from_bool(match op {
                    DateOp::Within => within_from(cutoff, d, self.as_of),
                    DateOp::MoreThanAgo => d < cutoff,
                })
            }
        }
    }

    fn list(&mut self, list: &Access) -> Option<&'p [Node<'a>]> {
        match self.node(list) {
            n @ Node::List(..) => Some(n.children(self.nodes)),
            _ => None,
        }
    }

    fn enter(&mut self, node: &'p Node<'a>, list: &Access, index: usize, rec: bool) {
        let prefix = if rec {
            let base = self.path(list);
            format!("{base}[{index}]")
        } else {
            String::new()
        };
        // `prefixes[i]` is the path of `scopes[i]`; scopes entered without
        // recording have none yet.
        while self.prefixes.len() < self.scopes.len() {
            self.prefixes.push(String::new());
        }
        self.scopes.push(node);
        self.prefixes.push(prefix);
    }

    /// The length of the list at `list` (0 when it is missing).
    pub fn list_len(&self, list: &Access) -> usize {
        match self.node(list) {
            Node::List(_, len) => *len as usize,
            _ => 0,
        }
    }

    /// Enters element `i` of `list` as the innermost scope, with its path
    /// recorded; false if there is no such element.
    pub fn enter_index(&mut self, list: &Access, i: usize) -> bool {
        match self.node(list) {
            n @ Node::List(..) => match n.children(self.nodes).get(i) {
                Some(n) => {
                    self.enter(n, list, i, true);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// Enters element `i` of `list` as the innermost scope, as
    /// [`Env::enter_index`] does but without writing its path (for walks
    /// that only decide, such as rule tests' coverage); false if there is
    /// no such element.
    pub fn enter_index_unnamed(&mut self, list: &Access, i: usize) -> bool {
        match self.node(list) {
            n @ Node::List(..) => match n.children(self.nodes).get(i) {
                Some(n) => {
                    self.enter(n, list, i, false);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// The path of the innermost scope (`placements[2]`).
    pub fn current_prefix(&self) -> String {
        self.prefixes.last().cloned().unwrap_or_default()
    }

    /// Leaves the innermost scope.
    pub fn leave_scope(&mut self) {
        self.leave();
    }

    fn leave(&mut self) {
        self.scopes.pop();
        self.prefixes.truncate(self.scopes.len());
    }

    /// Evaluates `filter` on each element; returns counts of true, unknown
    /// and false elements. Deciding only, it stops at the first element
    /// whose answer is `stop_on`; with `REC` it looks at every element and
    /// also returns each one's answer, for [`Env::record`].
    fn each<const REC: bool>(
        &mut self,
        items: &'p [Node<'a>],
        filter: &Cond,
        stop_on: Option<Truth>,
    ) -> (usize, usize, usize, Vec<Truth>) {
        let mut trues = 0;
        let mut unknowns = 0;
        let mut falses = 0;
        let mut answers = Vec::new();
        // One scope, its element replaced in place, rather than a push and
        // a pop for every element.
        let depth = self.scopes.len();
        self.scopes.push(&ABSENT);
        // Each element costs the tests its filter may make, not one: a
        // `where` of a thousand tests inside another list is a thousand
        // times the work of a `where` of one.
        let cost = filter.cost as usize;
        for item in items {
            if !self.spend(cost) {
                break;
            }
            if let Some(top) = self.scopes.get_mut(depth) {
                *top = item;
            }
            let t = self.decide(filter);
            match t {
                Truth::True => trues += 1,
                Truth::Unknown => unknowns += 1,
                Truth::False => falses += 1,
            }
            if REC {
                answers.push(t);
            } else if stop_on == Some(t) {
                break;
            }
        }
        self.leave();
        (trues, unknowns, falses, answers)
    }

    /// Records the evidence of the elements whose answer (from
    /// [`Env::each`]) is `keep`, and what the unknown ones lacked. Only
    /// those elements are evaluated again, with recording: paths are
    /// written for what the report lists, not for every element looked at.
    fn record(
        &mut self,
        list: &Access,
        items: &'p [Node<'a>],
        filter: &Cond,
        answers: &[Truth],
        keep: Option<Truth>,
    ) {
        for (i, (item, &t)) in items.iter().zip(answers).enumerate() {
            let kept = Some(t) == keep;
            if !kept && t != Truth::Unknown {
                continue;
            }
            self.enter(item, list, i, true);
            let mark = self.items.len();
            let _ = self.cond::<true>(filter);
            self.leave();
            if !kept {
                // An unknown element: only the paths it lacked.
                let tail = self.items.split_off(mark.min(self.items.len()));
                self.items
                    .extend(tail.into_iter().filter(|i| matches!(i, Item::Missing(_))));
            }
        }
    }

    fn list_evidence<const REC: bool>(&mut self, list: &Access, value: f64) {
        if REC {
            let path = self.path(list);
            self.items.push(Item::Evidence {
                path,
                value: EvidenceValue::Number(value),
            });
        }
    }

    fn quantifier<const REC: bool>(
        &mut self,
        q: Quantifier,
        list: &Access,
        filter: Option<&Cond>,
    ) -> Truth {
        let Some(items) = self.list(list) else {
            let n = self.node(list);
            self.observe::<REC>(list, n);
            return Truth::Unknown;
        };
        let Some(filter) = filter else {
            self.list_evidence::<REC>(list, items.len() as f64);
            return quantify_unfiltered(q, items.len());
        };
        let stop = Some(quantifier_stop(q));
        let (trues, unknowns, falses, answers) = self.each::<REC>(items, filter, stop);
        let result = quantify(q, (trues, unknowns, falses));
        if REC {
            // Evidence of an `any` is its matching elements; of an `all`,
            // every element (or, when false, the failing ones); of a
            // `none` that holds, the list's length.
            let keep = match (q, result) {
                (Quantifier::Any, Truth::True) | (Quantifier::None, Truth::False) => {
                    Some(Truth::True)
                }
                (Quantifier::All, Truth::True) => Some(Truth::True),
                (Quantifier::All, Truth::False) => Some(Truth::False),
                _ => None,
            };
            self.record(list, items, filter, &answers, keep);
            if keep.is_none() && result != Truth::Unknown {
                self.list_evidence::<REC>(list, items.len() as f64);
            }
        }
        result
    }

    /// An operand's value: literals and plain field look-ups inline (the
    /// commonest operands, and without recording nothing else happens to
    /// them), everything else through [`Env::operand`].
    #[inline(always)]
    fn value<'x, const REC: bool>(&mut self, op: &'x Operand) -> Ov<'x>
    where
        'p: 'x,
    {
        if !REC {
            match op {
                Operand::Lit(l) => return lit_value(l),
                Operand::Access(a) => return node_value(self.node(a), self.nodes),
                _ => {}
            }
        }
        self.operand::<REC>(op)
    }

    fn operand<'x, const REC: bool>(&mut self, op: &'x Operand) -> Ov<'x>
    where
        'p: 'x,
    {
        match op {
            Operand::Lit(l) => lit_value(l),
            Operand::Access(a) => {
                let n = self.node(a);
                self.observe::<REC>(a, n);
                node_value(n, self.nodes)
            }
            Operand::Age(a) => {
                let n = self.node(a);
                match n {
                    // A birth date after the evaluation date gives no age:
                    // `age of` is unknown (the report warns about the date).
                    Node::Date(d) if *d > self.as_of => {
                        if REC {
                            let path = self.path(a);
                            self.items.push(Item::Missing(path));
                        }
                        Ov::Missing
                    }
                    Node::Date(d) => {
                        self.observe::<REC>(a, n);
                        let years = d.whole_years_until(self.as_of) as f64;
                        Ov::Num(years, years)
                    }
                    _ => {
                        self.observe::<REC>(a, n);
                        Ov::Missing
                    }
                }
            }
            Operand::Count { list, filter } => {
                let Some(items) = self.list(list) else {
                    let n = self.node(list);
                    self.observe::<REC>(list, n);
                    return Ov::Missing;
                };
                let Some(filter) = filter else {
                    self.list_evidence::<REC>(list, items.len() as f64);
                    let n = items.len() as f64;
                    return Ov::Num(n, n);
                };
                let (trues, unknowns, _, answers) = self.each::<REC>(items, filter, None);
                if REC {
                    self.record(list, items, filter, &answers, Some(Truth::True));
                    self.list_evidence::<REC>(list, trues as f64);
                }
                Ov::Num(trues as f64, (trues + unknowns) as f64)
            }
        }
    }
}

#[inline]
pub(crate) fn lit_value(l: &Lit) -> Ov<'_> {
    match l {
        Lit::Text(t) => Ov::Text(t.as_ref()),
        Lit::Num(n) => Ov::Num(*n, *n),
        Lit::Bool(b) => Ov::Bool(*b),
        Lit::Date(d) => Ov::Date(*d),
    }
}

#[inline]
pub(crate) fn node_value<'n>(n: &'n Node<'n>, nodes: &'n [Node<'n>]) -> Ov<'n> {
    match n {
        Node::Absent | Node::Null => Ov::Missing,
        Node::Bool(b) => Ov::Bool(*b),
        Node::Num(x) => Ov::Num(*x, *x),
        Node::Text(t) => Ov::Text(t.as_ref()),
        Node::Date(d) => Ov::Date(*d),
        Node::List(..) => Ov::List(n.children(nodes)),
        Node::Obj(..) => Ov::Missing,
    }
}

/// Whether `op` holds between two values that compare as `o`.
#[inline]
pub(crate) fn holds(op: CmpOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering;
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

/// `op` between two texts: equality by their bytes (the commonest test on
/// text, without ordering them), order as `str` orders them.
#[inline]
pub(crate) fn compare_text(a: &str, op: CmpOp, b: &str) -> Truth {
    Truth::from_bool(match op {
        CmpOp::Eq => same_bytes(a.as_bytes(), b.as_bytes()),
        CmpOp::Ne => !same_bytes(a.as_bytes(), b.as_bytes()),
        _ => holds(op, a.cmp(b)),
    })
}

/// [`compare`] of a plan value with a literal, without building either
/// operand's value: the same answers.
#[inline]
pub(crate) fn compare_node(n: &Node<'_>, op: CmpOp, l: &Lit) -> Truth {
    match (n, l) {
        (Node::Text(a), Lit::Text(b)) => compare_text(a, op, b),
        (Node::Num(a), Lit::Num(b)) => compare_ranges(*a, *a, op, *b, *b),
        (Node::Bool(a), Lit::Bool(b)) => Truth::from_bool(holds(op, a.cmp(b))),
        (Node::Date(a), Lit::Date(b)) => Truth::from_bool(holds(op, a.cmp(b))),
        _ => Truth::Unknown,
    }
}

#[inline]
pub(crate) fn compare(l: &Ov<'_>, op: CmpOp, r: &Ov<'_>) -> Truth {
    match (l, r) {
        (Ov::Missing, _) | (_, Ov::Missing) => Truth::Unknown,
        (Ov::Text(a), Ov::Text(b)) => compare_text(a, op, b),
        (Ov::Bool(a), Ov::Bool(b)) => Truth::from_bool(holds(op, a.cmp(b))),
        (Ov::Date(a), Ov::Date(b)) => Truth::from_bool(holds(op, a.cmp(b))),
        (Ov::Num(alo, ahi), Ov::Num(blo, bhi)) => compare_ranges(*alo, *ahi, op, *blo, *bhi),
        _ => Truth::Unknown,
    }
}

/// Compares two number ranges: true if the comparison holds for every pair
/// of values in them, false if for none, unknown otherwise.
#[inline]
pub(crate) fn compare_ranges(alo: f64, ahi: f64, op: CmpOp, blo: f64, bhi: f64) -> Truth {
    let (always, never) = match op {
        CmpOp::Lt => (ahi < blo, alo >= bhi),
        CmpOp::Le => (ahi <= blo, alo > bhi),
        CmpOp::Gt => (alo > bhi, ahi <= blo),
        CmpOp::Ge => (alo >= bhi, ahi < blo),
        CmpOp::Eq => (
            alo == ahi && blo == bhi && alo == blo,
            ahi < blo || alo > bhi,
        ),
        CmpOp::Ne => (
            ahi < blo || alo > bhi,
            alo == ahi && blo == bhi && alo == blo,
        ),
    };
    if always {
        Truth::True
    } else if never {
        Truth::False
    } else {
        Truth::Unknown
    }
}

pub(crate) fn contains_ci(hay: &str, needle_lower: &str) -> bool {
    if hay.is_ascii() && needle_lower.is_ascii() {
        let h = hay.as_bytes();
        let n = needle_lower.as_bytes();
        if n.is_empty() {
            return true;
        }
        h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle_lower)
    }
}

pub(crate) fn starts_with_ci(hay: &str, needle_lower: &str) -> bool {
    if hay.is_ascii() && needle_lower.is_ascii() {
        hay.as_bytes()
            .get(..needle_lower.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(needle_lower.as_bytes()))
    } else {
        hay.to_lowercase().starts_with(needle_lower)
    }
}

/// The list elements one rule may visit on a plan of `size` values: a
/// multiple of it, so that checking is bounded by rules times plan size.
pub(crate) fn eval_budget(size: usize) -> u64 {
    EVAL_STEPS_PER_PLAN_NODE.saturating_mul(size as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Unit;
    use Truth::*;

    #[test]
    fn cutoffs_from_the_thread_cache_are_the_calendars() {
        let units = [Unit::Day, Unit::Week, Unit::Month, Unit::Term, Unit::Year];
        // More durations than the cache holds, on dates that change back
        // and forth (the cache must follow the evaluation date).
        for round in 0..3 {
            for as_of in ["2026-11-26", "2024-02-29", "2026-11-26", "0001-03-01"] {
                let as_of = Date::parse(as_of).unwrap();
                for (i, unit) in units.iter().enumerate() {
                    for amount in [0, 1, 3, 12 + round] {
                        let duration = Duration {
                            amount: amount + i as u32,
                            unit: *unit,
                        };
                        assert_eq!(
                            thread_cutoff(as_of, duration),
                            duration.before(as_of),
                            "{duration} before {as_of}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn kleene_truth_tables() {
        let all = [False, True, Unknown];
        let and = [
            [False, False, False],
            [False, True, Unknown],
            [False, Unknown, Unknown],
        ];
        let or = [
            [False, True, Unknown],
            [True, True, True],
            [Unknown, True, Unknown],
        ];
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(a.and(*b), and[i][j], "{a:?} and {b:?}");
                assert_eq!(a.or(*b), or[i][j], "{a:?} or {b:?}");
            }
        }
        assert_eq!(True.not(), False);
        assert_eq!(False.not(), True);
        assert_eq!(Unknown.not(), Unknown);
    }

    #[test]
    fn ranges_compare_soundly() {
        // A count known to lie in 2..=4.
        assert_eq!(compare_ranges(2.0, 4.0, CmpOp::Ge, 3.0, 3.0), Unknown);
        assert_eq!(compare_ranges(2.0, 4.0, CmpOp::Ge, 2.0, 2.0), True);
        assert_eq!(compare_ranges(2.0, 4.0, CmpOp::Ge, 5.0, 5.0), False);
        assert_eq!(compare_ranges(2.0, 4.0, CmpOp::Eq, 5.0, 5.0), False);
        assert_eq!(compare_ranges(3.0, 3.0, CmpOp::Eq, 3.0, 3.0), True);
        assert_eq!(compare_ranges(2.0, 4.0, CmpOp::Lt, 5.0, 5.0), True);
        assert_eq!(compare_ranges(2.0, 4.0, CmpOp::Ne, 5.0, 5.0), True);
    }

    #[test]
    fn text_tests_ignore_case() {
        assert!(contains_ci(
            "Child and Adolescent Mental Health",
            "mental health"
        ));
        assert!(!contains_ci("CAMHS", "adhd"));
        assert!(starts_with_ci("Émilie", "émi"));
        assert!(starts_with_ci("CREQB", "creq"));
    }
}
