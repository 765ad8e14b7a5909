//! TOML files (pack manifests and rule tests) read as spanned tables, key by
//! key. Every value keeps its place in the text, and every problem (a syntax
//! error, an unknown key, a value of the wrong type, a missing key) comes back
//! as a [`TomlError`] at the span to underline.
//!
//! The engine reads its TOML this way rather than through serde's derived
//! deserializers: the reads are a few small functions shared by every table,
//! where the derived code was one large function per table and per
//! deserializer (over 100 KB of the browser package's code).

use std::collections::BTreeMap;

use serde_json::Value as Json;
use toml::de::{DeTable, DeValue};

pub(crate) use toml::Spanned;

use crate::ast::Span;
use crate::diagnostic::did_you_mean;

/// A problem with a TOML file: where, what, and (for a misspelt key) the fix.
#[derive(Debug)]
pub(crate) struct TomlError {
    /// The text to underline.
    pub span: Span,
    /// Lowercase, naming the key in backticks; never a value.
    pub message: String,
    /// The key meant, when an unknown key is close to one.
    pub help: Option<String>,
}

impl TomlError {
    fn new(span: Span, message: String) -> TomlError {
        TomlError {
            span,
            message,
            help: None,
        }
    }
}

/// A TOML value with its span.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// The span of a spanned value.
pub(crate) fn span<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// Parses a TOML document into its root table.
pub(crate) fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, TomlError> {
    DeTable::parse(text).map_err(|e| {
        let span = e
            .span()
            .map(|r| Span::new(r.start, r.end))
            .unwrap_or_default();
        TomlError::new(span, e.message().trim().to_lowercase())
    })
}

/// What a value is, in the words of an error message.
fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date or time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn wrong_type(key: &str, v: &Value<'_>, want: &str) -> TomlError {
    TomlError::new(
        span(v),
        format!("`{key}` must be {want}, not {}", kind(v.get_ref())),
    )
}

/// The keys of one table, read one by one after a check that the table holds
/// no key it should not.
pub(crate) struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    at: Span,
    /// The table's name in messages (`[pack]`, `[[case]]`), or empty for the
    /// file's top level.
    name: &'static str,
}

impl<'t, 'i> Fields<'t, 'i> {
    /// The keys of `table` (at `at`, called `name` in messages), which may
    /// hold only `keys`: the first other key is an error, with the key meant
    /// when one is close.
    pub(crate) fn new(
        table: &'t DeTable<'i>,
        at: Span,
        name: &'static str,
        keys: &[&str],
    ) -> Result<Self, TomlError> {
        if let Some((k, _)) = table.iter().find(|(k, _)| !keys.contains(&key_of(k))) {
            let key = key_of(k);
            let place = if name.is_empty() {
                String::new()
            } else {
                format!(" in `{name}`")
            };
            let mut e = TomlError::new(span(k), format!("unknown key `{key}`{place}"));
            e.help = Some(match did_you_mean(key, keys.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keys{place} are {}", list(keys)),
            });
            return Err(e);
        }
        Ok(Fields { table, at, name })
    }

    /// The value of `key`, if the table has it.
    pub(crate) fn value(&self, key: &str) -> Option<&'t Value<'i>> {
        self.table.get(key)
    }

    /// The error for a key the table must have.
    pub(crate) fn missing(&self, key: &str) -> TomlError {
        let place = if self.name.is_empty() {
            String::new()
        } else {
            format!(" in `{}`", self.name)
        };
        TomlError::new(self.at, format!("missing key `{key}`{place}"))
    }

    /// A string, if given.
    pub(crate) fn string(&self, key: &str) -> Result<Option<Spanned<String>>, TomlError> {
        self.value(key).map(|v| string(key, v)).transpose()
    }

