//! The plan reader: a JSON scanner made for one job.
//!
//! It walks the plan text once. Fields some rule reads are built into the
//! evaluator's [`Node`] tree (typed and checked against the schema, text
//! borrowed from the input unless it holds escapes); everything else is
//! skipped, but still checked to be well-formed JSON, at the speed of a
//! byte scan: text is searched eight bytes at a time for the only bytes
//! that end or interrupt it (`"`, `\` and control characters).
//!
//! Errors carry the byte offset where the problem starts; [`scan`] turns it
//! into a line and a column. No message echoes a value from the plan.

use std::borrow::Cow;

use crate::diagnostic::line_column;
use crate::plan::tree::{
    number_node, text_node, wrong_type, Node, PathCtx, PlanError, PlanErrorKind, Sink, Ty,
    MAX_LIST_LEN,
};
use crate::program::{ShapeObj, ShapeTy};

mod skip;

/// How deeply objects and lists may nest in a plan.
pub(crate) const MAX_DEPTH: usize = 128;

/// A problem found while scanning, at a byte offset. Boxed, so that the
/// scanner's results stay as small as the values they carry.
struct Fail(Box<FailAt>);

struct FailAt {
    at: usize,
    what: FailKind,
    message: String,
}

#[derive(Clone, Copy, PartialEq)]
enum FailKind {
    /// Not JSON.
    Syntax,
    /// JSON that ends too early.
    Eof,
    /// JSON that does not fit the schema.
    Schema,
    /// Nested too deeply.
    Depth,
    /// A list too long.
    Length,
    /// A number too large for a 64-bit float.
    Range,
}

type Res<T> = Result<T, Fail>;

/// Reads `text` (one JSON object) against `shape` into `sink`, adding
/// warnings about fields the schema does not know; returns the root.
pub(crate) fn scan<'a>(
    text: &'a str,
    shape: &ShapeObj,
    sink: &mut Sink<'a>,
) -> Result<Node<'a>, PlanError> {
    let mut s = Scanner {
        src: text,
        b: text.as_bytes(),
        pos: 0,
        depth: 0,
        sink,
    };
    s.root(shape).map_err(|f| to_plan_error(f, text.as_bytes()))
}

