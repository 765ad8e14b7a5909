//! Rules text to syntax tree: the pest grammar, friendly syntax errors, the
//! input limits that keep parsing bounded, and comment attachment.

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;

use crate::ast::*;
use crate::date::{Date, Duration, Unit};
use crate::diagnostic::{Diagnostic, SourceRef};

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct RulesParser;

/// The largest rules file accepted, in bytes.
pub const MAX_RULES_BYTES: usize = 1024 * 1024;
/// The deepest nesting of brackets accepted in a rules file.
pub const MAX_NESTING: usize = 64;
/// The most `not`s accepted in a row.
pub const MAX_NOTS: usize = 8;

/// Parses a rules file into its syntax tree.
pub fn parse_source(name: &str, text: &str) -> Result<File, crate::diagnostic::CompileError> {
    parse(name, text).map_err(|d| crate::diagnostic::CompileError::one(*d))
}

/// Parses one rules file. `name` is how diagnostics refer to the file.
pub fn parse(name: &str, text: &str) -> Result<File, Box<Diagnostic>> {
    let src = SourceRef { name, text };
    let comment_spans = check_limits(src)?;
    let mut pairs =
        RulesParser::parse(Rule::file, text).map_err(|e| Box::new(syntax_error(src, &e)))?;
    let file_pair = pairs.next().ok_or_else(|| {
        Box::new(Diagnostic::error(
            "syntax",
            src,
            Span::new(0, 0),
            "empty parse",
        ))
    })?;
    let lines = LineIndex::new(text);
    let mut comments = Vec::new();
    let mut comment_ends = Vec::with_capacity(comment_spans.len());
    // The comments, from the scan that checked the limits: the file parsed,
    // so every `#` outside a string starts one (a second walk over every
    // token pest produced would find the same).
    for (start, end) in comment_spans {
        // In order of position, so sorted by end.
        comment_ends.push((end, start));
        let text = text
            .get(start..end)
            .unwrap_or_default()
            .trim_start_matches('#')
            .trim()
            .to_string();
        comments.push(PendingComment {
            start,
            end,
            line: lines.line_of(start),
            text,
        });
    }
    let b = Builder { src, comment_ends };
    let mut items = Vec::new();
    for p in file_pair.into_inner() {
        match p.as_rule() {
            Rule::EOI => {}
            _ => items.push(b.item(p)?),
        }
    }
    let mut file = File {
        header_comments: Vec::new(),
        items,
        trailing_comments: Vec::new(),
    };
    attach_comments(&mut file, comments, text, &lines);
    Ok(file)
}

/// The byte offsets where lines start, so that finding the line of an
/// offset is a binary search rather than a scan from the start of the text
/// (comment attachment asks for every operand of every condition).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

