//! A compiled condition lowered to its flat form ([`Flat`]): one array of
//! instructions, the children of an `and` or `or` side by side,
//! definitions expanded away, paths inline, the commonest leaves
//! specialised. What deciding a rule runs; the tree stays for evidence,
//! explanations and coverage.

use crate::ast::{CmpOp, DateOp};
use crate::program::{
    Access, Cond, CondKind, Each, Flat, FlatOperand, Lit, Op, Operand, OtherOp, Path,
    FLAT_PATH_LEN, FLAT_SCOPES, NO_FILTER,
};

/// The flat form of `cond`, or `None` when it nests list scopes or paths
/// deeper than the flat form holds ([`FLAT_SCOPES`], [`FLAT_PATH_LEN`]):
/// such a rule is decided on the tree.
pub(crate) fn flatten(cond: &Cond) -> Option<Flat> {
    let mut b = Builder { ops: Vec::new() };
    b.ops.push(Op::Const(false));
    b.fill(0, cond, 0)?;
    Some(Flat {
        ops: b.ops.into_boxed_slice(),
    })
}

struct Builder {
    ops: Vec<Op>,
}

/// A path of the flat form for `a`, read where `level` list scopes are open.
fn path(a: &Access, level: usize) -> Option<Path> {
    if a.scope > level || a.slots.len() > FLAT_PATH_LEN {
        return None;
    }
    let mut slots = [0u16; FLAT_PATH_LEN];
    for (to, from) in slots.iter_mut().zip(a.slots.iter()) {
        *to = *from;
    }
    Some(Path {
        scope: u8::try_from(a.scope).ok()?,
        len: u8::try_from(a.slots.len()).ok()?,
        slots,
    })
}

impl Builder {
    /// Places `n` instructions side by side (filled in afterwards) and
    /// gives the index of the first.
    fn reserve(&mut self, n: usize) -> Option<u32> {
        let first = u32::try_from(self.ops.len()).ok()?;
        self.ops
            .extend(std::iter::repeat_with(|| Op::Const(false)).take(n));
        Some(first)
    }

    /// A list looked through at `level`, its filter placed after it.
    fn each(&mut self, list: &Access, filter: Option<&Cond>, level: usize) -> Option<Each> {
        let inner = level + 1;
        if inner >= FLAT_SCOPES {
            return None;
        }
        let list = path(list, level)?;
        let (filter, cost) = match filter {
            Some(f) => {
                let at = self.reserve(1)?;
                self.fill(at as usize, f, inner)?;
                (at, f.cost)
            }
            None => (NO_FILTER, 0),
        };
        Some(Each {
            list,
            filter,
            cost,
            level: u8::try_from(inner).ok()?,
        })
    }

    fn operand(&mut self, o: &Operand, level: usize) -> Option<FlatOperand> {
        Some(match o {
            Operand::Lit(l) => FlatOperand::Lit(l.clone()),
            Operand::Access(a) => FlatOperand::Path(path(a, level)?),
            Operand::Age(a) => FlatOperand::Age(path(a, level)?),
            Operand::Count { list, filter } => {
                FlatOperand::Count(self.each(list, filter.as_deref(), level)?)
            }
        })
    }

    /// Lowers `c` (read where `level` list scopes are open) into `ops[at]`.
    fn fill(&mut self, at: usize, c: &Cond, level: usize) -> Option<()> {
        let op = match &c.kind {
            CondKind::Def { body, .. } => return self.fill(at, body, level),
            CondKind::And(parts) | CondKind::Or(parts) => {
                let first = self.reserve(parts.len())?;
                for (i, part) in parts.iter().enumerate() {
                    self.fill(first as usize + i, part, level)?;
                }
                let len = u32::try_from(parts.len()).ok()?;
                if matches!(c.kind, CondKind::And(_)) {
                    Op::And { first, len }
                } else {
                    Op::Or { first, len }
                }
            }
            CondKind::Not(inner) => {
                let i = self.reserve(1)?;
                self.fill(i as usize, inner, level)?;
                Op::Not(i)
            }
            CondKind::Const(b) => Op::Const(*b),
            CondKind::Quant { q, list, filter } => Op::Quant {
                q: *q,
                each: self.each(list, filter.as_deref(), level)?,
            },
            CondKind::Present { access, missing } => Op::Present {
                path: path(access, level)?,
                missing: *missing,
            },
            CondKind::Truthy(Operand::Access(a)) => Op::Truthy(path(a, level)?),
            CondKind::Truthy(o) => Op::Other(Box::new(OtherOp::Truthy(self.operand(o, level)?))),
            CondKind::Cmp {
                left: Operand::Access(a),
                op,
                right: Operand::Lit(l),
            } => {
                let path = path(a, level)?;
                match (op, l) {
                    (CmpOp::Eq | CmpOp::Ne, Lit::Text(t)) => Op::TextEq {
                        path,
                        eq: *op == CmpOp::Eq,
                        text: t.clone(),
                    },
                    (_, Lit::Bool(b)) => Op::BoolCmp {
                        path,
                        op: *op,
                        b: *b,
                    },
                    (_, Lit::Date(date)) => Op::DateCmp {
                        path,
                        op: *op,
                        date: *date,
                    },
                    (_, Lit::Num(n)) => Op::NumCmp {
                        path,
                        op: *op,
                        n: *n,
                    },
                    _ => Op::FieldCmp {
                        path,
                        op: *op,
                        lit: l.clone(),
                    },
                }
            }
            CondKind::Cmp {
                left: Operand::Count { list, filter },
                op,
                right: Operand::Lit(Lit::Num(n)),
            } => Op::CountCmp {
                each: self.each(list, filter.as_deref(), level)?,
                op: *op,
                n: *n,
            },
            CondKind::Cmp { left, op, right } => Op::Other(Box::new(OtherOp::Cmp {
                left: self.operand(left, level)?,
                op: *op,
                right: self.operand(right, level)?,
            })),
            CondKind::DateRel {
                value: Operand::Access(a),
                op,
                duration,
            } => {
                let path = path(a, level)?;
                match op {
                    DateOp::Within => Op::Within {
                        path,
                        duration: *duration,
                    },
                    DateOp::MoreThanAgo => Op::MoreThanAgo {
                        path,
                        duration: *duration,
                    },
                }
            }
            CondKind::DateRel {
                value,
                op,
                duration,
            } => Op::Other(Box::new(OtherOp::DateRel {
                value: self.operand(value, level)?,
                op: *op,
                duration: *duration,
            })),
            CondKind::In {
                value,
                set,
                negated,
            } => Op::Other(Box::new(OtherOp::In {
                value: self.operand(value, level)?,
                set: set.clone(),
                negated: *negated,
            })),
            CondKind::Text { value, op, needle } => {
                let needle_lower = match needle {
                    Operand::Lit(Lit::Text(t)) => Some(t.to_lowercase()),
                    _ => None,
                };
                Op::Other(Box::new(OtherOp::Text {
                    value: self.operand(value, level)?,
                    op: *op,
                    needle: self.operand(needle, level)?,
                    needle_lower,
                }))
            }
        };
        *self.ops.get_mut(at)? = op;
        Some(())
    }
}
