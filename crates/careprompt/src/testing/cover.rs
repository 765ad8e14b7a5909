//! Condition coverage of rule tests: what each condition of the rules gave
//! (true, false, unknown) on the plans of the cases, gathered in one pass
//! per rule and plan.
//!
//! Coverage means what the explanation's trace shows: each condition, each
//! of its parts, and for a `where` filter (of a quantifier or a count) the
//! filter on each element of the list. The walk here gives every condition
//! the value the trace gives it, but decides each node once, children
//! before parents (an `and` is the Kleene `and` of its parts' values, a
//! quantifier is worked out from its filter's value on each element), where
//! the trace evaluated each node again at every level above it.
//!
//! A condition seen both true and false is covered whatever later cases
//! give it, so a part of a rule whose conditions are all covered is only
//! decided (its value is needed by the condition above it), not walked,
//! and a rule whose conditions are all covered is not walked at all: the
//! coverage of a run is the same as if every rule were walked on every
//! case, for less work.

use crate::eval::{Env, Truth};
use crate::program::{Access, Cond, CondKind, Operand};
use crate::ruleset::RuleSet;

/// What the tests saw one condition give.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub(super) struct Seen {
    pub t: bool,
    pub f: bool,
    pub u: bool,
}

impl Seen {
    fn mark(&mut self, result: Truth) {
        match result {
            Truth::True => self.t = true,
            Truth::False => self.f = true,
            Truth::Unknown => self.u = true,
        }
    }

    /// Seen both ways: nothing a later case gives changes its coverage.
    fn settled(self) -> bool {
        self.t && self.f
    }
}

/// What a run's cases have shown of every condition of a rule set.
#[derive(Debug)]
pub(super) struct Tally {
    /// By condition number.
    seen: Vec<Seen>,
    /// Every rule's conditions in the order `collect_conds` lists them
    /// (a condition, then its parts): a condition's own part of the rules
    /// is the run `order[start..end]` that begins with it.
    order: Vec<u32>,
    /// By condition number: the first place in its run not yet known to be
    /// settled (conditions only ever become settled, so a run is looked
    /// through once over a whole test run), and the end of its run.
    runs: Vec<Option<(usize, usize)>>,
    /// Whether parts already covered are skipped (off when two conditions
    /// share a number, so that one's run cannot stand for the other's, and
    /// in the test that checks the walk node by node).
    skip: bool,
}

impl Tally {
    /// An empty tally for the conditions of `rules`.
    pub(super) fn new(rules: &RuleSet) -> Tally {
        let mut order = Vec::new();
        let mut starts = Vec::new();
        for r in rules.compiled_rules() {
            flatten(&r.cond, &mut order, &mut starts);
        }
        let max = order.iter().copied().max().unwrap_or(0) as usize;
        let mut runs = vec![None; max + 1];
        let mut skip = true;
        for (id, start, end) in starts {
            match runs.get_mut(id as usize) {
                // Number 0 is not a condition the tally counts.
                Some(_) if id == 0 => {}
                Some(slot @ None) => *slot = Some((start, end)),
                _ => skip = false,
            }
        }
        Tally {
            seen: vec![Seen::default(); max + 1],
            order,
            runs,
            skip,
        }
    }

    /// Walks nothing already covered when `skip` holds, else every part of
    /// every rule on every case.
    #[cfg(test)]
    pub(super) fn skipping(mut self, skip: bool) -> Tally {
        self.skip = self.skip && skip;
        self
    }

    /// What the tests saw each condition give, by number.
    #[cfg(test)]
    pub(super) fn marks(&self) -> &[Seen] {
        &self.seen
    }

    /// What the tests saw condition `id` give (`None` if never evaluated).
    pub(super) fn seen(&self, id: u32) -> Option<Seen> {
        if id == 0 {
            return None;
        }
        self.seen
            .get(id as usize)
            .copied()
            .filter(|s| s.t || s.f || s.u)
    }

    pub(super) fn mark(&mut self, id: u32, result: Truth) {
        if id == 0 {
            return;
        }
        if let Some(s) = self.seen.get_mut(id as usize) {
            s.mark(result);
        }
    }

    /// Whether every condition in `c`'s part of the rules is covered, so
    /// that walking it again can show nothing new.
    fn settled(&mut self, c: &Cond) -> bool {
        if !self.skip {
            return false;
        }
        let Some(Some((mut at, end))) = self.runs.get(c.id as usize).copied() else {
            return false;
        };
        while at < end {
            let id = self.order.get(at).copied().unwrap_or(0);
            let done = id != 0 && self.seen.get(id as usize).is_some_and(|s| s.settled());
            if !done {
                break;
            }
            at += 1;
        }
        if let Some(Some(run)) = self.runs.get_mut(c.id as usize) {
            run.0 = at;
        }
        at == end
    }