/// Checks the size and bracket nesting of a rules file before pest sees it;
/// returns the spans of its comments (`#` to the end of the line, outside
/// strings), found on the way.
fn check_limits(src: SourceRef<'_>) -> Result<Vec<(usize, usize)>, Box<Diagnostic>> {
    if src.text.len() > MAX_RULES_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                "too-large",
                src,
                Span::new(0, 0),
                format!(
                    "rules file is {} bytes; the limit is {MAX_RULES_BYTES}",
                    src.text.len()
                ),
            )
            .with_help("split the pack into several files and `import` them"),
        ));
    }
    let bytes = src.text.as_bytes();
    let mut depth = 0usize;
    let mut comments = Vec::new();
    let mut i = 0;
    // Strings and comments are skipped a run at a time (`position` over the
    // slice), rather than a byte at a time through a state machine: they
    // are most of a rules file.
    while let Some(&c) = bytes.get(i) {
        match c {
            b'#' => {
                // To the end of the line (not included), or of the text.
                let end = bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
                    .map_or(bytes.len(), |n| i + n);
                comments.push((i, end));
                i = end;
                continue;
            }
            b'"' => {
                // To the closing quote or the end of the line (included); a
                // backslash takes the byte after it, whatever it is.
                i += 1;
                loop {
                    let run = bytes
                        .get(i..)
                        .and_then(|rest| {
                            rest.iter()
                                .position(|&b| b == b'"' || b == b'\\' || b == b'\n')
                        })
                        .unwrap_or(bytes.len().saturating_sub(i));
                    i += run;
                    match bytes.get(i) {
                        Some(b'\\') => i += 2,
                        Some(_) => {
                            i += 1;
                            break;
                        }
                        None => break,
                    }
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Box::new(
                        Diagnostic::error(
                            "too-deep",
                            src,
                            Span::new(i, i + 1),
                            format!("brackets nest more than {MAX_NESTING} deep"),
                        )
                        .with_help("split the condition into named definitions with `define`"),
                    ));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(comments)
}

fn friendly(r: &Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        Rule::import => "`import`",
        Rule::constant => "`const`",
        Rule::override_const => "`override`",
        Rule::definition => "`define`",
        Rule::rule => "`rule`",
        Rule::rule_id => "a rule id such as `CMH-EDU-01`",
        Rule::title | Rule::kw_title => "`title`",
        Rule::theme | Rule::kw_theme => "`theme`",
        Rule::kind | Rule::kw_kind => "`kind`",
        Rule::kind_value => "`risk`, `practice` or `strength`",
        Rule::severity | Rule::kw_severity => "`severity`",
        Rule::severity_value => "`high`, `medium`, `low` or `info`",
        Rule::learning | Rule::kw_learning => "`learning`",
        Rule::kw_section => "`section`",
        Rule::when | Rule::kw_when => "`when`",
        Rule::prompt | Rule::kw_prompt => "`prompt`",
        Rule::next_step | Rule::kw_next => "`next`",
        Rule::not_expr | Rule::predicate | Rule::quantifier | Rule::group => "a condition",
        Rule::kw_not => "`not`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::quant_kw => "`any`, `all` or `none`",
        Rule::where_clause | Rule::kw_where => "`where`",
        Rule::cmp_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::kw_in => "`in`",
        Rule::kw_contains => "`contains`",
        Rule::kw_starts => "`starts with`",
        Rule::kw_with => "`with`",
        Rule::kw_exists => "`exists`",
        Rule::kw_missing => "`missing`",
        Rule::kw_within => "`within`",
        Rule::kw_more => "`more than ... ago`",
        Rule::kw_than => "`than`",
        Rule::kw_ago => "`ago`",
        Rule::count_expr | Rule::kw_count => "`count`",
        Rule::age_expr | Rule::kw_age => "`age of`",
        Rule::kw_of => "`of`",
        Rule::path | Rule::ident => "a name",
        Rule::literal => "a value",
        Rule::list => "a list such as `[\"a\", \"b\"]`",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::duration => "a duration such as `6 months`",
        Rule::unit => "a unit (`days`, `weeks`, `months`, `terms`, `years`)",
        Rule::number => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::string => "text in double quotes",
        _ => return None,
    })
}

