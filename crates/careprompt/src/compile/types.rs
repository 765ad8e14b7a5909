//! The compiler's view of value types: what a field or literal holds, for
//! type checks and messages.

use std::sync::Arc;

use crate::ast::{self, Literal};
use crate::program::*;
use crate::schema::FieldType;

/// A value type as the compiler sees it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Vt {
    Text(Option<Vec<String>>),
    Number,
    Bool,
    Date,
    Duration,
    List(Box<FieldType>),
    Object,
}

impl Vt {
    pub(super) fn of(ty: &FieldType) -> Vt {
        match ty {
            FieldType::Text { values } => Vt::Text(values.clone()),
            FieldType::Number { .. } => Vt::Number,
            FieldType::Bool => Vt::Bool,
            FieldType::Date => Vt::Date,
            FieldType::List(e) => Vt::List(e.clone()),
            FieldType::Object(_) => Vt::Object,
        }
    }

    pub(super) fn of_lit(l: &Literal) -> Vt {
        match l {
            Literal::Text(_) => Vt::Text(None),
            Literal::Number(_) => Vt::Number,
            Literal::Bool(_) => Vt::Bool,
            Literal::Date(_) => Vt::Date,
            Literal::Duration(_) => Vt::Duration,
        }
    }

    pub(super) fn describe(&self) -> &'static str {
        match self {
            Vt::Text(_) => "text",
            Vt::Number => "a number",
            Vt::Bool => "true or false",
            Vt::Date => "a date",
            Vt::Duration => "a duration",
            Vt::List(_) => "a list",
            Vt::Object => "a group of fields",
        }
    }

    pub(super) fn same_kind(&self, other: &Vt) -> bool {
        matches!(
            (self, other),
            (Vt::Text(_), Vt::Text(_))
                | (Vt::Number, Vt::Number)
                | (Vt::Bool, Vt::Bool)
                | (Vt::Date, Vt::Date)
                | (Vt::Duration, Vt::Duration)
        )
    }
}

pub(super) fn lit_of(l: &Literal) -> Option<Lit> {
    Some(match l {
        Literal::Text(t) => Lit::Text(Arc::from(t.as_str())),
        Literal::Number(n) => Lit::Num(*n),
        Literal::Bool(b) => Lit::Bool(*b),
        Literal::Date(d) => Lit::Date(*d),
        Literal::Duration(_) => return None,
    })
}

pub(super) fn show_value(v: &ast::Value) -> String {
    crate::format::value_to_string(v)
}