fn to_plan_error(f: Fail, bytes: &[u8]) -> PlanError {
    let f = *f.0;
    let (line, column) = line_column(bytes, f.at);
    let (kind, help) = match f.what {
        FailKind::Syntax => (
            PlanErrorKind::Syntax,
            "a plan is one JSON object; check the JSON near this position",
        ),
        FailKind::Eof => (
            PlanErrorKind::Syntax,
            "the plan ends early: check for a missing `}`, `]` or `\"`",
        ),
        FailKind::Schema => (
            PlanErrorKind::Schema,
            "see the case-plan schema (`careprompt schema`) for each field's type",
        ),
        FailKind::Depth => (
            PlanErrorKind::Limit,
            "the plan nests deeper than 128 levels; flatten it",
        ),
        FailKind::Length => (
            PlanErrorKind::Schema,
            "split the list, or keep only the records the plan needs",
        ),
        FailKind::Range => (
            PlanErrorKind::Limit,
            "numbers in a plan must fit a 64-bit float (up to about 1.8e308)",
        ),
    };
    PlanError {
        kind,
        message: f.message,
        help: Some(help.to_string()),
        line,
        column,
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` (little-endian) that is `"`, `\` or a
/// control character. Bytes above the lowest flagged one may be flagged
/// wrongly (a borrow carries upwards); the lowest flagged byte never is.
#[inline]
fn specials(x: u64) -> u64 {
    let quote = x ^ (ONES * u64::from(b'"'));
    let slash = x ^ (ONES * u64::from(b'\\'));
    ((quote.wrapping_sub(ONES) & !quote)
        | (slash.wrapping_sub(ONES) & !slash)
        | (x.wrapping_sub(ONES * 0x20) & !x))
        & HIGHS
}

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

struct Scanner<'a, 'w> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
    sink: &'w mut Sink<'a>,
}

impl<'a> Scanner<'a, '_> {
    #[cold]
    #[inline(never)]
    /// Refuses a key the object has already given (field `i`, tracked in
    /// `seen` for the first 64 fields of an object).
    fn refuse_repeated(
        &self,
        seen: &mut u64,
        i: usize,
        key_at: usize,
        field: &PathCtx<'_, '_>,
    ) -> Result<(), Fail> {
        if i < 64 {
            let bit = 1u64 << i;
            if *seen & bit != 0 {
                return Err(self.fail(
                    key_at,
                    FailKind::Schema,
                    format!("`{field}` appears twice"),
                ));
            }
            *seen |= bit;
        }
        Ok(())
    }

    fn fail(&self, at: usize, what: FailKind, message: impl Into<String>) -> Fail {
        Fail(Box::new(FailAt {
            at,
            what,
            message: message.into(),
        }))
    }

    /// The plan ends early: placed just after its last character, not on
    /// the empty line a final line break starts.
    fn eof(&self, message: &str) -> Fail {
        let end = self.b.iter().rposition(|c| !is_ws(*c)).map_or(0, |i| i + 1);
        self.fail(end, FailKind::Eof, message)
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    fn root(&mut self, shape: &ShapeObj) -> Res<Node<'a>> {
        self.ws();
        let ctx = PathCtx {
            parent: None,
            name: "",
            list: false,
        };
        let root = self.value(Ty::Obj(shape), &ctx)?;
        self.ws();
        if self.pos < self.b.len() {
            return Err(self.fail(
                self.pos,
                FailKind::Syntax,
                "unexpected text after the plan's closing `}`",
            ));
        }
        Ok(root)
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail(
                self.pos,
                FailKind::Depth,
                format!("objects and lists nest more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    /// Reads one value of type `ty` at `ctx`. Inlined into the loops over
    /// fields and elements, so that a plain value costs no call; objects and
    /// lists are read by functions of their own.
    #[inline(always)]
    fn value(&mut self, ty: Ty<'_>, ctx: &PathCtx<'_, '_>) -> Res<Node<'a>> {
        match self.peek() {
            Some(b'{') => self.object_value(ty, ctx),
            Some(b'[') => self.list_value(ty, ctx),
            _ => self.scalar(ty, ctx),
        }
    }

    #[inline(never)]
    fn object_value(&mut self, ty: Ty<'_>, ctx: &PathCtx<'_, '_>) -> Res<Node<'a>> {
        match ty {
            Ty::Obj(o) | Ty::Other(ShapeTy::Object(o)) => self.object(o, ctx),
            _ => Err(self.fail(self.pos, FailKind::Schema, wrong_type(ty, ctx, "an object"))),
        }
    }

    #[inline(never)]
    fn list_value(&mut self, ty: Ty<'_>, ctx: &PathCtx<'_, '_>) -> Res<Node<'a>> {
        match ty {
            Ty::Other(ShapeTy::List(elem)) => self.list(elem, ctx),
            _ => Err(self.fail(self.pos, FailKind::Schema, wrong_type(ty, ctx, "a list"))),
        }
    }

    /// Reads a value that is not an object or a list.
    #[inline]
    fn scalar(&mut self, ty: Ty<'_>, ctx: &PathCtx<'_, '_>) -> Res<Node<'a>> {
        let start = self.pos;
        let schema = |s: &Self, m: String| s.fail(start, FailKind::Schema, m);
        match self.peek() {
            Some(b'"') => {
                let s = self.string()?;
                text_node(ty, ctx, s).map_err(|m| schema(self, m))
            }
            Some(b't') => {
                self.literal("true")?;
                match ty {
                    Ty::Other(ShapeTy::Bool) => Ok(Node::Bool(true)),
                    _ => Err(schema(self, wrong_type(ty, ctx, "true or false"))),
                }
            }
            Some(b'f') => {
                self.literal("false")?;
                match ty {
                    Ty::Other(ShapeTy::Bool) => Ok(Node::Bool(false)),
                    _ => Err(schema(self, wrong_type(ty, ctx, "true or false"))),
                }
            }
            Some(b'n') => {
                self.literal("null")?;
                if ctx.parent.is_none() {
                    return Err(schema(self, wrong_type(ty, ctx, "null")));
                }
                Ok(Node::Null)
            }
            Some(b'-' | b'0'..=b'9') => {
                let n = self.number()?;
                number_node(ty, ctx, n).map_err(|m| schema(self, m))
            }
            Some(_) => Err(self.fail(start, FailKind::Syntax, "expected a JSON value")),
            None => Err(self.eof("the plan ends where a value should be")),
        }
    }

    #[inline(never)]
    fn object(&mut self, obj: &ShapeObj, ctx: &PathCtx<'_, '_>) -> Res<Node<'a>> {
        self.enter()?;
        self.pos += 1;
        let start = self.sink.open_object(obj.slots);
        let mut seen: u64 = 0;
        let mut next_guess = 0usize;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Sink::object(start, obj.slots));
        }
        loop {
            let key_at = self.pos;
            // Plans from one system write their fields in one order, most
            // often the schema's (sorted): the field after the last one
            // found is tried first, straight against the input, before a
            // name is scanned and hashed.
            let guess = next_guess;
            let (found, key) = match obj.fields.get(guess) {
                Some(f) if self.at_name(f.name.as_bytes()) => {
                    self.pos += f.name.len() + 2;
                    self.colon()?;
                    (Some(guess), None)
                }
                _ => {
                    let key = self.key()?;
                    (obj.position(&key), Some(key))
                }
            };
            if let Some(i) = found {
                next_guess = i + 1;
            }
            match found {
                Some(i) => {
                    let Some(field) = obj.fields.get(i) else {
                        self.skip()?;
                        continue;
                    };
                    let fctx = PathCtx {
                        parent: Some(ctx),
                        name: &field.name,
                        list: false,
                    };
                    self.refuse_repeated(&mut seen, i, key_at, &fctx)?;
                    match field.slot {
                        Some(slot) => {
                            let v = self.value(Ty::Other(&field.ty), &fctx)?;
                            self.sink.set_field(start, slot, v);
                        }
                        None => self.skip_typed(&field.ty, &fctx)?,
                    }
                }
                None => {
                    self.unknown_field(ctx, &key.unwrap_or_default());
                    self.skip()?;
                }
            }
            if self.next_entry(b'}')? {
                break;
            }
        }
        self.depth -= 1;
        Ok(Sink::object(start, obj.slots))
    }

    /// Warns about a field the schema does not know, by its path.
    #[cold]
    fn unknown_field(&mut self, ctx: &PathCtx<'_, '_>, key: &str) {
        let at = ctx.to_string();
        let name: String = key.chars().take(64).collect();
        self.sink.warnings.push(if at.is_empty() {
            format!("unknown field `{name}` (ignored)")
        } else {
            format!("unknown field `{at}.{name}` (ignored)")
        });
    }

    /// Reads a field name and the `:` after it, leaving the scanner at the value.
    #[inline]
    fn key(&mut self) -> Res<Cow<'a, str>> {
        match self.peek() {
            Some(b'"') => {}
            Some(_) => {
                return Err(self.fail(
                    self.pos,
                    FailKind::Syntax,
                    "expected a field name in double quotes",
                ))
            }
            None => return Err(self.eof("the plan ends inside an object: a `}` is missing")),
        }
        let key = self.string()?;
        self.colon()?;
        Ok(key)
    }

    /// Whether the input at the scanner is `name` in double quotes.
    #[inline]
    fn at_name(&self, name: &[u8]) -> bool {
        let from = self.pos + 1;
        self.b.get(self.pos) == Some(&b'"')
            && self.b.get(from + name.len()) == Some(&b'"')
            && self
                .b
                .get(from..from + name.len())
                .is_some_and(|b| crate::program::same_bytes(b, name))
    }

    /// Reads the `:` after a field name, leaving the scanner at the value.
    #[inline]
    fn colon(&mut self) -> Res<()> {
        self.ws();
        match self.peek() {
            Some(b':') => self.pos += 1,
            Some(_) => {
                return Err(self.fail(
                    self.pos,
                    FailKind::Syntax,
                    "expected `:` after the field name",
                ))
            }
            None => return Err(self.eof("the plan ends inside an object: a `}` is missing")),
        }
        self.ws();
        Ok(())
    }

    /// After a field's value or a list element: `true` at the `close`
    /// (`}` or `]`) that ends the object or list, `false` after a `,`.
    #[inline]
    fn next_entry(&mut self, close: u8) -> Res<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(close) {
                    let c = char::from(close);
                    return Err(self.fail(
                        self.pos,
                        FailKind::Syntax,
                        format!("a `,` before `{c}`: remove the trailing comma"),
                    ));
                }
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => {
                let c = char::from(close);
                Err(self.fail(self.pos, FailKind::Syntax, format!("expected `,` or `{c}`")))
            }
            None => Err(self.eof(if close == b'}' {
                "the plan ends inside an object: a `}` is missing"
            } else {
                "the plan ends inside a list: a `]` is missing"
            })),
        }
    }

    #[inline(never)]
    fn list(&mut self, elem: &ShapeTy, ctx: &PathCtx<'_, '_>) -> Res<Node<'a>> {
        self.enter()?;
        self.pos += 1;
        let lctx = PathCtx {
            parent: Some(ctx),
            name: "",
            list: true,
        };
        let mark = self.sink.open_list();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(self.sink.close_list(mark));
        }
        loop {
            if self.sink.list_len(mark) >= MAX_LIST_LEN {
                return Err(self.fail(
                    self.pos,
                    FailKind::Length,
                    format!("`{ctx}` has more than {MAX_LIST_LEN} elements"),
                ));
            }
            let v = self.value(Ty::Other(elem), &lctx)?;
            self.sink.push_element(v);
            if self.next_entry(b']')? {
                break;
            }
        }
        self.depth -= 1;
        Ok(self.sink.close_list(mark))
    }

    fn literal(&mut self, word: &str) -> Res<()> {
        let end = self.pos + word.len();
        if self.b.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(())
        } else if self.b.len() < end
            && self
                .b
                .get(self.pos..)
                .is_some_and(|r| word.as_bytes().starts_with(r))
        {
            Err(self.eof("the plan ends inside a value"))
        } else {
            Err(self.fail(
                self.pos,
                FailKind::Syntax,
                "expected a JSON value (`true`, `false` and `null` are written in lower case, text in double quotes)",
            ))
        }
    }

    /// The offset of the first byte at or after `from` that ends or
    /// interrupts a text (`"` or `\`); control characters are an error.
    #[inline]
    fn text_run(&self, from: usize) -> Res<usize> {
        let mut i = from;
        while let Some(chunk) = self.b.get(i..i + 8) {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let m = specials(u64::from_le_bytes(word));
            if m != 0 {
                i += (m.trailing_zeros() / 8) as usize;
                return self.text_stop(i);
            }
            i += 8;
        }
        while let Some(&c) = self.b.get(i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                return self.text_stop(i);
            }
            i += 1;
        }
        Err(self.eof("the plan ends inside a text: a closing `\"` is missing"))
    }

    #[inline]
    fn text_stop(&self, i: usize) -> Res<usize> {
        match self.b.get(i) {
            Some(b'"' | b'\\') => Ok(i),
            _ => Err(self.fail(
                i,
                FailKind::Syntax,
                "a control character (such as a line break) inside a text; write it as an escape such as `\\n`",
            )),
        }
    }

    /// Reads a text at `"`, borrowing it from the input when it has no escapes.
    #[inline]
    fn string(&mut self) -> Res<Cow<'a, str>> {
        let start = self.pos + 1;
        let mut i = self.text_run(start)?;
        if self.b.get(i) == Some(&b'"') {
            self.pos = i + 1;
            return Ok(Cow::Borrowed(self.slice(start, i)?));
        }
        let mut out = String::from(self.slice(start, i)?);
        loop {
            match self.b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                _ => i = self.escape(i, Some(&mut out))?,
            }
            let end = self.text_run(i)?;
            out.push_str(self.slice(i, end)?);
            i = end;
        }
    }

    fn skip_string(&mut self) -> Res<()> {
        let mut i = self.text_run(self.pos + 1)?;
        loop {
            match self.b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(());
                }
                _ => i = self.escape(i, None)?,
            }
            i = self.text_run(i)?;
        }
    }

    /// The input between two offsets that both sit at ASCII bytes.
    #[inline]
    fn slice(&self, from: usize, to: usize) -> Res<&'a str> {
        self.src
            .get(from..to)
            .ok_or_else(|| self.fail(from, FailKind::Syntax, "text that is not UTF-8"))
    }

    /// Reads the escape at `i` (a `\`), adding its character to `out`;
    /// returns the offset after it.
    fn escape(&self, i: usize, out: Option<&mut String>) -> Res<usize> {
        let bad = |at: usize| {
            self.fail(
                at,
                FailKind::Syntax,
                "an unknown escape after `\\` (write `\\\\` for a backslash)",
            )
        };
        let c = match self.b.get(i + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let Some(out) = out else {
                    // A skipped text is only checked to be JSON.
                    self.hex4(i, i + 2)?;
                    return Ok(i + 6);
                };
                let (c, next) = self.unicode_escape(i)?;
                out.push(c);
                return Ok(next);
            }
            Some(_) => return Err(bad(i)),
            None => return Err(self.eof("the plan ends inside a text: a closing `\"` is missing")),
        };
        if let Some(out) = out {
            out.push(c);
        }
        Ok(i + 2)
    }

    /// The four hex digits at `at` of the `\u` escape at `i`.
    fn hex4(&self, i: usize, at: usize) -> Res<u32> {
        let digits = self
            .b
            .get(at..at + 4)
            .ok_or_else(|| self.eof("the plan ends inside a text: a closing `\"` is missing"))?;
        digits.iter().try_fold(0u32, |acc, d| {
            let v = char::from(*d).to_digit(16).ok_or_else(|| {
                self.fail(
                    i,
                    FailKind::Syntax,
                    "`\\u` must be followed by four hexadecimal digits",
                )
            })?;
            Ok(acc * 16 + v)
        })
    }

    /// Reads `\uXXXX` (and a following low surrogate) at `i`. Half of a
    /// surrogate pair on its own is well-formed JSON but no character: it
    /// reads as U+FFFD, the replacement character, as JavaScript shows it.
    fn unicode_escape(&self, i: usize) -> Res<(char, usize)> {
        let unit = self.hex4(i, i + 2)?;
        if (0xD800..=0xDBFF).contains(&unit) && self.b.get(i + 6..i + 8) == Some(b"\\u") {
            let low = self.hex4(i + 6, i + 8)?;
            if (0xDC00..=0xDFFF).contains(&low) {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Ok((char::from_u32(c).unwrap_or('\u{FFFD}'), i + 12));
            }
        }
        Ok((char::from_u32(unit).unwrap_or('\u{FFFD}'), i + 6))
    }

    /// Checks the number at the scanner and moves past it; returns where
    /// it starts and whether it is a whole number of at most 15 digits.
    #[inline]
    fn number_end(&mut self) -> Res<(usize, bool)> {
        let start = self.pos;
        let mut i = start;
        if self.b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits_from = i;
        let bad = |s: &Self, at: usize| {
            if at >= s.b.len() {
                s.eof("the plan ends inside a number")
            } else {
                s.fail(start, FailKind::Syntax, "a number that is not written as JSON numbers are (such as `12`, `-3` or `4.5`)")
            }
        };
        match self.b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while self.b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return Err(bad(self, i)),
        }
        let mut simple = i - digits_from <= 15;
        if self.b.get(i) == Some(&b'.') {
            simple = false;
            i += 1;
            if !self.b.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(bad(self, i));
            }
            while self.b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if matches!(self.b.get(i), Some(b'e' | b'E')) {
            simple = false;
            i += 1;
            if matches!(self.b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !self.b.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(bad(self, i));
            }
            while self.b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        self.pos = i;
        Ok((start, simple))
    }

    fn number(&mut self) -> Res<f64> {
        let (start, simple) = self.number_end()?;
        let text = self.slice(start, self.pos)?;
        if simple {
            let (neg, digits) = match text.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, text),
            };
            let n = digits
                .bytes()
                .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')) as f64;
            return Ok(if neg { -n } else { n });
        }
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(self.fail(
                start,
                FailKind::Range,
                "a number too large to hold (over about 1.8e308)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_specials(bytes: [u8; 8]) -> Option<usize> {
        bytes
            .iter()
            .position(|c| *c == b'"' || *c == b'\\' || *c < 0x20)
    }

    #[test]
    fn the_word_scan_finds_the_first_special_byte() {
        let alphabet = [
            b'a', b'"', b'\\', 0, 0x1f, 0x20, 0x7f, 0x80, 0xff, b'!', b'#', b']',
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bytes = [0u8; 8];
            for (k, b) in bytes.iter_mut().enumerate() {
                *b = alphabet[((state >> (k * 5)) as usize) % alphabet.len()];
            }
            let m = specials(u64::from_le_bytes(bytes));
            let fast = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
            assert_eq!(fast, slow_specials(bytes), "{bytes:?}");
        }
    }

    fn scanner<'a, 'w>(text: &'a str, sink: &'w mut Sink<'a>) -> Scanner<'a, 'w> {
        Scanner {
            src: text,
            b: text.as_bytes(),
            pos: 0,
            depth: 0,
            sink,
        }
    }

    /// Writes `s` as a JSON string with every character other than
    /// printable ASCII as a `\u` escape (surrogate pairs above U+FFFF).
    fn escaped_everywhere(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            if (' '..='~').contains(&c) && c != '"' && c != '\\' {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn texts_read_back_exactly_however_they_are_escaped() {
        let pool = [
            'a',
            'Z',
            ' ',
            '"',
            '\\',
            '/',
            '\n',
            '\t',
            '\u{0}',
            '\u{1f}',
            '\u{7f}',
            'é',
            '£',
            '€',
            '\u{FFFD}',
            '\u{1F600}',
            '\u{10FFFF}',
            'x',
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..5_000 {
            let mut s = String::new();
            for _ in 0..(round % 23) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(pool[(state % pool.len() as u64) as usize]);
            }
            for json in [serde_json::to_string(&s).unwrap(), escaped_everywhere(&s)] {
                let text = format!("{json},");
                let mut w = Sink::default();
                let mut sc = scanner(&text, &mut w);
                let read = sc.string().unwrap_or_else(|_| panic!("{json}"));
                assert_eq!(read, s, "{json}");
                assert_eq!(sc.pos, json.len());
                let mut w = Sink::default();
                let mut sc = scanner(&text, &mut w);
                assert!(sc.skip_string().is_ok());
                assert_eq!(sc.pos, json.len());
            }
        }
    }

    #[test]
    fn bad_texts_are_refused_where_they_go_wrong() {
        for (text, at) in [
            ("\"ab\ncd\"", 3),
            ("\"ab\\q\"", 3),
            ("\"\\u12G4\"", 1),
            ("\"x\\u12\"}", 2),
        ] {
            let mut w = Sink::default();
            let mut sc = scanner(text, &mut w);
            let e = sc.string().err().unwrap_or_else(|| panic!("{text}"));
            assert_eq!((e.0.at, e.0.what == FailKind::Syntax), (at, true), "{text}");
            let mut w = Sink::default();
            let mut sc = scanner(text, &mut w);
            assert!(sc.skip_string().is_err(), "{text}");
        }
        let mut w = Sink::default();
        let e = scanner("\"abc", &mut w).string().err().unwrap();
        assert!(e.0.what == FailKind::Eof);
    }

    #[test]
    fn half_a_surrogate_pair_reads_as_the_replacement_character() {
        for (text, read) in [
            ("\"\\uD800\"", "\u{FFFD}"),
            ("\"\\uDC00\\uD800x\"", "\u{FFFD}\u{FFFD}x"),
            ("\"\\uD83D\\u0041\"", "\u{FFFD}A"),
            ("\"\\uD83D\\uDE00\"", "\u{1F600}"),
        ] {
            let mut w = Sink::default();
            let mut sc = scanner(text, &mut w);
            assert_eq!(sc.string().ok().as_deref(), Some(read), "{text}");
            assert_eq!(sc.pos, text.len());
            let mut w = Sink::default();
            let mut sc = scanner(text, &mut w);
            assert!(sc.skip_string().is_ok() && sc.pos == text.len(), "{text}");
        }
    }

    #[test]
    fn numbers_follow_the_json_grammar_and_read_exactly() {
        for ok in [
            "0",
            "-0",
            "7",
            "-12",
            "123456789012345",
            "1234567890123456789",
            "1.5",
            "-0.25",
            "1e3",
            "1E+3",
            "2.5e-3",
            "9007199254740993",
        ] {
            let text = format!("{ok},");
            let mut w = Sink::default();
            let mut sc = scanner(&text, &mut w);
            let n = sc.number().unwrap_or_else(|_| panic!("{ok}"));
            assert_eq!(n, ok.parse::<f64>().unwrap(), "{ok}");
            assert_eq!(sc.pos, ok.len(), "{ok}");
        }
        for bad in ["-", "1.", "1.e3", "1e", "1e+", "-a", ".5"] {
            let text = format!("{bad},");
            let mut w = Sink::default();
            let mut sc = scanner(&text, &mut w);
            if bad.starts_with('.') {
                assert!(sc.skip().is_err(), "{bad}");
            } else {
                assert!(sc.number().is_err(), "{bad}");
            }
        }
        // `01` is `0` followed by something that is not a separator.
        let mut w = Sink::default();
        let mut sc = scanner("01", &mut w);
        assert!(sc.number().is_ok_and(|n| n == 0.0) && sc.pos == 1);
        let mut w = Sink::default();
        let mut sc = scanner("1e400", &mut w);
        assert!(sc.number().is_err());
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "{\n  \"é\": 1,\n  x".as_bytes();
        let at = text.iter().position(|b| *b == b'x').unwrap();
        assert_eq!(line_column(text, at), (3, 3));
        let at = text.iter().position(|b| *b == b'1').unwrap();
        assert_eq!(line_column(text, at), (2, 8));
    }
}
