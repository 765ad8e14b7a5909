//! Schema extensions: fields a pack adds to the case-plan schema, merged
//! into the base schema's JSON Schema text so that the compiler, the plan
//! reader and any JSON Schema validator all see the same merged schema.

use crate::schema::NoneForm;
use serde_json::{json, Map, Value as Json};

/// The type of an extension field.
#[derive(Clone, Debug, PartialEq)]
pub enum ExtType {
    /// Text, or one of `values` when given.
    Text(Option<Vec<String>>),
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A list of elements of one type.
    List(Box<ExtType>),
    /// An object, whose fields are declared as further extensions.
    Object,
}

/// The word a manifest uses for how "none" is recorded: `null`,
/// `empty-list`, `false`, or `never` (the fact has no none). "Not known" is
/// always said by leaving the field out. The merged schema carries the same
/// form as its `x-none` annotation (docs/absence.md).
pub fn none_word(form: NoneForm) -> &'static str {
    match form {
        NoneForm::Null => "null",
        NoneForm::EmptyList => "empty-list",
        NoneForm::False => "false",
        NoneForm::Open => "open",
        NoneForm::Value => "never",
    }
}

/// One field a pack adds.
#[derive(Clone, Debug, PartialEq)]
pub struct Extension {
    /// The dotted path of the new field (`child.young_carer`); list
    /// elements are reached through the list's name (`placements.x`).
    pub path: String,
    /// Its type.
    pub ty: ExtType,
    /// What it means.
    pub description: String,
    /// How "none" is recorded.
    pub none: NoneForm,
}

/// Why an extension could not be merged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// The base schema already has a field at this path.
    #[error("`{path}` is already a field of the base schema")]
    Clash {
        /// The field's path.
        path: String,
    },
    /// A field on the way to the new one does not exist.
    #[error("`{missing}` is not a field of the schema, so `{path}` cannot be added under it")]
    NoParent {
        /// The new field's path.
        path: String,
        /// The first part of the path that is missing.
        missing: String,
        /// The closest existing name, if any is close.
        suggestion: Option<String>,
    },
    /// A field on the way is not an object.
    #[error("`{parent}` is not an object, so it cannot hold `{path}`")]
    NotObject {
        /// The new field's path.
        path: String,
        /// The field that is not an object.
        parent: String,
    },
    /// The base schema text is not a JSON object.
    #[error("the base schema is not a JSON Schema object: {0}")]
    Base(String),
}

const MAX_HOPS: usize = 32;

/// Follows `$ref`s and list `items` from `pointer` to the object schema
/// it stands for.
fn resolve(root: &Json, mut pointer: String) -> String {
    for _ in 0..MAX_HOPS {
        let Some(node) = root.pointer(&pointer) else {
            break;
        };
        if let Some(r) = node.get("$ref").and_then(Json::as_str) {
            if let Some(target) = r.strip_prefix('#') {
                pointer = target.to_string();
                continue;
            }
        }
        if node.get("items").is_some() {
            pointer.push_str("/items");
            continue;
        }
        break;
    }
    pointer
}

fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

fn is_object(node: &Json) -> bool {
    match node.get("type") {
        Some(Json::String(s)) => s == "object",
        Some(Json::Array(a)) => a.iter().any(|t| t == "object"),
        _ => node.get("properties").is_some(),
    }
}

fn node_for(ty: &ExtType, none: NoneForm, top: bool) -> Json {
    let nullable = top && none == NoneForm::Null;
    let with_null = |t: &str| {
        if nullable {
            json!([t, "null"])
        } else {
            json!(t)
        }
    };
    match ty {
        ExtType::Text(values) => {
            let mut m = Map::new();
            m.insert("type".into(), with_null("string"));
            if let Some(v) = values {
                let mut list: Vec<Json> = v.iter().map(|s| json!(s)).collect();
                if nullable {
                    list.push(Json::Null);
                }
                m.insert("enum".into(), Json::Array(list));
            }
            Json::Object(m)
        }
        ExtType::Integer => json!({ "type": with_null("integer") }),
        ExtType::Number => json!({ "type": with_null("number") }),
        ExtType::Boolean => json!({ "type": with_null("boolean") }),
        ExtType::Date => json!({ "type": with_null("string"), "format": "date" }),
        ExtType::List(elem) => {
            json!({ "type": with_null("array"), "items": node_for(elem, none, false) })
        }
        ExtType::Object => json!({
            "type": with_null("object"),
            "additionalProperties": false,
            "properties": {}
        }),
    }
}

fn description(e: &Extension) -> String {
    let none = match e.none {
        NoneForm::Null => "None: recorded as `null`.",
        NoneForm::EmptyList => "None: recorded as an empty list `[]`.",
        NoneForm::False => "None: recorded as `false`.",
        NoneForm::Value => "Has no \"none\" value.",
        NoneForm::Open => "Left out or `null`: the record is open (current).",
    };
    format!(
        "{} {none} Not known: the field is left out.",
        e.description.trim_end()
    )
}

