//! Putting a pack on its base: the manifest checked, the base pack's files
//! and the pack's own compiled together (so the pack's rules may use the
//! base's definitions and `override` its constants), the schema
//! extensions merged, disabled rules taken out, and the identity recorded.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::manifest::{self, span, FieldDecl, LearningDoc, MANIFEST};
use crate::ast::Span;
use crate::diagnostic::{did_you_mean, CompileError, Diagnostic, SourceRef};
use crate::load::{Loader, Source};
use crate::provenance::VERSION;
use crate::provenance::{ContentHash, DisabledRule, PackInfo, BUILTIN_PACK};
use crate::ruleset::{CompileOptions, RuleSet};
use crate::schema::NoneForm;
use crate::schema::{Schema, CASE_PLAN_SCHEMA};
use crate::schema_ext::{self, ExtType, Extension, MergeError};

/// Options for loading a pack.
#[derive(Clone, Debug, Default)]
pub struct PackOptions {
    /// Constant overrides given by the caller (the CLI's `--const`),
    /// applied after the pack's own.
    pub overrides: Vec<(String, String)>,
    /// A vendor's whole case-plan schema, as (file name, JSON Schema
    /// text), used in place of the built-in one; the pack's extensions
    /// are merged into it.
    pub schema: Option<(String, String)>,
}

/// A field a pack adds to the schema, as its manifest declares it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ExtensionField {
    /// The dotted path (`child.young_carer`).
    pub path: String,
    /// The type as written (`boolean`, `text`, `list`, ...).
    #[serde(rename = "type")]
    pub ty: String,
    /// For lists, the element type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    /// For text, the allowed values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// What it means.
    pub description: String,
    /// How "none" is recorded (`null`, `empty-list`, `false`, `never`).
    pub none: String,
}

struct PackFiles<'f> {
    root: &'f str,
    files: &'f BTreeMap<String, String>,
}

impl Loader for PackFiles<'_> {
    fn load(&self, path: &str) -> Result<String, String> {
        path.strip_prefix(self.root)
            .and_then(|rel| self.files.get(rel))
            .cloned()
            .ok_or_else(|| "the pack has no file of that name".to_string())
    }
}

struct Errors<'m> {
    src: SourceRef<'m>,
    list: Vec<Diagnostic>,
}

impl Errors<'_> {
    fn push(&mut self, code: &'static str, span: Span, message: String, help: impl Into<String>) {
        self.list
            .push(Diagnostic::error(code, self.src, span, message).with_help(help));
    }
}

const TYPES: [&str; 7] = [
    "text", "integer", "number", "boolean", "date", "list", "object",
];
const SCALARS: [&str; 5] = ["text", "integer", "number", "boolean", "date"];
const NONES: [&str; 4] = ["null", "empty-list", "false", "never"];

fn scalar(name: &str, values: Option<&Vec<String>>) -> Option<ExtType> {
    Some(match name {
        "text" => ExtType::Text(values.cloned()),
        "integer" => ExtType::Integer,
        "number" => ExtType::Number,
        "boolean" => ExtType::Boolean,
        "date" => ExtType::Date,
        _ => return None,
    })
}

