//! Deciding rules on the flat form of their conditions ([`Flat`], made by
//! `compile/flatten.rs`): the hot path of every check, which only decides
//! (fires, clear or unknown) and records nothing.
//!
//! It gives exactly the truth and the budget of `eval.rs`'s tree walk when
//! that only decides (`Env::cond::<false>`): the same Kleene logic, the
//! same short cuts (an `and` stops at its first false part, an `any` at its
//! first matching element), the same steps spent in the same order, so a
//! rule runs out of budget on one exactly when it does on the other. What
//! differs is the layout: instructions in one array instead of boxes, paths
//! inline, leaves specialised when the rules are compiled, list scopes in a
//! fixed array written in place (no stack to grow or pop), cutoff dates
//! kept for the whole plan. Evidence, explanations and rule-test coverage
//! still walk the tree. `check::tests::the_flat_form_decides_what_the_tree_decides`
//! compares the two on every example, fixture and rule-test plan.

use crate::ast::{CmpOp, DateOp, Quantifier};
use crate::date::{within_from, Date, Duration};
use crate::eval::{self, Ov, Truth, ABSENT, CUTOFFS, EVAL_STEPS_PER_PLAN_NODE};
use crate::plan::Node;
use crate::program::{same_bytes, Each, Flat, FlatOperand, Lit, Op, OtherOp, Path, FLAT_SCOPES};

/// One plan being decided: its nodes, the scopes of the lists being looked
/// through, the budget of the rule being decided, cutoff dates.
pub(crate) struct Run<'p, 'a> {
    nodes: &'p [Node<'a>],
    /// `scopes[0]` is the plan; `scopes[i]` the element of the list looked
    /// through at nesting `i` (paths never read a scope deeper than the
    /// one they are in: `flatten` checks it).
    scopes: [&'p Node<'a>; FLAT_SCOPES],
    as_of: Date,
    /// Steps the rule being decided has spent.
    spent: u64,
    /// What it may spend: [`EVAL_STEPS_PER_PLAN_NODE`] until more is
    /// spent, then the plan's budget, worked out once (every plan allows
    /// at least that many, so most plans are never measured).
    limit: u64,
    measured: bool,
    cutoffs: [(Duration, Date); CUTOFFS],
    known_cutoffs: usize,
}

