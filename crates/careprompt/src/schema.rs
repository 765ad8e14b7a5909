//! The case-plan schema: which fields a plan may hold and their types.
//!
//! The schema is written as JSON Schema (a small subset: `type`, `format:
//! date`, `enum`, `properties`, `items`, `$defs`/`$ref`, `description`) so
//! vendors can validate plans with any JSON Schema tool. The compiler reads
//! it to check every field path and comparison in the rules.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// The built-in case-plan schema, as JSON Schema text. A `static`, not a
/// `const`: every use refers to the one copy (a `const` is copied into
/// each crate that uses it, and the WebAssembly package carried two).
pub static CASE_PLAN_SCHEMA: &str = include_str!("../schema/case-plan.schema.json");

/// The type of a field in the case plan.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// Free text, or one of a fixed set of values when `values` is given.
    Text {
        /// The allowed values, if the schema lists them.
        values: Option<Vec<String>>,
    },
    /// A number (`integer` marks whole numbers).
    Number {
        /// Whole numbers only.
        integer: bool,
    },
    /// `true` or `false`.
    Bool,
    /// A date written `YYYY-MM-DD`.
    Date,
    /// A list of elements of one type.
    List(Box<FieldType>),
    /// An object with named fields.
    Object(ObjectType),
}

impl FieldType {
    /// A short name of the type for messages ("a date", "a list").
    pub fn describe(&self) -> &'static str {
        match self {
            FieldType::Text { values: Some(_) } => "one of a set of text values",
            FieldType::Text { values: None } => "text",
            FieldType::Number { integer: true } => "a whole number",
            FieldType::Number { integer: false } => "a number",
            FieldType::Bool => "true or false",
            FieldType::Date => "a date (YYYY-MM-DD)",
            FieldType::List(_) => "a list",
            FieldType::Object(_) => "an object",
        }
    }
}

/// A field of an object: its type and documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The field's type.
    pub ty: FieldType,
    /// What the field means.
    pub description: Option<String>,
    /// Whether the field may be `null` (its type list names `null`).
    pub nullable: bool,
    /// How "none" is recorded for the field (its `x-none` annotation).
    pub none: Option<NoneForm>,
}

/// An object type: its fields by name.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ObjectType {
    /// Fields by name, in name order.
    pub fields: BTreeMap<String, Field>,
}

/// A loaded case-plan schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The plan's top-level object.
    pub root: ObjectType,
}

/// Why a schema could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The text is not JSON.
    #[error("schema is not valid JSON: {0}")]
    Json(String),
    /// A part of the schema uses something the engine does not read.
    #[error("schema at `{pointer}`: {message}")]
    Unsupported {
        /// JSON pointer to the part.
        pointer: String,
        /// What is wrong.
        message: String,
    },
}

const MAX_REF_DEPTH: usize = 32;

impl Schema {
    /// The built-in case-plan schema.
    pub fn builtin() -> Result<Schema, SchemaError> {
        Schema::builtin_ref().cloned()
    }

    /// The built-in schema, loaded once per process (compiling rules
    /// against it no longer parses its 45 KB of JSON every time).
    pub(crate) fn builtin_ref() -> Result<&'static Schema, SchemaError> {
        static BUILTIN: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        if let Some(s) = BUILTIN.get() {
            return Ok(s);
        }
        let s = Schema::from_json_schema(CASE_PLAN_SCHEMA)?;
        Ok(BUILTIN.get_or_init(|| s))
    }

    /// Loads a JSON Schema text.
    pub fn from_json_schema(text: &str) -> Result<Schema, SchemaError> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| SchemaError::Json(e.to_string()))?;
        let loader = SchemaReader { root: &json };
        match loader.ty(&json, "#", 0)? {
            FieldType::Object(root) => Ok(Schema { root }),
            _ => Err(SchemaError::Unsupported {
                pointer: "#".into(),
                message: "the top level must be an object".into(),
            }),
        }
    }
}