    /// Records what each condition of the rule `c` gives on the plan in
    /// `env`, unless every one of them is covered already.
    pub(super) fn rule(&mut self, env: &mut Env<'_, '_>, c: &Cond) {
        if !self.settled(c) {
            self.walk(env, c);
        }
    }

    /// `c`'s value, each of its conditions' values recorded on the way
    /// (except in parts already covered, which are only decided).
    fn walk(&mut self, env: &mut Env<'_, '_>, c: &Cond) -> Truth {
        if self.settled(c) {
            return env.cond::<false>(c);
        }
        let result = match &c.kind {
            // Every part is walked, also past one that settles the value.
            CondKind::And(ops) => ops
                .iter()
                .fold(Truth::True, |acc, op| acc.and(self.walk(env, op))),
            CondKind::Or(ops) => ops
                .iter()
                .fold(Truth::False, |acc, op| acc.or(self.walk(env, op))),
            CondKind::Not(inner) => self.walk(env, inner).not(),
            CondKind::Def { body, .. } => self.walk(env, body),
            CondKind::Quant {
                q,
                list,
                filter: Some(f),
            } if !self.settled(f) => match self.elements(env, list, f) {
                Some(counts) => crate::eval::quantify(*q, counts),
                None => env.cond::<false>(c),
            },
            CondKind::Cmp { left, right, .. } => {
                let result = env.cond::<false>(c);
                for op in [left, right] {
                    if let Operand::Count {
                        list,
                        filter: Some(f),
                    } = op
                    {
                        if !self.settled(f) {
                            let _ = self.elements(env, list, f);
                        }
                    }
                }
                result
            }
            _ => env.cond::<false>(c),
        };
        self.mark(c.id, result);
        result
    }

    /// Walks `filter` on each element of `list`; the number of elements it
    /// was true, unknown and false on, or `None` when the list is missing or
    /// empty or not every element was looked at (the caller then decides
    /// the condition as a check does).
    fn elements(
        &mut self,
        env: &mut Env<'_, '_>,
        list: &Access,
        filter: &Cond,
    ) -> Option<(usize, usize, usize)> {
        let len = env.list_len(list);
        let (mut trues, mut unknowns, mut falses) = (0, 0, 0);
        for i in 0..len {
            if !env.spend(1) || !env.enter_index_unnamed(list, i) {
                return None;
            }
            match self.walk(env, filter) {
                Truth::True => trues += 1,
                Truth::Unknown => unknowns += 1,
                Truth::False => falses += 1,
            }
            env.leave_scope();
        }
        (len > 0).then_some((trues, unknowns, falses))
    }
}

/// The conditions directly inside `c`: the parts of an `and`, `or` or
/// `not`, a definition's body, the `where` filter of a quantifier or of a
/// count in a comparison.
pub(super) fn parts(c: &Cond) -> impl Iterator<Item = &Cond> {
    let (list, one, counts): (&[Cond], Option<&Cond>, [Option<&Cond>; 2]) = match &c.kind {
        CondKind::And(ops) | CondKind::Or(ops) => (ops, None, [None, None]),
        CondKind::Not(inner) | CondKind::Def { body: inner, .. } => {
            (&[], Some(inner), [None, None])
        }
        CondKind::Quant {
            filter: Some(f), ..
        } => (&[], Some(f), [None, None]),
        CondKind::Cmp { left, right, .. } => (&[], None, [count_filter(left), count_filter(right)]),
        _ => (&[], None, [None, None]),
    };
    list.iter().chain(one).chain(counts.into_iter().flatten())
}

fn count_filter(op: &Operand) -> Option<&Cond> {
    match op {
        Operand::Count {
            filter: Some(f), ..
        } => Some(f),
        _ => None,
    }
}

/// Lists `c` and its conditions, each before its parts, into `order`, and
/// for each its number and the run of `order` it begins.
fn flatten(c: &Cond, order: &mut Vec<u32>, runs: &mut Vec<(u32, usize, usize)>) {
    let start = order.len();
    order.push(c.id);
    let at = runs.len();
    runs.push((c.id, start, start));
    for p in parts(c) {
        flatten(p, order, runs);
    }
    let end = order.len();
    if let Some(run) = runs.get_mut(at) {
        run.2 = end;
    }
}
