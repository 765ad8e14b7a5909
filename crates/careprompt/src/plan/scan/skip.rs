//! Skipping the values no rule reads: checked to be JSON, and of the
//! schema's type where the schema knows the field, without building them.

use crate::plan::tree::{wrong_type, PathCtx, Ty, MAX_LIST_LEN};
use crate::program::{ShapeObj, ShapeTy};

use super::{FailKind, Res, Scanner};

impl Scanner<'_, '_> {
    /// Skips a value no rule reads without building it, checking that it
    /// is well-formed JSON of the schema's type `ty` (and, in an object or
    /// list, every known field and element likewise, to any depth): a value
    /// of the wrong JSON type is refused exactly as in a field the rules
    /// read, naming the field, never the value. Allowed values and date
    /// layouts are checked where the rules read the field.
    pub(super) fn skip_typed(&mut self, ty: &ShapeTy, ctx: &PathCtx<'_, '_>) -> Res<()> {
        let start = self.pos;
        let wrong = |s: &Self, found: &str| {
            s.fail(
                start,
                FailKind::Schema,
                wrong_type(Ty::Other(ty), ctx, found),
            )
        };
        match (self.peek(), ty) {
            (Some(b'{'), ShapeTy::Object(o)) => self.skip_object(o, ctx),
            (Some(b'{'), _) => Err(wrong(self, "an object")),
            (Some(b'['), ShapeTy::List(elem)) => self.skip_list(elem, ctx),
            (Some(b'['), _) => Err(wrong(self, "a list")),
            (Some(b'"'), _) => {
                self.skip_string()?;
                match ty {
                    ShapeTy::Text(_) | ShapeTy::Date => Ok(()),
                    _ => Err(wrong(self, "text")),
                }
            }
            (Some(b't' | b'f'), _) => {
                self.literal(if self.peek() == Some(b't') {
                    "true"
                } else {
                    "false"
                })?;
                match ty {
                    ShapeTy::Bool => Ok(()),
                    _ => Err(wrong(self, "true or false")),
                }
            }
            (Some(b'-' | b'0'..=b'9'), _) => {
                self.number_end()?;
                match ty {
                    ShapeTy::Number { .. } => Ok(()),
                    _ => Err(wrong(self, "a number")),
                }
            }
            _ => self.skip(),
        }
    }

    /// Skips an object no rule reads, checking it as [`Scanner::object`]
    /// does (its known fields' types, duplicate keys, unknown fields warned)
    /// without building it.
    fn skip_object(&mut self, obj: &ShapeObj, ctx: &PathCtx<'_, '_>) -> Res<()> {
        self.enter()?;
        self.pos += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            let mut seen: u64 = 0;
            let mut next_guess = 0usize;
            loop {
                let key_at = self.pos;
                // As in `object`: the field after the last one found is
                // tried first, straight against the input.
                let found = match obj.fields.get(next_guess) {
                    Some(f) if self.at_name(f.name.as_bytes()) => {
                        self.pos += f.name.len() + 2;
                        self.colon()?;
                        Some(next_guess)
                    }
                    _ => {
                        let key = self.key()?;
                        let found = obj.position(&key);
                        if found.is_none() {
                            self.unknown_field(ctx, &key);
                        }
                        found
                    }
                };
                match found.and_then(|i| obj.fields.get(i).map(|f| (i, f))) {
                    Some((i, field)) => {
                        next_guess = i + 1;
                        let fctx = PathCtx {
                            parent: Some(ctx),
                            name: &field.name,
                            list: false,
                        };
                        self.refuse_repeated(&mut seen, i, key_at, &fctx)?;
                        self.skip_typed(&field.ty, &fctx)?;
                    }
                    None => self.skip()?,
                }
                if self.next_entry(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Skips a list no rule reads, checking its elements' types and its length.
    fn skip_list(&mut self, elem: &ShapeTy, ctx: &PathCtx<'_, '_>) -> Res<()> {
        self.enter()?;
        self.pos += 1;
        let lctx = PathCtx {
            parent: Some(ctx),
            name: "",
            list: true,
        };
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            let mut n = 0usize;
            loop {
                if n >= MAX_LIST_LEN {
                    return Err(self.fail(
                        self.pos,
                        FailKind::Length,
                        format!("`{ctx}` has more than {MAX_LIST_LEN} elements"),
                    ));
                }
                n += 1;
                self.skip_typed(elem, &lctx)?;
                if self.next_entry(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Skips one value, checking that it is well-formed JSON.
    pub(super) fn skip(&mut self) -> Res<()> {
        match self.peek() {
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.key()?;
                        self.skip()?;
                        if self.next_entry(b'}')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b'[') => {
                self.enter()?;
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip()?;
                        if self.next_entry(b']')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b'"') => self.skip_string(),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number_end().map(|_| ()),
            Some(_) => Err(self.fail(self.pos, FailKind::Syntax, "expected a JSON value")),
            None => Err(self.eof("the plan ends where a value should be")),
        }
    }
}