/// Merges `extensions` (in order; a parent object before its fields) into
/// the JSON Schema `base`. Returns the merged schema, pretty-printed, or
/// the index of the first extension that could not be merged and why.
pub fn merge(base: &str, extensions: &[Extension]) -> Result<String, (usize, MergeError)> {
    let mut root: Json =
        serde_json::from_str(base).map_err(|e| (0, MergeError::Base(e.to_string())))?;
    if !root.is_object() {
        return Err((0, MergeError::Base("the top level is not an object".into())));
    }
    for (i, ext) in extensions.iter().enumerate() {
        let segs: Vec<&str> = ext.path.split('.').collect();
        let Some((last, parents)) = segs.split_last() else {
            continue;
        };
        let mut pointer = String::new();
        let mut walked: Vec<&str> = Vec::new();
        for seg in parents {
            let obj = resolve(&root, pointer.clone());
            let props = root.pointer(&format!("{obj}/properties"));
            match props.and_then(|p| p.get(*seg)) {
                Some(_) => {
                    pointer = format!("{obj}/properties/{}", escape(seg));
                    walked.push(seg);
                }
                None => {
                    walked.push(seg);
                    let names: Vec<&str> = props
                        .and_then(Json::as_object)
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let suggestion = crate::diagnostic::did_you_mean(seg, names).map(|s| {
                        let mut w = walked.clone();
                        w.pop();
                        w.push(s);
                        w.join(".")
                    });
                    return Err((
                        i,
                        MergeError::NoParent {
                            path: ext.path.clone(),
                            missing: walked.join("."),
                            suggestion,
                        },
                    ));
                }
            }
        }
        let obj = resolve(&root, pointer);
        let parent_name = parents.join(".");
        let holder = root.pointer_mut(&obj);
        let Some(Json::Object(holder)) = holder else {
            return Err((
                i,
                MergeError::NotObject {
                    path: ext.path.clone(),
                    parent: parent_name,
                },
            ));
        };
        if !is_object(&Json::Object(holder.clone())) {
            return Err((
                i,
                MergeError::NotObject {
                    path: ext.path.clone(),
                    parent: parent_name,
                },
            ));
        }
        let props = holder
            .entry("properties")
            .or_insert_with(|| Json::Object(Map::new()));
        let Json::Object(props) = props else {
            return Err((
                i,
                MergeError::NotObject {
                    path: ext.path.clone(),
                    parent: parent_name,
                },
            ));
        };
        if props.contains_key(*last) {
            return Err((
                i,
                MergeError::Clash {
                    path: ext.path.clone(),
                },
            ));
        }
        let mut node = node_for(&ext.ty, ext.none, true);
        if let Json::Object(m) = &mut node {
            m.insert("description".into(), json!(description(ext)));
            m.insert("x-none".into(), json!(ext.none.as_str()));
        }
        props.insert((*last).to_string(), node);
    }
    let mut text =
        serde_json::to_string_pretty(&root).map_err(|e| (0, MergeError::Base(e.to_string())))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldType, Schema};

    const BASE: &str = r##"{"type":"object","additionalProperties":false,
        "properties":{"child":{"$ref":"#/$defs/Child"},
                      "placements":{"type":"array","items":{"$ref":"#/$defs/P"}}},
        "$defs":{"Child":{"type":"object","properties":{"age":{"type":"integer"}}},
                 "P":{"type":"object","properties":{"start":{"type":"string","format":"date"}}}}}"##;

    fn ext(path: &str, ty: ExtType, none: NoneForm) -> Extension {
        Extension {
            path: path.into(),
            ty,
            description: "d".into(),
            none,
        }
    }

    #[test]
    fn adds_fields_through_refs_and_lists() {
        let merged = merge(
            BASE,
            &[
                ext("child.young_carer", ExtType::Boolean, NoneForm::Null),
                ext(
                    "placements.kind",
                    ExtType::Text(Some(vec!["a".into()])),
                    NoneForm::Value,
                ),
            ],
        )
        .unwrap();
        let s = Schema::from_json_schema(&merged).unwrap();
        let Some(FieldType::Object(child)) = s.root.fields.get("child").map(|f| &f.ty) else {
            panic!("child is an object")
        };
        assert_eq!(
            child.fields.get("young_carer").map(|f| &f.ty),
            Some(&FieldType::Bool)
        );
        assert!(merged.contains("\"x-none\": \"null\""));
        let Some(FieldType::List(p)) = s.root.fields.get("placements").map(|f| &f.ty) else {
            panic!("placements is a list")
        };
        let FieldType::Object(p) = p.as_ref() else {
            panic!()
        };
        assert!(p.fields.contains_key("kind"));
    }

    #[test]
    fn clashes_missing_parents_and_scalars_are_refused() {
        let e = merge(BASE, &[ext("child.age", ExtType::Integer, NoneForm::Value)]);
        assert!(matches!(e, Err((0, MergeError::Clash { .. }))));
        let e = merge(BASE, &[ext("chlid.x", ExtType::Integer, NoneForm::Value)]);
        let Err((0, MergeError::NoParent { suggestion, .. })) = e else {
            panic!("{e:?}")
        };
        assert_eq!(suggestion.as_deref(), Some("child"));
        let e = merge(
            BASE,
            &[ext("child.age.x", ExtType::Integer, NoneForm::Value)],
        );
        assert!(matches!(e, Err((0, MergeError::NotObject { .. }))));
    }
}