    /// A string the table must have.
    pub(crate) fn required_string(&self, key: &str) -> Result<Spanned<String>, TomlError> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    /// An array of strings, if given.
    pub(crate) fn strings(
        &self,
        key: &str,
    ) -> Result<Option<Spanned<Vec<Spanned<String>>>>, TomlError> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        let DeValue::Array(items) = v.get_ref() else {
            return Err(wrong_type(key, v, "an array of strings"));
        };
        let items = items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok(Spanned::new(item.span(), s.to_string())),
                _ => Err(wrong_type(key, item, "an array of strings")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Spanned::new(v.span(), items)))
    }

    /// An array of strings without their spans; empty when not given.
    pub(crate) fn plain_strings(&self, key: &str) -> Result<Vec<String>, TomlError> {
        Ok(self
            .strings(key)?
            .map(|v| {
                v.into_inner()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A table, if given.
    pub(crate) fn table(&self, key: &str) -> Result<Option<(&'t DeTable<'i>, Span)>, TomlError> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        match v.get_ref() {
            DeValue::Table(t) => Ok(Some((t, span(v)))),
            _ => Err(wrong_type(key, v, "a table")),
        }
    }

    /// An array of tables (`[[key]]`); empty when not given.
    pub(crate) fn tables(&self, key: &str) -> Result<Vec<(&'t DeTable<'i>, Span)>, TomlError> {
        let Some(v) = self.value(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = v.get_ref() else {
            return Err(wrong_type(key, v, "an array of tables"));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(t) => Ok((t, span(item))),
                _ => Err(wrong_type(key, item, "an array of tables")),
            })
            .collect()
    }

    /// A table whose values are all strings, if given; sorted by key.
    pub(crate) fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, TomlError> {
        let mut out = BTreeMap::new();
        if let Some((t, _)) = self.table(key)? {
            for (k, v) in t {
                let k = key_of(k);
                out.insert(k.to_string(), string(k, v)?.into_inner());
            }
        }
        Ok(out)
    }

    /// A table whose values are all arrays of strings, if given; sorted by key.
    pub(crate) fn strings_map(
        &self,
        key: &str,
    ) -> Result<BTreeMap<String, Vec<String>>, TomlError> {
        let mut out = BTreeMap::new();
        if let Some((t, at)) = self.table(key)? {
            let inner = Fields {
                table: t,
                at,
                name: "",
            };
            for k in t.keys() {
                let k = key_of(k);
                out.insert(k.to_string(), inner.plain_strings(k)?);
            }
        }
        Ok(out)
    }
}

fn key_of<'k>(k: &'k Spanned<std::borrow::Cow<'_, str>>) -> &'k str {
    k.get_ref()
}

fn string(key: &str, v: &Value<'_>) -> Result<Spanned<String>, TomlError> {
    match v.get_ref() {
        DeValue::String(s) => Ok(Spanned::new(v.span(), s.to_string())),
        _ => Err(wrong_type(key, v, "a string")),
    }
}

/// `a`, `b` and `c`.
fn list(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => "none".into(),
    }
}

/// A TOML value as JSON: strings, numbers, booleans, arrays and tables as
/// themselves, dates and times as their TOML text, a float JSON cannot hold
/// (nan, infinity) as null. `key` names the value in an error.
pub(crate) fn to_json(key: &str, v: &Value<'_>) -> Result<Json, TomlError> {
    Ok(match v.get_ref() {
        DeValue::String(s) => Json::String(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Json::from(n),
            Err(_) => {
                return Err(TomlError::new(
                    span(v),
                    format!("`{key}` is out of range for a 64-bit integer"),
                ))
            }
        },
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, Json::Number),
        DeValue::Boolean(b) => Json::Bool(*b),
        DeValue::Datetime(d) => Json::String(d.to_string()),
        DeValue::Array(a) => Json::Array(
            a.iter()
                .map(|item| to_json(key, item))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => Json::Object(
            t.iter()
                .map(|(k, item)| Ok((key_of(k).to_string(), to_json(key_of(k), item)?)))
                .collect::<Result<_, TomlError>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Spanned<DeTable<'_>> {
        parse(text).unwrap()
    }

    #[test]
    fn a_syntax_error_has_its_span() {
        let e = parse("a = 1\nb = \n").unwrap_err();
        assert_eq!(&"a = 1\nb = \n"[..e.span.start], "a = 1\nb = ");
        assert!(!e.message.is_empty());
    }

    #[test]
    fn an_unknown_key_is_underlined_with_the_key_meant() {
        let text = "nmae = \"x\"\n";
        let doc = root(text);
        let e = Fields::new(doc.get_ref(), span(&doc), "", &["name", "version"])
            .err()
            .unwrap();
        assert_eq!(e.message, "unknown key `nmae`");
        assert_eq!(&text[e.span.start..e.span.end], "nmae");
        assert_eq!(e.help.as_deref(), Some("did you mean `name`?"));
        let doc = root("[pack]\nzzz = 1\n");
        let (t, at) = Fields::new(doc.get_ref(), span(&doc), "", &["pack"])
            .unwrap()
            .table("pack")
            .unwrap()
            .unwrap();
        let e = Fields::new(t, at, "[pack]", &["name", "version", "rules"])
            .err()
            .unwrap();
        assert_eq!(e.message, "unknown key `zzz` in `[pack]`");
        assert_eq!(
            e.help.as_deref(),
            Some("the keys in `[pack]` are `name`, `version` and `rules`")
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_not_echoed() {
        let text = "name = 12345\nlist = [\"a\", 7]\n";
        let doc = root(text);
        let f = Fields::new(doc.get_ref(), span(&doc), "", &["name", "list"]).unwrap();
        let e = f.string("name").unwrap_err();
        assert_eq!(e.message, "`name` must be a string, not an integer");
        assert_eq!(&text[e.span.start..e.span.end], "12345");
        let e = f.strings("list").unwrap_err();
        assert_eq!(
            e.message,
            "`list` must be an array of strings, not an integer"
        );
        assert_eq!(&text[e.span.start..e.span.end], "7");
        assert!(f.missing("other").message.contains("`other`"));
        assert!(f.required_string("other").is_err());
        assert_eq!(f.string("other").unwrap(), None);
    }

    #[test]
    fn values_become_json() {
        let text = "v = { s = \"x\", i = 0x10, f = 1.5, n = nan, b = true, d = 2026-11-26, a = [1, 2] }\nbig = 9223372036854775807\n";
        let doc = root(text);
        let f = Fields::new(doc.get_ref(), span(&doc), "", &["v", "big"]).unwrap();
        let v = to_json("v", f.value("v").unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"s": "x", "i": 16, "f": 1.5, "n": null, "b": true, "d": "2026-11-26", "a": [1, 2]})
        );
        let big = to_json("big", f.value("big").unwrap()).unwrap();
        assert_eq!(big, serde_json::json!(i64::MAX));
    }

    #[test]
    fn tables_and_maps_keep_their_order_and_types() {
        let text = "[[case]]\nname = \"a\"\n[case.expect]\nB = \"clear\"\nA = \"fires\"\n[[case]]\nname = \"b\"\n[case.expect]\nA = 1\n";
        let doc = root(text);
        let f = Fields::new(doc.get_ref(), span(&doc), "", &["case"]).unwrap();
        let cases = f.tables("case").unwrap();
        assert_eq!(cases.len(), 2);
        let first = Fields::new(cases[0].0, cases[0].1, "[[case]]", &["name", "expect"]).unwrap();
        let expect = first.string_map("expect").unwrap();
        assert_eq!(
            expect.into_iter().collect::<Vec<_>>(),
            [("A".into(), "fires".into()), ("B".into(), "clear".into())]
        );
        let second = Fields::new(cases[1].0, cases[1].1, "[[case]]", &["name", "expect"]).unwrap();
        let e = second.string_map("expect").unwrap_err();
        assert_eq!(e.message, "`A` must be a string, not an integer");
        let e = f.table("case").unwrap_err();
        assert!(e.message.contains("must be a table"), "{}", e.message);
    }
}
