//! The syntax tree of a rules file, as written.
//!
//! The parser builds it, the compiler checks it against the case-plan
//! schema, and the formatter prints it back in canonical form. Every node
//! keeps its [`Span`]; spans compare equal to each other, so two trees are
//! equal when they say the same thing, wherever it was written.

use crate::date::{Date, Duration};

/// A byte range in a source text.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl PartialEq for Span {
    /// Spans never make two trees differ: equality is about meaning.
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with `span`.
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

/// A whole rules file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    /// Comments at the top of the file, set apart from the first item by a blank line.
    pub header_comments: Vec<String>,
    /// Items in the order written.
    pub items: Vec<Item>,
    /// Comments after the last item.
    pub trailing_comments: Vec<String>,
}

/// One top-level item with the comments written above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Comment lines before the item (without the `#`).
    pub comments: Vec<String>,
    /// What the item is.
    pub kind: ItemKind,
    /// The whole item.
    pub span: Span,
}

/// The kinds of top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `import "path.cpr"`.
    Import(Spanned<String>),
    /// `const name = literal`.
    Const {
        /// The constant's name.
        name: Spanned<String>,
        /// Its value.
        value: Spanned<Literal>,
    },
    /// `override name = literal`: replaces a constant declared elsewhere.
    Override {
        /// The constant's name.
        name: Spanned<String>,
        /// The new value.
        value: Spanned<Literal>,
    },
    /// `define name = condition`.
    Define {
        /// The definition's name.
        name: Spanned<String>,
        /// The condition it stands for.
        body: Expr,
    },
    /// `rule ID { ... }`.
    Rule(Box<Rule>),
}

/// A rule: metadata, a condition and the prompt it gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The stable id (`CMH-EDU-01`).
    pub id: Spanned<String>,
    /// Fields in the order written.
    pub fields: Vec<Field>,
}

/// One field of a rule, with the comments above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Comment lines before the field.
    pub comments: Vec<String>,
    /// The field.
    pub kind: FieldKind,
    /// Where it was written.
    pub span: Span,
}

/// The fields a rule can have.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    /// `title "..."`.
    Title(Spanned<String>),
    /// `theme "..."`.
    Theme(Spanned<String>),
    /// `kind risk|practice|strength`.
    Kind(Spanned<RuleKind>),
    /// `severity high|medium|low|info`.
    Severity(Spanned<Severity>),
    /// `learning "source" section "section"`.
    Learning {
        /// The source document.
        source: Spanned<String>,
        /// The section of it, if given.
        section: Option<Spanned<String>>,
    },
    /// `when condition`.
    When(Expr),
    /// `prompt "..."`.
    Prompt(Spanned<String>),
    /// `next "..."`: one next step or question (repeatable).
    Next(Spanned<String>),
}

impl FieldKind {
    /// The keyword that introduces the field.
    pub fn keyword(&self) -> &'static str {
        match self {
            FieldKind::Title(_) => "title",
            FieldKind::Theme(_) => "theme",
            FieldKind::Kind(_) => "kind",
            FieldKind::Severity(_) => "severity",
            FieldKind::Learning { .. } => "learning",
            FieldKind::When(_) => "when",
            FieldKind::Prompt(_) => "prompt",
            FieldKind::Next(_) => "next",
        }
    }
}

/// What a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// A risk to the child worth a second look.
    Risk,
    /// A gap in practice that the learning points to.
    Practice,
    /// Something going well, worth naming and keeping.
    Strength,
}

impl RuleKind {
    /// The keyword for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Risk => "risk",
            RuleKind::Practice => "practice",
            RuleKind::Strength => "strength",
        }
    }
}

/// How much a prompt asks for attention, most first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth acting on soon.
    High,
    /// Worth discussing at the next opportunity.
    Medium,
    /// Worth noting.
    Low,
    /// For information (strengths).
    Info,
}

impl Severity {
    /// The keyword for the severity.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Reads a severity keyword.
    pub fn from_word(word: &str) -> Option<Severity> {
        Some(match word {
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            "info" => Severity::Info,
            _ => return None,
        })
    }
}

/// A condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// Comment lines attached to this condition (only on operands that the
    /// formatter starts on a line of their own).
    pub comments: Vec<String>,
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of condition.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// All operands hold (at least two).
    And(Vec<Expr>),
    /// At least one operand holds (at least two).
    Or(Vec<Expr>),
    /// The operand does not hold.
    Not(Box<Expr>),
    /// `(condition)`, kept so that the formatter prints what was written.
    Group(Box<Expr>),
    /// `any|all|none LIST [where (condition)]`.
    Quantified {
        /// Which quantifier.
        quantifier: Quantifier,
        /// The list.
        list: Spanned<Path>,
        /// The condition on each element, if any.
        filter: Option<Box<Expr>>,
    },
    /// A value on its own: a boolean field, a definition or a constant.
    Bare(Value),
    /// `value OP value`.
    Compare {
        /// Left side.
        left: Value,
        /// Comparison.
        op: Spanned<CmpOp>,
        /// Right side.
        right: Value,
    },
    /// `value [not] in [literals]`.
    In {
        /// The value looked up.
        value: Value,
        /// `not in`.
        negated: bool,
        /// The list of literals.
        list: Spanned<Vec<Spanned<Literal>>>,
    },
    /// `value contains value` or `value starts with value`.
    Text {
        /// The text searched.
        value: Value,
        /// Which test.
        op: TextOp,
        /// The text searched for.
        needle: Value,
    },
    /// `path exists` / `path missing`.
    Presence {
        /// The path.
        path: Spanned<Path>,
        /// `missing` rather than `exists`.
        missing: bool,
    },
    /// `date within DURATION` / `date more than DURATION ago`.
    DateRelative {
        /// The date.
        value: Value,
        /// Which test.
        op: DateOp,
        /// The duration, written or named.
        duration: Spanned<DurationRef>,
    },
}

/// The quantifiers over lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// At least one element.
    Any,
    /// Every element.
    All,
    /// No element.
    None,
}

impl Quantifier {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::None => "none",
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Text tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextOp {
    /// `contains`
    Contains,
    /// `starts with`
    StartsWith,
}

/// Date tests relative to the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOp {
    /// `within D`: not before the evaluation date minus D, not after the evaluation date.
    Within,
    /// `more than D ago`: before the evaluation date minus D.
    MoreThanAgo,
}

/// A duration written out or named by a constant.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationRef {
    /// `6 months`
    Literal(Duration),
    /// `pep_review_interval`
    Named(String),
}

/// A dotted field path such as `education.pep.last_reviewed`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// The names between the dots.
    pub segments: Vec<String>,
}

impl Path {
    /// The path as written.
    pub fn dotted(&self) -> String {
        self.segments.join(".")
    }
}

/// Something a condition compares.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What it is.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A literal.
    Literal(Literal),
    /// A field path, or a bare name that may be a constant or definition.
    Path(Path),
    /// `count LIST [where (condition)]`.
    Count {
        /// The list.
        list: Spanned<Path>,
        /// The condition on each element, if any.
        filter: Option<Box<Expr>>,
    },
    /// `age of PATH`: whole years from the date at PATH to the evaluation date.
    Age(Spanned<Path>),
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `"text"`
    Text(String),
    /// `12`, `3.5`
    Number(f64),
    /// `true`, `false`
    Bool(bool),
    /// `2024-09-01`
    Date(Date),
    /// `6 months`
    Duration(Duration),
}