/// How "none" is recorded for a field (the schema's `x-none` annotation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum NoneForm {
    /// `[]`: an empty list records none; a present list is a complete record.
    EmptyList,
    /// `null` records none (for example `"pep": null`: the child has no PEP).
    Null,
    /// `false` records no (a yes/no fact).
    False,
    /// The end of a record: left out or `null`, the record is open (current).
    Open,
    /// No none form: a value every record has (a date of birth, a start
    /// date); leave the field out only when it is not known.
    Value,
}

impl NoneForm {
    /// Reads an `x-none` annotation.
    pub fn parse(v: &Json) -> Option<NoneForm> {
        Some(match v.as_str()? {
            "[]" => NoneForm::EmptyList,
            "null" => NoneForm::Null,
            "false" => NoneForm::False,
            "open" => NoneForm::Open,
            "value" => NoneForm::Value,
            _ => return None,
        })
    }

    /// The annotation as written in the schema.
    pub fn as_str(self) -> &'static str {
        match self {
            NoneForm::EmptyList => "[]",
            NoneForm::Null => "null",
            NoneForm::False => "false",
            NoneForm::Open => "open",
            NoneForm::Value => "value",
        }
    }
}

/// Whether a property schema lets the field be `null`: its own `type` list
/// names `null` (a `$ref`'s target is followed once).
fn takes_null(node: &Json, root: &Json) -> bool {
    let names_null = |n: &Json| match n.get("type") {
        Some(Json::Array(list)) => list.iter().any(|t| t.as_str() == Some("null")),
        Some(Json::String(s)) => s == "null",
        _ => false,
    };
    if names_null(node) {
        return true;
    }
    let target = node
        .get("$ref")
        .and_then(Json::as_str)
        .and_then(|r| r.strip_prefix("#/"));
    match target {
        Some(t) => {
            let mut at = root;
            for part in t.split('/') {
                match at.get(part) {
                    Some(next) => at = next,
                    None => return false,
                }
            }
            names_null(at)
        }
        None => false,
    }
}

struct SchemaReader<'j> {
    root: &'j Json,
}