fn syntax_error(src: SourceRef<'_>, e: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = src.text.get(pos..).unwrap_or("");
    let token: String = if found.is_empty() {
        String::new()
    } else {
        let first = found.chars().next().unwrap_or(' ');
        if first.is_alphanumeric() || first == '_' {
            found
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .take(40)
                .collect()
        } else {
            let op: String = found
                .chars()
                .take_while(|c| matches!(c, '=' | '&' | '|' | '!' | '<' | '>'))
                .take(3)
                .collect();
            if op.is_empty() {
                first.to_string()
            } else {
                op
            }
        }
    };
    let end = pos + token.len();
    let (expected, help) = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(friendly).collect();
            names.dedup();
            let mut seen = Vec::new();
            for n in names {
                if !seen.contains(&n) {
                    seen.push(n);
                }
            }
            let prev = pos
                .checked_sub(1)
                .and_then(|p| src.text.get(p..pos))
                .unwrap_or("");
            let help = help_for(positives, &token, prev);
            (seen, help)
        }
        ErrorVariant::CustomError { message } => (vec![], Some(message.clone())),
    };
    let found_text = if token.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{token}`")
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&expected))
    };
    let mut d = Diagnostic::error("syntax", src, Span::new(pos, end), message);
    if let Some(h) = help {
        d = d.with_help(h);
    }
    d
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn help_for(positives: &[Rule], token: &str, prev: &str) -> Option<String> {
    let has = |r: Rule| positives.contains(&r);
    if matches!(token, "&&" | "&" | "|" | "||") {
        return Some("write `and` / `or` in words".into());
    }
    if token == "=" && prev == "=" {
        return Some("compare with a single `=`".into());
    }
    if token == "!" {
        return Some("write `not` in words, or `!=` for \"is not equal to\"".into());
    }
    if has(Rule::title) || has(Rule::kw_title) || has(Rule::when) {
        return Some(
            "a rule holds `title`, `theme`, `kind`, `severity`, `learning`, `when`, `prompt` and `next` fields, and ends with `}`"
                .into(),
        );
    }
    if has(Rule::import) || has(Rule::rule) || has(Rule::constant) {
        return Some(
            "a rules file holds `import`, `const`, `override`, `define` and `rule` items".into(),
        );
    }
    if has(Rule::string) {
        return Some("text goes in double quotes: \"like this\"".into());
    }
    if has(Rule::where_clause) && token == "where" {
        return Some("put the condition after `where` in brackets: `where (...)`".into());
    }
    if has(Rule::kind_value) {
        return Some("use `kind risk`, `kind practice` or `kind strength`".into());
    }
    if has(Rule::severity_value) {
        return Some("use `severity high`, `medium`, `low` or `info`".into());
    }
    if has(Rule::unit) {
        return Some("write the unit after the number: `6 months`".into());
    }
    if positives
        .iter()
        .any(|r| matches!(friendly(r), Some("a condition" | "a name" | "a value")))
    {
        return Some(
            "a condition compares a field with a value (`child.looked_after = true`), or uses `any`, `all`, `none`, `exists`, `missing` or a definition's name".into(),
        );
    }
    None
}

struct Builder<'s> {
    src: SourceRef<'s>,
    /// Where each comment ends -> where it starts, to trim spans.
    /// (end, start) of every comment, by end: a span that stops where a
    /// comment ends is trimmed back past it.
    comment_ends: Vec<(usize, usize)>,
}

type PResult<T> = Result<T, Box<Diagnostic>>;

/// Children of `p` without punctuation (comments are whitespace to the
/// grammar: no pairs).
fn kids<'i>(p: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    p.into_inner().filter(|c| !is_punctuation(c.as_rule()))
}

/// The grammar's punctuation rules (see the end of grammar.pest).
fn is_punctuation(r: Rule) -> bool {
    matches!(
        r,
        Rule::equals
            | Rule::open_brace
            | Rule::close_brace
            | Rule::open_paren
            | Rule::close_paren
            | Rule::comma
            | Rule::close_bracket
    )
}

impl Builder<'_> {
    /// The span of `p` without the whitespace and comments pest includes
    /// after an optional part that was absent.
    fn span_of(&self, p: &Pair<'_, Rule>) -> Span {
        self.trimmed(p.as_span().start(), p.as_span().end())
    }

    /// `start..end` without the whitespace and comments at its end (see
    /// [`Builder::span_of`]).
    fn trimmed(&self, start: usize, mut end: usize) -> Span {
        let bytes = self.src.text.as_bytes();
        loop {
            while end > start && bytes.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
                end -= 1;
            }
            let found = self
                .comment_ends
                .binary_search_by_key(&end, |&(e, _)| e)
                .ok()
                .and_then(|i| self.comment_ends.get(i));
            match found {
                Some(&(_, s)) if s >= start && s < end => end = s,
                _ => break,
            }
        }
        Span::new(start, end)
    }

    /// Where the whitespace and comments that pest skips from `pos` end.
    fn after_blanks(&self, mut pos: usize) -> usize {
        let bytes = self.src.text.as_bytes();
        loop {
            match bytes.get(pos) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => pos += 1,
                Some(b'#') => {
                    pos = bytes
                        .get(pos..)
                        .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
                        .map_or(bytes.len(), |n| pos + n);
                }
                _ => return pos,
            }
        }
    }

    fn err(&self, span: Span, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(Diagnostic::error("syntax", self.src, span, message))
    }

    fn next<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        span: Span,
    ) -> PResult<Pair<'i, Rule>> {
        it.next().ok_or_else(|| self.err(span, "incomplete syntax"))
    }

    fn item(&self, p: Pair<'_, Rule>) -> PResult<Item> {
        let span = self.span_of(&p);
        let rk = p.as_rule();
        if rk == Rule::definition {
            // `define`, the name, then the condition's pairs (`and` and `or`
            // among them).
            let mut it = kids(p).skip(1);
            let name = self.ident(self.next(&mut it, span)?);
            let body = self.condition(it, span)?;
            return Ok(Item {
                comments: Vec::new(),
                kind: ItemKind::Define { name, body },
                span,
            });
        }
        let mut it = kids(p).filter(|c| !is_keyword(c.as_rule()));
        let kind = match rk {
            Rule::import => ItemKind::Import(self.string(self.next(&mut it, span)?)?),
            Rule::constant | Rule::override_const => {
                let name = self.ident(self.next(&mut it, span)?);
                let value = self.literal(self.next(&mut it, span)?)?;
                if rk == Rule::constant {
                    ItemKind::Const { name, value }
                } else {
                    ItemKind::Override { name, value }
                }
            }
            Rule::rule => {
                let id_pair = self.next(&mut it, span)?;
                let id = Spanned::new(id_pair.as_str().to_string(), self.span_of(&id_pair));
                let mut fields = Vec::new();
                for f in it {
                    fields.push(self.field(f)?);
                }
                ItemKind::Rule(Box::new(crate::ast::Rule { id, fields }))
            }
            _ => return Err(self.err(span, "unexpected item")),
        };
        Ok(Item {
            comments: Vec::new(),
            kind,
            span,
        })
    }

    fn field(&self, p: Pair<'_, Rule>) -> PResult<Field> {
        let span = self.span_of(&p);
        let rk = p.as_rule();
        if rk == Rule::when {
            // `when`, then the condition's pairs.
            return Ok(Field {
                comments: Vec::new(),
                kind: FieldKind::When(self.condition(kids(p).skip(1), span)?),
                span,
            });
        }
        let mut it = kids(p).filter(|c| !is_keyword(c.as_rule()));
        let kind = match rk {
            Rule::title => FieldKind::Title(self.string(self.next(&mut it, span)?)?),
            Rule::theme => FieldKind::Theme(self.string(self.next(&mut it, span)?)?),
            Rule::prompt => FieldKind::Prompt(self.string(self.next(&mut it, span)?)?),
            Rule::next_step => FieldKind::Next(self.string(self.next(&mut it, span)?)?),
            Rule::kind => {
                let v = self.next(&mut it, span)?;
                let k = match v.as_str() {
                    "risk" => RuleKind::Risk,
                    "practice" => RuleKind::Practice,
                    _ => RuleKind::Strength,
                };
                FieldKind::Kind(Spanned::new(k, self.span_of(&v)))
            }
            Rule::severity => {
                let v = self.next(&mut it, span)?;
                let s = Severity::from_word(v.as_str()).unwrap_or(Severity::Info);
                FieldKind::Severity(Spanned::new(s, self.span_of(&v)))
            }
            Rule::learning => {
                let source = self.string(self.next(&mut it, span)?)?;
                let section = match it.next() {
                    Some(s) => Some(self.string(s)?),
                    None => None,
                };
                FieldKind::Learning { source, section }
            }
            _ => return Err(self.err(span, "unexpected rule field")),
        };
        Ok(Field {
            comments: Vec::new(),
            kind,
            span,
        })
    }

    fn ident(&self, p: Pair<'_, Rule>) -> Spanned<String> {
        Spanned::new(p.as_str().to_string(), self.span_of(&p))
    }

    fn string(&self, p: Pair<'_, Rule>) -> PResult<Spanned<String>> {
        let span = self.span_of(&p);
        let raw = p.as_str();
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        if !inner.contains('\\') {
            // Most texts have no escapes: copied whole.
            return Ok(Spanned::new(inner.to_string(), span));
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Ok(Spanned::new(out, span))
    }

    fn literal(&self, p: Pair<'_, Rule>) -> PResult<Spanned<Literal>> {
        let span = self.span_of(&p);
        let inner = match p.as_rule() {
            Rule::literal => self.next(&mut kids(p), span)?,
            _ => p,
        };
        let span = self.span_of(&inner);
        let lit = match inner.as_rule() {
            Rule::string => Literal::Text(self.string(inner)?.node),
            Rule::number => Literal::Number(self.number(&inner)?),
            Rule::boolean => Literal::Bool(inner.as_str() == "true"),
            Rule::date => {
                let d = Date::parse(inner.as_str()).map_err(|e| {
                    Box::new(
                        Diagnostic::error("bad-date", self.src, span, e.to_string())
                            .with_help("write a real date as YYYY-MM-DD, such as 2024-09-01"),
                    )
                })?;
                Literal::Date(d)
            }
            Rule::duration => Literal::Duration(self.duration(inner)?),
            _ => return Err(self.err(span, "expected a value")),
        };
        Ok(Spanned::new(lit, span))
    }

    fn number(&self, p: &Pair<'_, Rule>) -> PResult<f64> {
        let span = self.span_of(p);
        match p.as_str().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(Box::new(
                Diagnostic::error(
                    "bad-number",
                    self.src,
                    span,
                    format!("`{}` is not a usable number", p.as_str()),
                )
                .with_help("use a smaller number"),
            )),
        }
    }

    fn duration(&self, p: Pair<'_, Rule>) -> PResult<Duration> {
        let span = self.span_of(&p);
        let mut it = kids(p);
        let n = self.next(&mut it, span)?;
        let u = self.next(&mut it, span)?;
        let amount = n.as_str().parse::<u32>().map_err(|_| {
            Box::new(
                Diagnostic::error(
                    "bad-duration",
                    self.src,
                    self.span_of(&n),
                    format!("`{}` is not a whole number of units", n.as_str()),
                )
                .with_help("durations count whole units: `6 months`, `2 weeks`"),
            )
        })?;
        let unit = Unit::from_word(u.as_str())
            .ok_or_else(|| self.err(self.span_of(&u), "unknown unit"))?;
        Ok(Duration { amount, unit })
    }

    fn path(&self, p: Pair<'_, Rule>) -> Spanned<Path> {
        Spanned::new(
            Path {
                segments: p.as_str().split('.').map(str::to_string).collect(),
            },
            self.span_of(&p),
        )
    }

    /// A condition from its pairs: operands (`not_expr`) joined by `kw_and`
    /// and `kw_or`, `and` binding tighter. The grammar's `expr` and
    /// `and_expr` are silent (two rule calls and two levels of pairs fewer
    /// for every condition), so the grouping is done here; `span` is the
    /// enclosing pair's, for the error of a condition with no operand
    /// (which the grammar does not produce).
    fn condition<'i>(
        &self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
        span: Span,
    ) -> PResult<Expr> {
        let mut ors = Vec::new();
        let mut ands = Vec::new();
        // Where the pairs of `and_expr` and `expr` would have ended: pest
        // skips whitespace and comments after the last operand before trying
        // another `and` or `or`, and those pairs kept what it skipped. Their
        // spans are made from it, trimmed as `span_of` trims a pair's, so
        // that they (and the comments given to each operand) are what they
        // were.
        let mut raw_end = span.end;
        for c in pairs {
            match c.as_rule() {
                Rule::kw_and => {}
                Rule::kw_or => {
                    ors.push(self.join(std::mem::take(&mut ands), false, raw_end, span)?)
                }
                _ => {
                    raw_end = self.after_blanks(c.as_span().end());
                    ands.push(self.expr(c)?);
                }
            }
        }
        ors.push(self.join(ands, false, raw_end, span)?);
        self.join(ors, true, raw_end, span)
    }

    /// One operand as it is, or several joined by `or` (`is_or`) or `and`,
    /// from the first operand's start to `raw_end`, trimmed.
    fn join(
        &self,
        mut operands: Vec<Expr>,
        is_or: bool,
        raw_end: usize,
        span: Span,
    ) -> PResult<Expr> {
        if operands.len() == 1 {
            return operands
                .pop()
                .ok_or_else(|| self.err(span, "empty condition"));
        }
        let Some(first) = operands.first() else {
            return Err(self.err(span, "empty condition"));
        };
        let span = self.trimmed(first.span.start, raw_end);
        let kind = if is_or {
            ExprKind::Or(operands)
        } else {
            ExprKind::And(operands)
        };
        Ok(Expr {
            comments: Vec::new(),
            kind,
            span,
        })
    }

    fn expr(&self, p: Pair<'_, Rule>) -> PResult<Expr> {
        let span = self.span_of(&p);
        match p.as_rule() {
            Rule::not_expr => {
                let mut nots = Vec::new();
                let mut inner = None;
                for c in kids(p) {
                    if c.as_rule() == Rule::kw_not {
                        nots.push(self.span_of(&c).start);
                    } else {
                        inner = Some(self.expr(c)?);
                    }
                }
                if nots.len() > MAX_NOTS {
                    let at = nots.get(MAX_NOTS).copied().unwrap_or(span.start);
                    return Err(Box::new(
                        Diagnostic::error(
                            "too-deep",
                            self.src,
                            Span::new(at, at + 3),
                            format!("more than {MAX_NOTS} `not`s in a row"),
                        )
                        .with_help("two `not`s cancel out: remove them in pairs"),
                    ));
                }
                let mut e =
                    inner.ok_or_else(|| self.err(span, "expected a condition after `not`"))?;
                for start in nots.into_iter().rev() {
                    let s = Span::new(start, e.span.end);
                    e = Expr {
                        comments: Vec::new(),
                        kind: ExprKind::Not(Box::new(e)),
                        span: s,
                    };
                }
                Ok(e)
            }
            Rule::group => {
                let inner = self.condition(kids(p), span)?;
                Ok(Expr {
                    comments: Vec::new(),
                    kind: ExprKind::Group(Box::new(inner)),
                    span,
                })
            }
            Rule::quantifier => {
                let mut it = kids(p);
                let q = self.next(&mut it, span)?;
                let quantifier = match q.as_str() {
                    "any" => Quantifier::Any,
                    "all" => Quantifier::All,
                    _ => Quantifier::None,
                };
                let list = self.path(self.next(&mut it, span)?);
                let filter = match it.next() {
                    Some(w) => Some(Box::new(self.where_clause(w)?)),
                    None => None,
                };
                Ok(Expr {
                    comments: Vec::new(),
                    kind: ExprKind::Quantified {
                        quantifier,
                        list,
                        filter,
                    },
                    span,
                })
            }
            Rule::predicate => self.predicate(p),
            _ => Err(self.err(span, "expected a condition")),
        }
    }

    fn where_clause(&self, p: Pair<'_, Rule>) -> PResult<Expr> {
        let span = self.span_of(&p);
        self.condition(kids(p).skip(1), span)
    }

    fn value(&self, p: Pair<'_, Rule>) -> PResult<Value> {
        let span = self.span_of(&p);
        let kind = match p.as_rule() {
            Rule::literal => ValueKind::Literal(self.literal(p)?.node),
            Rule::path => ValueKind::Path(self.path(p).node),
            Rule::count_expr => {
                let mut it = kids(p).filter(|c| c.as_rule() != Rule::kw_count);
                let list = self.path(self.next(&mut it, span)?);
                let filter = match it.next() {
                    Some(w) => Some(Box::new(self.where_clause(w)?)),
                    None => None,
                };
                ValueKind::Count { list, filter }
            }
            Rule::age_expr => {
                let mut it = kids(p).filter(|c| !matches!(c.as_rule(), Rule::kw_age | Rule::kw_of));
                ValueKind::Age(self.path(self.next(&mut it, span)?))
            }
            _ => return Err(self.err(span, "expected a value")),
        };
        Ok(Value { kind, span })
    }

    fn predicate(&self, p: Pair<'_, Rule>) -> PResult<Expr> {
        let span = self.span_of(&p);
        let mut it = kids(p);
        let value = self.value(self.next(&mut it, span)?)?;
        // The test, if any: told apart by its first token (the grammar
        // writes the tests out inside `predicate`).
        let Some(first) = it.next() else {
            return Ok(Expr {
                comments: Vec::new(),
                kind: ExprKind::Bare(value),
                span,
            });
        };
        let test_span = Span::new(self.span_of(&first).start, span.end);
        let rk = first.as_rule();
        let mut t = it.filter(|c| !is_keyword(c.as_rule()));
        let kind = match rk {
            Rule::cmp_op => {
                let op_pair = first;
                let op = match op_pair.as_str() {
                    "=" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let right = self.value(self.next(&mut t, test_span)?)?;
                ExprKind::Compare {
                    left: value,
                    op: Spanned::new(op, self.span_of(&op_pair)),
                    right,
                }
            }
            Rule::kw_in | Rule::kw_not => {
                let list_pair = self.next(&mut t, test_span)?;
                let list_span = self.span_of(&list_pair);
                let mut items = Vec::new();
                for l in kids(list_pair) {
                    items.push(self.literal(l)?);
                }
                ExprKind::In {
                    value,
                    negated: rk == Rule::kw_not,
                    list: Spanned::new(items, list_span),
                }
            }
            Rule::kw_contains | Rule::kw_starts => {
                let needle = self.value(self.next(&mut t, test_span)?)?;
                let op = if rk == Rule::kw_contains {
                    TextOp::Contains
                } else {
                    TextOp::StartsWith
                };
                ExprKind::Text { value, op, needle }
            }
            Rule::kw_exists | Rule::kw_missing => {
                let ValueKind::Path(path) = value.kind else {
                    return Err(Box::new(
                        Diagnostic::error("syntax", self.src, value.span, "`exists` and `missing` apply to a field path")
                            .with_help("write a field path before `exists` or `missing`, such as `education.pep exists`"),
                    ));
                };
                ExprKind::Presence {
                    path: Spanned::new(path, value.span),
                    missing: rk == Rule::kw_missing,
                }
            }
            Rule::kw_within | Rule::kw_more => {
                let d = self.next(&mut t, test_span)?;
                let d_span = self.span_of(&d);
                let duration = if d.as_rule() == Rule::duration {
                    DurationRef::Literal(self.duration(d)?)
                } else {
                    DurationRef::Named(d.as_str().to_string())
                };
                let op = if rk == Rule::kw_within {
                    DateOp::Within
                } else {
                    DateOp::MoreThanAgo
                };
                ExprKind::DateRelative {
                    value,
                    op,
                    duration: Spanned::new(duration, d_span),
                }
            }
            _ => return Err(self.err(test_span, "unexpected test")),
        };
        Ok(Expr {
            comments: Vec::new(),
            kind,
            span,
        })
    }
}

fn is_keyword(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_import
            | Rule::kw_const
            | Rule::kw_override
            | Rule::kw_define
            | Rule::kw_rule
            | Rule::kw_title
            | Rule::kw_theme
            | Rule::kw_kind
            | Rule::kw_severity
            | Rule::kw_learning
            | Rule::kw_section
            | Rule::kw_when
            | Rule::kw_prompt
            | Rule::kw_next
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_where
            | Rule::kw_count
            | Rule::kw_age
            | Rule::kw_of
            | Rule::kw_in
            | Rule::kw_contains
            | Rule::kw_starts
            | Rule::kw_with
            | Rule::kw_exists
            | Rule::kw_missing
            | Rule::kw_within
            | Rule::kw_more
            | Rule::kw_than
            | Rule::kw_ago
    )
}

struct PendingComment {
    start: usize,
    end: usize,
    line: usize,
    text: String,
}

/// Gives each comment to a line-level node: the node it trails on the same
/// line, else the next node it stands before, else (inside a node) the node
/// itself. No comment is dropped.
struct CommentQueue<'t> {
    comments: std::collections::VecDeque<PendingComment>,
    lines: &'t LineIndex,
}

impl CommentQueue<'_> {
    /// Comments that start before `pos`.
    fn before(&mut self, pos: usize, into: &mut Vec<String>) {
        while self.comments.front().is_some_and(|c| c.start < pos) {
            if let Some(c) = self.comments.pop_front() {
                into.push(c.text);
            }
        }
    }

    /// Comments on the same line as `end`, after it.
    fn trailing(&mut self, end: usize, into: &mut Vec<String>) {
        if self.comments.is_empty() {
            return;
        }
        let line = self.lines.line_of(end);
        while self.comments.front().is_some_and(|c| c.line == line) {
            if let Some(c) = self.comments.pop_front() {
                into.push(c.text);
            }
        }
    }

    fn expr_chain(&mut self, e: &mut Expr) {
        let end = e.span.end;
        match &mut e.kind {
            ExprKind::And(ops) | ExprKind::Or(ops) => {
                for op in ops.iter_mut() {
                    let mut c = std::mem::take(&mut op.comments);
                    self.before(op.span.start, &mut c);
                    self.before(op.span.end, &mut c);
                    self.trailing(op.span.end, &mut c);
                    op.comments = c;
                }
                let mut rest = Vec::new();
                self.before(end, &mut rest);
                if let Some(last) = ops.last_mut() {
                    last.comments.extend(rest);
                }
            }
            _ => {
                let mut c = std::mem::take(&mut e.comments);
                self.before(end, &mut c);
                self.trailing(end, &mut c);
                e.comments = c;
            }
        }
    }
}

fn attach_comments(file: &mut File, comments: Vec<PendingComment>, text: &str, lines: &LineIndex) {
    let mut q = CommentQueue {
        comments: comments.into(),
        lines,
    };
    // A comment block at the top, followed by a blank line, is the file's header.
    if let Some(first) = file.items.first() {
        let before: Vec<&PendingComment> = q
            .comments
            .iter()
            .take_while(|c| c.start < first.span.start)
            .collect();
        // The header ends at the last blank line among those comments.
        let mut header_len = 0;
        for (i, c) in before.iter().enumerate() {
            let next_start = before.get(i + 1).map_or(first.span.start, |n| n.start);
            if text
                .get(c.end..next_start)
                .unwrap_or("")
                .matches('\n')
                .count()
                >= 2
            {
                header_len = i + 1;
            }
        }
        file.header_comments = q.comments.drain(..header_len).map(|c| c.text).collect();
    }
    for item in &mut file.items {
        let mut leading = Vec::new();
        q.before(item.span.start, &mut leading);
        match &mut item.kind {
            ItemKind::Rule(rule) => {
                q.before(rule.id.span.end, &mut leading);
                q.trailing(rule.id.span.end, &mut leading);
                for field in &mut rule.fields {
                    let mut fc = Vec::new();
                    q.before(field.span.start, &mut fc);
                    if let FieldKind::When(e) = &mut field.kind {
                        q.trailing(field.span.start, &mut fc);
                        q.expr_chain(e);
                    } else {
                        q.before(field.span.end, &mut fc);
                        q.trailing(field.span.end, &mut fc);
                    }
                    field.comments = fc;
                }
                // Comments before the closing brace go with the last field.
                let mut rest = Vec::new();
                q.before(item.span.end, &mut rest);
                q.trailing(item.span.end, &mut rest);
                match rule.fields.last_mut() {
                    Some(f) => f.comments.extend(rest),
                    None => leading.extend(rest),
                }
            }
            ItemKind::Define { name, body } => {
                q.before(name.span.end, &mut leading);
                q.trailing(name.span.end, &mut leading);
                q.expr_chain(body);
            }
            _ => {
                q.before(item.span.end, &mut leading);
                q.trailing(item.span.end, &mut leading);
            }
        }
        item.comments = leading;
    }
    let mut rest = Vec::new();
    q.before(usize::MAX, &mut rest);
    file.trailing_comments = rest;
}

/// Parses a literal written as in rules (`15`, `"text"`, `2 terms`), for
/// constant overrides given outside a rules file.
pub fn parse_literal(text: &str) -> Result<Literal, Box<Diagnostic>> {
    let src = SourceRef {
        name: "<override>",
        text,
    };
    let pairs = RulesParser::parse(Rule::literal_only, text)
        .map_err(|e| Box::new(syntax_error(src, &e)))?;
    let b = Builder {
        src,
        comment_ends: Default::default(),
    };
    let lit = pairs
        .flatten()
        .find(|p| p.as_rule() == Rule::literal)
        .ok_or_else(|| {
            Box::new(Diagnostic::error(
                "syntax",
                src,
                Span::new(0, text.len()),
                "expected a value",
            ))
        })?;
    Ok(b.literal(lit)?.node)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comments of the last operand of the first item's condition.
    fn last_operand_comments(file: &File) -> Vec<String> {
        let ItemKind::Define { body, .. } = &file.items[0].kind else {
            panic!("expected a definition");
        };
        let ExprKind::Or(ops) = &body.kind else {
            panic!("expected an `or`");
        };
        ops.last().unwrap().comments.clone()
    }

    #[test]
    fn a_missing_equals_sign_is_reported_where_it_was_expected() {
        // `=` is a rule of its own (`equals`) so that pest notes the
        // position: without it the error would point at `const`.
        let text = "const x";
        let e = parse("t.cpr", text).unwrap_err();
        assert_eq!(e.message, "unexpected the end of the file");
        assert_eq!((e.line, e.column), (1, text.len() + 1));
        let e = parse("t.cpr", "rule R title \"t\" }").unwrap_err();
        assert_eq!(e.message, "unexpected `title`");
        assert_eq!((e.line, e.column), (1, 8));
    }

    #[test]
    fn a_carriage_return_inside_text_is_refused_as_before() {
        // The text is scanned for `"`, `\` and line feeds; a look-ahead
        // refuses a carriage return before the next `"` or `\`.
        let ok = "rule R {\n  title \"a\\tb\"\n}\n";
        assert!(parse("t.cpr", ok).is_ok());
        for text in [
            "rule R {\n  title \"a\rb\"\n}\n",
            "rule R {\n  title \"a\\tb\rc\"\n}\n",
            "rule R {\n  title \"a\n}\n",
        ] {
            let e = parse("t.cpr", text).unwrap_err();
            assert_eq!((e.line, e.column), (2, 9), "{text:?}");
            assert!(e.message.contains("text in double quotes"), "{}", e.message);
        }
        // A carriage return after the text (a CRLF file) is whitespace.
        assert!(parse("t.cpr", "rule R {\r\n  title \"a\"\r\n}\r\n").is_ok());
    }

    #[test]
    fn conditions_keep_the_spans_and_comments_of_the_old_pairs() {
        // A comment line after a condition, ending in blanks, stayed inside
        // the span of the `or` pest gave (its trimming stops at the blanks),
        // so it went to the last operand; without the blanks, to the next
        // item. The spans are rebuilt from where those pairs ended.
        let with_blanks = "define d = a = 1 or b = 2\n# note  \ndefine e = c\n";
        let file = parse("t.cpr", with_blanks).unwrap();
        assert_eq!(last_operand_comments(&file), vec!["note".to_string()]);
        assert!(file.items[1].comments.is_empty());
        let without = "define d = a = 1 or b = 2\n# note\ndefine e = c\n";
        let file = parse("t.cpr", without).unwrap();
        assert!(last_operand_comments(&file).is_empty());
        assert_eq!(file.items[1].comments, vec!["note".to_string()]);
        let ItemKind::Define { body, .. } = &file.items[0].kind else {
            panic!("expected a definition");
        };
        assert_eq!((body.span.start, body.span.end), (11, 25));
    }

    #[test]
    fn keywords_stand_alone_in_names_and_paths() {
        for name in [
            "android",
            "order",
            "in_care",
            "notes",
            "within_x",
            "ages",
            "x.anything",
        ] {
            let text = format!("define d = {name} exists\n");
            assert!(parse("t.cpr", &text).is_ok(), "{name}");
        }
        for name in ["and", "within", "with", "x.in", "x.not.y", "true"] {
            let text = format!("define d = {name} exists\n");
            assert!(parse("t.cpr", &text).is_err(), "{name}");
        }
    }
}