fn one_of(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn valid_path(p: &str) -> bool {
    !p.is_empty()
        && p.split('.').all(|seg| {
            let mut chars = seg.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Checks one declaration and turns it into an extension.
fn extension(d: &FieldDecl, errors: &mut Errors<'_>) -> Option<(Extension, ExtensionField)> {
    let before = errors.list.len();
    let path = d.path.get_ref();
    if !valid_path(path) {
        errors.push(
            "field-path",
            span(&d.path),
            format!("`{path}` is not a field path"),
            "write a dotted path of lowercase names, such as `child.young_carer`",
        );
    }
    let ty_name = d.ty.get_ref().as_str();
    let values = d.values.as_ref().map(|v| v.get_ref());
    if let Some(v) = &d.values {
        if !matches!(ty_name, "text" | "list") {
            errors.push(
                "field-values",
                span(v),
                format!("`values` applies to text fields, and `{path}` is `{ty_name}`"),
                "remove `values`, or make the field `type = \"text\"`",
            );
        }
    }
    let ty = match ty_name {
        "list" => match &d.items {
            Some(items) => match scalar(items.get_ref(), values) {
                Some(t) => Some(ExtType::List(Box::new(t))),
                None => {
                    errors.push(
                        "field-type",
                        span(items),
                        format!("`{}` is not an element type", items.get_ref()),
                        format!("list elements are one of {}", one_of(&SCALARS)),
                    );
                    None
                }
            },
            None => {
                errors.push(
                    "field-type",
                    span(&d.ty),
                    format!("list field `{path}` does not say the type of its elements"),
                    "add `items = \"text\"` (or another element type)",
                );
                None
            }
        },
        "object" => Some(ExtType::Object),
        other => match scalar(other, values) {
            Some(t) => Some(t),
            None => {
                let help = match did_you_mean(other, TYPES) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("a field's type is one of {}", one_of(&TYPES)),
                };
                errors.push(
                    "field-type",
                    span(&d.ty),
                    format!("`{other}` is not a field type"),
                    help,
                );
                None
            }
        },
    };
    let none = match d.none.get_ref().as_str() {
        "null" => Some(NoneForm::Null),
        "empty-list" => Some(NoneForm::EmptyList),
        "false" => Some(NoneForm::False),
        "never" => Some(NoneForm::Value),
        other => {
            errors.push(
                "field-none",
                span(&d.none),
                format!("`{other}` is not a way of recording \"none\""),
                format!("write one of {}", one_of(&NONES)),
            );
            None
        }
    };
    match (if ty.is_some() { ty_name } else { "" }, none) {
        ("", _) => {}
        ("list", Some(n)) if n != NoneForm::EmptyList => errors.push(
            "field-none",
            span(&d.none),
            format!("list field `{path}` must record \"none\" as an empty list"),
            "write `none = \"empty-list\"`: a present list is a complete record",
        ),
        (t, Some(NoneForm::EmptyList)) if t != "list" => errors.push(
            "field-none",
            span(&d.none),
            format!("`{path}` is not a list, so \"none\" cannot be an empty list"),
            "write `none = \"null\"`, or `\"never\"` if the fact has no \"none\"",
        ),
        (t, Some(NoneForm::False)) if t != "boolean" => errors.push(
            "field-none",
            span(&d.none),
            format!("`{path}` is not true-or-false, so \"none\" cannot be `false`"),
            "write `none = \"null\"`, or `\"never\"` if the fact has no \"none\"",
        ),
        _ => {}
    }
    if let Some(u) = &d.unknown {
        if u.get_ref() != "absent" {
            errors.push(
                "field-unknown",
                span(u),
                format!("`{}` is not how \"not known\" is recorded", u.get_ref()),
                "a fact that is not known is always left out of the plan: write `unknown = \"absent\"` or leave the key out",
            );
        }
    }
    if errors.list.len() != before {
        return None;
    }
    let (ty, none) = (ty?, none?);
    Some((
        Extension {
            path: path.clone(),
            ty,
            description: d.description.get_ref().clone(),
            none,
        },
        ExtensionField {
            path: path.clone(),
            ty: ty_name.to_string(),
            items: d.items.as_ref().map(|i| i.get_ref().clone()),
            values: values.cloned(),
            description: d.description.get_ref().clone(),
            none: d.none.get_ref().clone(),
        },
    ))
}

fn no_manifest(root: &str) -> CompileError {
    CompileError::one(
        Diagnostic::error(
            "manifest",
            SourceRef {
                name: &format!("{root}{MANIFEST}"),
                text: "",
            },
            Span::default(),
            format!("the pack has no `{MANIFEST}`"),
        )
        .with_help("a local pack starts with a `pack.toml` naming it; see docs/packs.md"),
    )
}

fn files_named<'m>(
    listed: Option<&'m Vec<crate::toml_table::Spanned<String>>>,
    files: &BTreeMap<String, String>,
    keep: fn(&str) -> bool,
    what: &str,
    errors: &mut Errors<'_>,
) -> Vec<String> {
    match listed {
        None => files.keys().filter(|k| keep(k)).cloned().collect(),
        Some(list) => {
            let mut out = Vec::new();
            for f in list {
                if files.contains_key(f.get_ref()) {
                    out.push(f.get_ref().clone());
                } else {
                    let help = match did_you_mean(f.get_ref(), files.keys().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "paths are relative to the directory holding `pack.toml`".into(),
                    };
                    errors.push(
                        "missing-file",
                        span(f),
                        format!("the pack has no {what} file `{}`", f.get_ref()),
                        help,
                    );
                }
            }
            out
        }
    }
}

fn is_rules(name: &str) -> bool {
    name.ends_with(".cpr") && !name.starts_with("tests/") && !name.contains("/tests/")
}

fn is_test(name: &str) -> bool {
    name.ends_with(".test.toml")
}

/// A compiled local pack: what it is made of and its rule set.
#[derive(Debug)]
pub struct Pack {
    /// The manifest's `name`.
    pub name: String,
    /// The manifest's `version`.
    pub version: String,
    /// What the pack is for, if the manifest says.
    pub description: Option<String>,
    /// The pack it builds on.
    pub extends: Option<String>,
    /// The engine versions it supports, as written (`>=0.1, <0.2`).
    pub engine: Option<String>,
    /// Who wrote it.
    pub authors: Vec<String>,
    /// The learning documents it encodes.
    pub learning: Vec<LearningDoc>,
    /// Its files (manifest, rules, tests, fixtures), by path inside the pack.
    pub files: BTreeMap<String, String>,
    /// Its rules files, by path inside the pack.
    pub rules_files: Vec<String>,
    /// Its rule test files, by path inside the pack.
    pub test_files: Vec<String>,
    /// The fields it adds to the case-plan schema.
    pub extensions: Vec<ExtensionField>,
    /// The schema its rules are compiled against (the base schema with the
    /// extensions merged in), as JSON Schema text.
    pub schema_json: String,
    /// Where the files were read from, for messages (`rules/x/`, or the
    /// bundle's name and `:`).
    pub root: String,
    pub(crate) rule_set: RuleSet,
    /// The rules with the disabled ones kept, for the base pack's tests.
    pub(crate) full_rules: RuleSet,
}

impl Pack {
    /// Compiles a pack from its files (paths inside the pack, `/`-separated,
    /// the manifest at `pack.toml`). `root` prefixes file names in messages.
    /// Nothing is returned unless every part loads.
    pub fn from_files(
        root: &str,
        files: BTreeMap<String, String>,
        options: &PackOptions,
    ) -> Result<Pack, CompileError> {
        compile(root, files, options)
    }

    /// Reads and verifies a bundle (see [`Pack::to_bundle`]) and compiles
    /// the pack in it. `name` is the bundle's file name, for messages.
    pub fn from_bundle(
        name: &str,
        text: &str,
        options: &PackOptions,
    ) -> Result<Pack, CompileError> {
        let files = super::bundle::read(name, text)?;
        compile(&format!("{name}:"), files, options)
    }

    /// The pack as one bundle file: JSON holding every file of the pack
    /// and the hash of their contents, checked when it is loaded.
    pub fn to_bundle(&self) -> String {
        super::bundle::write(&self.name, &self.version, &self.files)
    }

    /// The compiled rules (disabled rules left out).
    pub fn rule_set(&self) -> &RuleSet {
        &self.rule_set
    }

    /// The compiled rules, owned.
    pub fn into_rule_set(self) -> RuleSet {
        self.rule_set
    }

    /// What reports record about the pack.
    pub fn info(&self) -> &PackInfo {
        self.rule_set.pack_info()
    }
}

/// A pack's manifest checked and its layers gathered, before its rules are
/// compiled: the base pack's sources, the pack's rules and test files, and
/// the schema with the pack's fields merged in. The editor analysis uses it
/// to see the base pack and the extended schema even while a rule is broken.
pub(crate) struct Layers {
    manifest: manifest::Manifest,
    /// The base pack's rules files, as the compiler names them.
    pub base_sources: Vec<Source>,
    /// The pack's rules files, by path inside the pack.
    pub rules_files: Vec<String>,
    test_files: Vec<String>,
    fields: Vec<ExtensionField>,
    schema_json: String,
    /// The schema the pack's rules are checked against.
    pub schema: Schema,
}

pub(crate) fn compile(
    root: &str,
    files: BTreeMap<String, String>,
    options: &PackOptions,
) -> Result<Pack, CompileError> {
    let layers = layers(root, &files, options)?;
    compile_layers(root, files, layers, options)
}

/// Checks the manifest of the pack held in `files` and gathers its layers.
pub(crate) fn layers(
    root: &str,
    files: &BTreeMap<String, String>,
    options: &PackOptions,
) -> Result<Layers, CompileError> {
    let manifest_name = format!("{root}{MANIFEST}");
    let Some(text) = files.get(MANIFEST) else {
        return Err(no_manifest(root));
    };
    let m = manifest::parse(&manifest_name, text).map_err(|d| CompileError::one(*d))?;
    let mut errors = Errors {
        src: SourceRef {
            name: &manifest_name,
            text,
        },
        list: Vec::new(),
    };
    if m.pack.name.get_ref().trim().is_empty() {
        errors.push(
            "manifest",
            span(&m.pack.name),
            "the pack's `name` is empty".into(),
            "name the pack, such as `name = \"fictional-borough-local-pack\"`",
        );
    }
    if let Some(req) = &m.pack.engine {
        match manifest::engine_supports(req.get_ref(), VERSION) {
            Ok(true) => {}
            Ok(false) => errors.push(
                "engine-version",
                span(req),
                format!(
                    "this pack supports careprompt `{}`, and this is careprompt {VERSION}",
                    req.get_ref()
                ),
                "run the pack with an engine it supports, or test it on this one and widen `engine`",
            ),
            Err(why) => errors.push(
                "engine-version",
                span(req),
                why,
                "write the supported versions as bounds, such as `engine = \">=0.1, <0.2\"`",
            ),
        }
    }
    let base_sources: Vec<Source> = match &m.pack.extends {
        None => Vec::new(),
        Some(e) if e.get_ref() == BUILTIN_PACK => crate::builtin::builtin_sources(),
        Some(e) => {
            let help = match did_you_mean(e.get_ref(), [BUILTIN_PACK]) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the engine has one built-in pack to build on, `{BUILTIN_PACK}`; leave `extends` out for a pack that stands alone"),
            };
            errors.push(
                "unknown-pack",
                span(e),
                format!("there is no pack `{}` to build on", e.get_ref()),
                help,
            );
            Vec::new()
        }
    };
    let rules_files = files_named(m.pack.rules.as_ref(), files, is_rules, "rules", &mut errors);
    let test_files = files_named(m.pack.tests.as_ref(), files, is_test, "test", &mut errors);
    if rules_files.is_empty() && base_sources.is_empty() && errors.list.is_empty() {
        errors.push(
            "manifest",
            span(&m.pack.name),
            "the pack has no rules files and builds on no pack".into(),
            format!("add `.cpr` files, or `extends = \"{BUILTIN_PACK}\"`"),
        );
    }
    let mut extensions = Vec::new();
    let mut fields = Vec::new();
    for d in &m.field {
        if let Some((e, f)) = extension(d.get_ref(), &mut errors) {
            extensions.push(e);
            fields.push(f);
        }
    }
    let (base_name, base_schema) = match &options.schema {
        Some((n, t)) => (n.as_str(), t.as_str()),
        None => ("case-plan.schema.json", CASE_PLAN_SCHEMA),
    };
    let schema_json = if extensions.is_empty() {
        base_schema.to_string()
    } else {
        match schema_ext::merge(base_schema, &extensions) {
            Ok(t) => t,
            Err((i, why)) => {
                let at = m
                    .field
                    .iter()
                    .map(|d| span(&d.get_ref().path))
                    .nth(i)
                    .unwrap_or_default();
                let help = match &why {
                    MergeError::Clash { .. } => "a pack adds fields the base schema lacks; rename the field (or drop the declaration and use the base field)".to_string(),
                    MergeError::NoParent { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
                    MergeError::NoParent { .. } => "declare the object it belongs to first (`type = \"object\"`), or correct the path".to_string(),
                    MergeError::NotObject { .. } => "only objects hold fields; choose a path under an object".to_string(),
                    MergeError::Base(_) => format!("check `{base_name}`"),
                };
                let code = if matches!(why, MergeError::Clash { .. }) {
                    "field-clash"
                } else {
                    "field-path"
                };
                errors.push(code, at, why.to_string(), help);
                String::new()
            }
        }
    };
    if !errors.list.is_empty() {
        return Err(CompileError {
            diagnostics: errors.list,
        });
    }
    let schema = Schema::from_json_schema(&schema_json).map_err(|e| {
        CompileError::one(
            Diagnostic::error(
                "schema",
                SourceRef {
                    name: base_name,
                    text: base_schema,
                },
                Span::default(),
                e.to_string(),
            )
            .with_help("the schema must be JSON Schema of the subset docs/packs.md lists"),
        )
    })?;
    Ok(Layers {
        manifest: m,
        base_sources,
        rules_files,
        test_files,
        fields,
        schema_json,
        schema,
    })
}

/// Compiles the pack held in `files` on the layers [`layers`] gathered.
pub(crate) fn compile_layers(
    root: &str,
    files: BTreeMap<String, String>,
    layers: Layers,
    options: &PackOptions,
) -> Result<Pack, CompileError> {
    let Layers {
        manifest: m,
        base_sources,
        rules_files,
        test_files,
        fields,
        schema_json,
        schema,
    } = layers;
    let manifest_name = format!("{root}{MANIFEST}");
    let Some(text) = files.get(MANIFEST) else {
        return Err(no_manifest(root));
    };
    let mut errors = Errors {
        src: SourceRef {
            name: &manifest_name,
            text,
        },
        list: Vec::new(),
    };
    let mut sources = base_sources.clone();
    for f in &rules_files {
        if let Some(t) = files.get(f) {
            sources.push(Source::new(format!("{root}{f}"), t.clone()));
        }
    }
    let loader = PackFiles {
        root,
        files: &files,
    };
    let compile_options = CompileOptions {
        schema: Some(schema),
        overrides: options.overrides.clone(),
        loader: Some(&loader),
    };
    let mut rule_set = RuleSet::compile_with(&sources, &compile_options)?;
    // Disabled rules: each must exist, once, with a reason.
    let ids: Vec<String> = rule_set.rules.iter().map(|r| r.text.id.clone()).collect();
    let mut disabled = Vec::new();
    let mut notes = Vec::new();
    let mut seen = BTreeSet::new();
    for d in &m.disable {
        let d = d.get_ref();
        let id = d.rule.get_ref();
        if !ids.contains(id) {
            let help = match did_you_mean(id, ids.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`careprompt pack` lists the rules; disable one of those".into(),
            };
            errors.push(
                "unknown-rule",
                span(&d.rule),
                format!("there is no rule `{id}` to disable"),
                help,
            );
            continue;
        }
        if !seen.insert(id.clone()) {
            errors.push(
                "duplicate",
                span(&d.rule),
                format!("rule `{id}` is disabled twice"),
                "keep one `[[disable]]` entry for it",
            );
            continue;
        }
        if d.reason.get_ref().trim().is_empty() {
            errors.push(
                "disable-reason",
                span(&d.reason),
                format!("rule `{id}` is disabled without a reason"),
                "say why the pack does not use it: the reason is shown in every report",
            );
            continue;
        }
        notes.push(
            Diagnostic::warning(
                "disabled-rule",
                errors.src,
                span(&d.rule),
                format!("rule `{id}` is disabled: {}", d.reason.get_ref()),
            )
            .with_help("remove its `[[disable]]` entry to use the rule again"),
        );
        disabled.push(DisabledRule {
            rule: id.clone(),
            reason: d.reason.get_ref().clone(),
        });
    }
    if !errors.list.is_empty() {
        return Err(CompileError {
            diagnostics: errors.list,
        });
    }
    let full_rules = rule_set.clone();
    rule_set
        .rules
        .retain(|r| !disabled.iter().any(|d| d.rule == r.text.id));
    // The identity: the base's files, the pack's rules files (by their path
    // in the pack, so the hash does not depend on where the pack sits), the
    // schema and the disabled rules.
    let mut h = ContentHash::new();
    for s in &base_sources {
        h.part("base", &s.name, s.text.as_bytes());
    }
    for f in &rules_files {
        if let Some(t) = files.get(f) {
            h.part("rules", f, t.as_bytes());
        }
    }
    h.part("schema", "", schema_json.as_bytes());
    for d in &disabled {
        h.part("disable", &d.rule, d.reason.as_bytes());
    }
    rule_set.pack = Arc::new(PackInfo {
        name: Some(m.pack.name.get_ref().clone()),
        version: Some(m.pack.version.get_ref().clone()),
        extends: m.pack.extends.as_ref().map(|e| e.get_ref().clone()),
        hash: h.finish(),
        overrides: rule_set.pack.overrides.clone(),
        disabled,
    });
    rule_set.pack_notes = notes;
    Ok(Pack {
        name: m.pack.name.get_ref().clone(),
        version: m.pack.version.get_ref().clone(),
        description: m.pack.description.clone(),
        extends: m.pack.extends.as_ref().map(|e| e.get_ref().clone()),
        engine: m.pack.engine.as_ref().map(|e| e.get_ref().clone()),
        authors: m.pack.authors.clone(),
        learning: m.learning.clone(),
        rules_files,
        test_files,
        extensions: fields,
        schema_json,
        root: root.to_string(),
        rule_set,
        full_rules,
        files,
    })
}