impl SchemaReader<'_> {
    fn unsupported(pointer: &str, message: impl Into<String>) -> SchemaError {
        SchemaError::Unsupported {
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }

    fn ty(&self, node: &Json, pointer: &str, depth: usize) -> Result<FieldType, SchemaError> {
        if depth > MAX_REF_DEPTH {
            return Err(Self::unsupported(
                pointer,
                "schema nests too deeply (a `$ref` that refers to itself?)",
            ));
        }
        let Json::Object(map) = node else {
            return Err(Self::unsupported(pointer, "expected a schema object"));
        };
        if let Some(r) = map.get("$ref") {
            let target = r
                .as_str()
                .and_then(|r| r.strip_prefix("#/"))
                .ok_or_else(|| {
                    Self::unsupported(
                        pointer,
                        "only local `$ref`s such as `#/$defs/Name` are supported",
                    )
                })?;
            let mut at = self.root;
            for part in target.split('/') {
                at = at.get(part).ok_or_else(|| {
                    Self::unsupported(
                        pointer,
                        format!("`$ref` target `#/{target}` does not exist"),
                    )
                })?;
            }
            return self.ty(at, &format!("#/{target}"), depth + 1);
        }
        let type_name = match map.get("type") {
            Some(Json::String(s)) => s.as_str(),
            Some(Json::Array(list)) => {
                let mut names = list
                    .iter()
                    .filter_map(Json::as_str)
                    .filter(|s| *s != "null");
                match (names.next(), names.next()) {
                    (Some(one), None) => one,
                    _ => {
                        return Err(Self::unsupported(
                            pointer,
                            "a type list may name one type besides `null`",
                        ))
                    }
                }
            }
            _ if map.contains_key("properties") => "object",
            _ if map.contains_key("enum") => "string",
            _ => return Err(Self::unsupported(pointer, "every schema needs a `type`")),
        };
        Ok(match type_name {
            "string" => {
                if map.get("format").and_then(Json::as_str) == Some("date") {
                    FieldType::Date
                } else {
                    let values = match map.get("enum") {
                        Some(Json::Array(v)) => Some(
                            v.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect(),
                        ),
                        _ => None,
                    };
                    FieldType::Text { values }
                }
            }
            "number" => FieldType::Number { integer: false },
            "integer" => FieldType::Number { integer: true },
            "boolean" => FieldType::Bool,
            "array" => {
                let items = map
                    .get("items")
                    .ok_or_else(|| Self::unsupported(pointer, "an array needs `items`"))?;
                FieldType::List(Box::new(self.ty(
                    items,
                    &format!("{pointer}/items"),
                    depth + 1,
                )?))
            }
            "object" => {
                let mut fields = BTreeMap::new();
                if let Some(Json::Object(props)) = map.get("properties") {
                    for (name, sub) in props {
                        let p = format!("{pointer}/properties/{name}");
                        let ty = self.ty(sub, &p, depth + 1)?;
                        let description = sub
                            .get("description")
                            .and_then(Json::as_str)
                            .map(str::to_string);
                        let nullable = takes_null(sub, self.root);
                        let none = match sub.get("x-none") {
                            None => None,
                            Some(v) => Some(NoneForm::parse(v).ok_or_else(
                                || {
                                    Self::unsupported(
                                        &p,
                                        "`x-none` must be one of \"[]\", \"null\", \"false\", \"open\", \"value\"",
                                    )
                                },
                            )?),
                        };
                        fields.insert(
                            name.clone(),
                            Field {
                                ty,
                                description,
                                nullable,
                                none,
                            },
                        );
                    }
                }
                FieldType::Object(ObjectType { fields })
            }
            other => {
                return Err(Self::unsupported(
                    pointer,
                    format!("type `{other}` is not supported"),
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_supported_subset() {
        let text = r##"{
            "type": "object",
            "$defs": {"Placement": {"type": "object", "properties": {
                "start_date": {"type": "string", "format": "date", "description": "when it began"},
                "place_code": {"type": "string", "enum": ["K2", "R2"]}
            }}},
            "properties": {
                "placements": {"type": "array", "items": {"$ref": "#/$defs/Placement"}},
                "age": {"type": ["integer", "null"]},
                "looked_after": {"type": "boolean"}
            }
        }"##;
        let s = Schema::from_json_schema(text).unwrap();
        let Some(Field {
            ty: FieldType::List(elem),
            ..
        }) = s.root.fields.get("placements")
        else {
            panic!("placements should be a list");
        };
        let FieldType::Object(p) = elem.as_ref() else {
            panic!("element should be an object")
        };
        assert_eq!(
            p.fields.get("start_date").map(|f| &f.ty),
            Some(&FieldType::Date)
        );
        assert_eq!(
            p.fields
                .get("start_date")
                .and_then(|f| f.description.as_deref()),
            Some("when it began")
        );
        assert_eq!(
            p.fields.get("place_code").map(|f| &f.ty),
            Some(&FieldType::Text {
                values: Some(vec!["K2".into(), "R2".into()])
            })
        );
        assert_eq!(
            s.root.fields.get("age").map(|f| &f.ty),
            Some(&FieldType::Number { integer: true })
        );
    }

    #[test]
    fn rejects_self_referencing_refs_and_unknown_types() {
        let looped = r##"{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"$ref":"#/$defs/A"}}}"##;
        assert!(matches!(
            Schema::from_json_schema(looped),
            Err(SchemaError::Unsupported { .. })
        ));
        let odd = r#"{"type":"object","properties":{"a":{"type":"tuple"}}}"#;
        assert!(Schema::from_json_schema(odd).is_err());
    }
}