impl<'p, 'a> Run<'p, 'a> {
    /// A run over the plan `root` (its values in `nodes`) on `as_of`.
    pub(crate) fn new(root: &'p Node<'a>, nodes: &'p [Node<'a>], as_of: Date) -> Run<'p, 'a> {
        Run {
            nodes,
            scopes: [root; FLAT_SCOPES],
            as_of,
            spent: 0,
            limit: EVAL_STEPS_PER_PLAN_NODE,
            measured: false,
            cutoffs: [(
                Duration {
                    amount: 0,
                    unit: crate::date::Unit::Day,
                },
                as_of,
            ); CUTOFFS],
            known_cutoffs: 0,
        }
    }

    /// Decides a rule's condition within the plan's budget: its truth, and
    /// whether the budget ran out (the rule is then unknown whatever the
    /// truth, as on the tree).
    pub(crate) fn decide(&mut self, flat: &Flat) -> (Truth, bool) {
        self.spent = 0;
        let truth = match flat.ops.first() {
            Some(op) => self.decide_parts(&flat.ops, op),
            None => Truth::Unknown,
        };
        (truth, self.spent > self.limit)
    }

    /// Spends `n` steps; false when the rule has spent more than it may.
    #[inline(always)]
    fn spend(&mut self, n: u64) -> bool {
        self.spent = self.spent.saturating_add(n);
        self.spent <= self.limit || self.measure()
    }

    /// The plan's budget, the first time a rule spends more than every
    /// plan allows.
    #[cold]
    fn measure(&mut self) -> bool {
        if !self.measured {
            self.measured = true;
            self.limit = eval::eval_budget(crate::plan::plan_size(self.nodes));
        }
        self.spent <= self.limit
    }

    /// `duration` before the evaluation date.
    #[inline]
    fn cutoff(&mut self, duration: Duration) -> Date {
        for (k, d) in self.cutoffs.iter().take(self.known_cutoffs) {
            if *k == duration {
                return *d;
            }
        }
        let d = eval::thread_cutoff(self.as_of, duration);
        if let Some(slot) = self.cutoffs.get_mut(self.known_cutoffs) {
            *slot = (duration, d);
            self.known_cutoffs += 1;
        }
        d
    }

    #[inline(always)]
    fn node(&self, p: &Path) -> &'p Node<'a> {
        let Some(n) = self
            .scopes
            .get(usize::from(p.scope) & (FLAT_SCOPES - 1))
            .copied()
        else {
            return &ABSENT;
        };
        n.walk(
            self.nodes,
            p.slots.get(..usize::from(p.len)).unwrap_or_default(),
        )
    }

    #[inline]
    fn list(&self, p: &Path) -> Option<&'p [Node<'a>]> {
        match self.node(p) {
            n @ Node::List(..) => Some(n.children(self.nodes)),
            _ => None,
        }
    }

    #[inline(always)]
    fn date_window(&mut self, p: &Path, duration: Duration, within: bool) -> Truth {
        let Node::Date(d) = *self.node(p) else {
            return Truth::Unknown;
        };
        let cutoff = self.cutoff(duration);
        Truth::from_bool(if within {
            within_from(cutoff, d, self.as_of)
        } else {
            d < cutoff
        })
    }

    /// Decides one instruction: leaves in place (this is inlined into the
    /// loops over parts and elements, so a leaf costs no call), everything
    /// else through a function of its own.
    #[inline(always)]
    fn decide_op(&mut self, ops: &[Op], op: &Op) -> Truth {
        match op {
            Op::TextEq { path, eq, text } => match self.node(path) {
                Node::Text(t) => Truth::from_bool(same_bytes(t.as_bytes(), text.as_bytes()) == *eq),
                _ => Truth::Unknown,
            },
            Op::NumCmp { path, op, n } => match self.node(path) {
                Node::Num(x) => eval::compare_ranges(*x, *x, *op, *n, *n),
                _ => Truth::Unknown,
            },
            Op::BoolCmp { path, op, b } => match self.node(path) {
                Node::Bool(a) => Truth::from_bool(eval::holds(*op, a.cmp(b))),
                _ => Truth::Unknown,
            },
            Op::DateCmp { path, op, date } => match self.node(path) {
                Node::Date(d) => Truth::from_bool(eval::holds(*op, d.cmp(date))),
                _ => Truth::Unknown,
            },
            Op::Truthy(path) => match self.node(path) {
                Node::Bool(b) => Truth::from_bool(*b),
                _ => Truth::Unknown,
            },
            Op::Present { path, missing } => eval::presence(self.node(path), *missing),
            Op::Within { path, duration } => self.date_window(path, *duration, true),
            Op::MoreThanAgo { path, duration } => self.date_window(path, *duration, false),
            Op::Const(b) => Truth::from_bool(*b),
            Op::And { first, len } => self.all_of(ops, *first, *len),
            Op::Or { first, len } => self.any_of(ops, *first, *len),
            Op::Quant { q, each } => self.quantifier(ops, *q, each),
            Op::CountCmp { each, op, n } => self.count_cmp(ops, each, *op, *n),
            Op::Not(i) => self.not(ops, *i),
            Op::FieldCmp { path, op, lit } => self.field_cmp(path, *op, lit),
            Op::Other(other) => self.other(ops, other),
        }
    }

    /// [`Run::decide_op`] with the loop of an `and` or `or` in place too:
    /// for what is decided many times, a rule's condition and a list's
    /// filter, which are most often an `and` or an `or` of leaves.
    #[inline(always)]
    fn decide_parts(&mut self, ops: &[Op], op: &Op) -> Truth {
        match op {
            Op::And { first, len } => self.junction_here(ops, *first, *len, Truth::False),
            Op::Or { first, len } => self.junction_here(ops, *first, *len, Truth::True),
            _ => self.decide_op(ops, op),
        }
    }

    #[inline(never)]
    fn all_of(&mut self, ops: &[Op], first: u32, len: u32) -> Truth {
        self.junction_here(ops, first, len, Truth::False)
    }

    #[inline(never)]
    fn any_of(&mut self, ops: &[Op], first: u32, len: u32) -> Truth {
        self.junction_here(ops, first, len, Truth::True)
    }

    /// `and` (`stop` false) or `or` (`stop` true) of the parts at
    /// `first..first + len`: `stop` as soon as a part is `stop`; otherwise
    /// unknown if any part is, else the other value.
    #[inline(always)]
    fn junction_here(&mut self, ops: &[Op], first: u32, len: u32, stop: Truth) -> Truth {
        let Some(parts) = parts(ops, first, len) else {
            return Truth::Unknown;
        };
        let mut result = stop.not();
        for part in parts {
            let t = self.decide_op(ops, part);
            if t == stop {
                return stop;
            }
            if t == Truth::Unknown {
                result = Truth::Unknown;
            }
        }
        result
    }

    #[inline(never)]
    fn not(&mut self, ops: &[Op], i: u32) -> Truth {
        match ops.get(i as usize) {
            Some(inner) => self.decide_op(ops, inner).not(),
            None => Truth::Unknown,
        }
    }

    #[inline(never)]
    fn field_cmp(&self, path: &Path, op: CmpOp, lit: &Lit) -> Truth {
        eval::compare_node(self.node(path), op, lit)
    }

    #[inline(never)]
    fn count_cmp(&mut self, ops: &[Op], each: &Each, op: CmpOp, n: f64) -> Truth {
        match self.count(ops, each) {
            Some((lo, hi)) => eval::compare_ranges(lo, hi, op, n, n),
            None => Truth::Unknown,
        }
    }

    /// Decides `filter` on each element in turn, in the scope of `each`;
    /// the counts of true, unknown and false elements. Stops at the first
    /// element whose answer is `stop_on`, or when the budget runs out.
    ///
    /// With `SPEND` false the caller has spent the steps of every element
    /// already (a count, which always looks at them all).
    #[inline(always)]
    fn each<const SPEND: bool>(
        &mut self,
        ops: &[Op],
        items: &'p [Node<'a>],
        filter: &Op,
        each: &Each,
        stop_on: Option<Truth>,
    ) -> (usize, usize, usize) {
        let (mut trues, mut unknowns, mut falses) = (0, 0, 0);
        let cost = u64::from(each.cost);
        let level = usize::from(each.level);
        for item in items {
            if SPEND && !self.spend(cost) {
                break;
            }
            if let Some(scope) = self.scopes.get_mut(level & (FLAT_SCOPES - 1)) {
                *scope = item;
            }
            let t = self.decide_parts(ops, filter);
            match t {
                Truth::True => trues += 1,
                Truth::Unknown => unknowns += 1,
                Truth::False => falses += 1,
            }
            if stop_on == Some(t) {
                break;
            }
        }
        (trues, unknowns, falses)
    }

    #[inline(never)]
    fn quantifier(&mut self, ops: &[Op], q: Quantifier, each: &Each) -> Truth {
        let Some(items) = self.list(&each.list) else {
            return Truth::Unknown;
        };
        let Some(filter) = ops.get(each.filter as usize) else {
            return eval::quantify_unfiltered(q, items.len());
        };
        let stop = eval::quantifier_stop(q);
        let counts = self.each::<true>(ops, items, filter, each, Some(stop));
        eval::quantify(q, counts)
    }

    /// A count as the range it lies in (unknown elements may or may not
    /// count); `None` when the list is not known.
    fn count(&mut self, ops: &[Op], each: &Each) -> Option<(f64, f64)> {
        let items = self.list(&each.list)?;
        let Some(filter) = ops.get(each.filter as usize) else {
            let n = items.len() as f64;
            return Some((n, n));
        };
        // A count looks at every element, so their steps are spent at once:
        // the same total as one element at a time, so the budget runs out
        // exactly when it does on the tree (where it runs out part way, the
        // rule is unknown either way).
        if !self.spend(u64::from(each.cost).saturating_mul(items.len() as u64)) {
            return None;
        }
        let (trues, unknowns, _) = self.each::<false>(ops, items, filter, each, None);
        Some((trues as f64, (trues + unknowns) as f64))
    }

    fn value<'x>(&mut self, ops: &'x [Op], operand: &'x FlatOperand) -> Ov<'x>
    where
        'p: 'x,
    {
        match operand {
            FlatOperand::Lit(l) => eval::lit_value(l),
            FlatOperand::Path(p) => eval::node_value(self.node(p), self.nodes),
            FlatOperand::Age(p) => match self.node(p) {
                // A birth date after the evaluation date gives no age.
                Node::Date(d) if *d > self.as_of => Ov::Missing,
                Node::Date(d) => {
                    let years = d.whole_years_until(self.as_of) as f64;
                    Ov::Num(years, years)
                }
                _ => Ov::Missing,
            },
            FlatOperand::Count(each) => match self.count(ops, each) {
                Some((lo, hi)) => Ov::Num(lo, hi),
                None => Ov::Missing,
            },
        }
    }

    #[inline(never)]
    fn other(&mut self, ops: &[Op], other: &OtherOp) -> Truth {
        match other {
            OtherOp::Truthy(v) => match self.value(ops, v) {
                Ov::Bool(b) => Truth::from_bool(b),
                _ => Truth::Unknown,
            },
            OtherOp::Cmp { left, op, right } => {
                let l = self.value(ops, left);
                let r = self.value(ops, right);
                eval::compare(&l, *op, &r)
            }
            OtherOp::In {
                value,
                set,
                negated,
            } => {
                let v = self.value(ops, value);
                eval::in_set(v, set, *negated)
            }
            OtherOp::Text {
                value,
                op,
                needle,
                needle_lower,
            } => {
                let v = self.value(ops, value);
                let worked_out;
                let needle: &str = match needle_lower {
                    Some(n) => n,
                    None => match self.value(ops, needle) {
                        Ov::Text(t) => {
                            worked_out = t.to_lowercase();
                            &worked_out
                        }
                        _ => return Truth::Unknown,
                    },
                };
                eval::text_test(v, *op, needle, |n| self.spend(n as u64))
            }
            OtherOp::DateRel {
                value,
                op,
                duration,
            } => {
                let Ov::Date(d) = self.value(ops, value) else {
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
}

/// The parts of an `and` or `or`: `ops[first..first + len]`.
#[inline(always)]
fn parts(ops: &[Op], first: u32, len: u32) -> Option<&[Op]> {
    let first = first as usize;
    ops.get(first..first.checked_add(len as usize)?)
}
