//! Base plans: each read and parsed once per run (however many test files
//! name it), each of its top-level fields written as JSON once, and a
//! case's plan written from them, only the fields its edits touch being
//! copied, edited and written again. The bytes are those of the whole plan
//! copied, edited and written with `serde_json::to_vec`.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value as Json;

use super::{edit, steps, Case, Step};

/// A base plan, parsed, with its top-level fields written as compact JSON.
#[derive(Debug)]
pub(super) struct BasePlan {
    /// The plan as parsed.
    pub json: Json,
    /// Each top-level field as `"key":value`, when the plan is an object.
    fields: Option<HashMap<String, Vec<u8>>>,
    /// The bytes of all the fields together.
    size: usize,
}

impl BasePlan {
    fn new(json: Json) -> BasePlan {
        let fields = match &json {
            Json::Object(map) => {
                let mut fields = HashMap::with_capacity(map.len());
                for (k, v) in map {
                    let mut out = Vec::new();
                    if write_field(&mut out, k, v).is_err() {
                        return BasePlan::whole(json);
                    }
                    fields.insert(k.clone(), out);
                }
                Some(fields)
            }
            _ => None,
        };
        let size = fields.iter().flatten().map(|(_, b)| b.len() + 1).sum();
        BasePlan { json, fields, size }
    }

    /// A plan that is only ever copied whole.
    fn whole(json: Json) -> BasePlan {
        BasePlan {
            json,
            fields: None,
            size: 0,
        }
    }

    /// The bytes of this plan with `case`'s edits made (`remove`, then
    /// `set`, then `none`, as [`super::build_plan`] makes them), or the
    /// first edit's error. `None` when the plan is not an object or a path
    /// cannot be read: the caller then edits a copy of the whole plan.
    pub(super) fn edited(&self, case: &Case) -> Option<Result<Vec<u8>, String>> {
        let (Json::Object(map), Some(fields)) = (&self.json, &self.fields) else {
            return None;
        };
        // The top-level fields the edits reach (every path starts with a key).
        let mut touched: Vec<String> = Vec::new();
        // Whether an edit removes one of the plan's own fields.
        let mut removes_field = false;
        let paths = case
            .remove
            .iter()
            .chain(case.set.keys())
            .chain(case.none.iter());
        for (i, path) in paths.enumerate() {
            let Ok(steps) = steps(path) else {
                return None;
            };
            removes_field |= i < case.remove.len() && steps.len() == 1;
            match steps.first() {
                Some(Step::Key(k)) => {
                    if !touched.contains(k) {
                        touched.push(k.clone());
                    }
                }
                _ => return None,
            }
        }
        // Most edits change fields inside the plan's fields: then only the
        // fields they touch are copied and edited, and the plan keeps its
        // fields in their order.
        let touched_here = || touched.iter().filter(|k| map.contains_key(k.as_str()));
        let mut plan = Json::Object(
            touched_here()
                .filter_map(|k| map.get_key_value(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        if let Err(e) = apply(case, &mut plan) {
            return Some(Err(e));
        }
        if let (Json::Object(edited), false) = (&plan, removes_field) {
            let same_fields = edited.len() == touched_here().count()
                && edited.keys().all(|k| map.contains_key(k.as_str()));
            if same_fields {
                let mut out = Vec::with_capacity(self.size + 64);
                out.push(b'{');
                for (i, k) in map.keys().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    match (edited.get(k.as_str()), fields.get(k.as_str())) {
                        (Some(v), _) => {
                            if write_field(&mut out, k, v).is_err() {
                                return None;
                            }
                        }
                        (None, Some(bytes)) => out.extend_from_slice(bytes),
                        (None, None) => return None,
                    }
                }
                out.push(b'}');
                return Some(Ok(out));
            }
        }
        // Edits that add or remove one of the plan's own fields: every
        // field, untouched ones as placeholders, so that the edits give the
        // fields in the order the whole plan would have them.
        let mut plan = Json::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if touched.contains(k) {
                        v.clone()
                    } else {
                        Json::Null
                    };
                    (k.clone(), v)
                })
                .collect(),
        );
        if let Err(e) = apply(case, &mut plan) {
            return Some(Err(e));
        }
        let Json::Object(edited) = &plan else {
            return None;
        };
        let mut out = Vec::with_capacity(self.size + 64);
        out.push(b'{');
        for (i, (k, v)) in edited.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match fields.get(k) {
                Some(bytes) if !touched.contains(k) => out.extend_from_slice(bytes),
                _ => {
                    if write_field(&mut out, k, v).is_err() {
                        return None;
                    }
                }
            }
        }
        out.push(b'}');
        Some(Ok(out))
    }
}

/// Makes `case`'s edits to `plan`, in [`super::build_plan`]'s order.
fn apply(case: &Case, plan: &mut Json) -> Result<(), String> {
    for path in &case.remove {
        edit(plan, path, None)?;
    }
    for (path, value) in &case.set {
        edit(plan, path, Some(value.clone()))?;
    }
    for path in &case.none {
        edit(plan, path, Some(Json::Null))?;
    }
    Ok(())
}

/// Writes one field of an object as compact JSON: `"key":value`.
fn write_field(out: &mut Vec<u8>, key: &str, value: &Json) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *out, key)?;
    out.push(b':');
    serde_json::to_writer(&mut *out, value)
}

/// Why a base plan could not be had.
#[derive(Clone, Debug)]
pub(super) enum BaseError {
    /// It could not be read (the loader's message).
    Read(String),
    /// It is not JSON (serde_json's message).
    Json(String),
}

/// The base plans of one run, by path.
#[derive(Default)]
pub(super) struct BasePlans {
    plans: HashMap<String, Result<Rc<BasePlan>, BaseError>>,
}

impl BasePlans {
    /// The base plan at `path`, read through `read` the first time.
    pub(super) fn get(
        &mut self,
        path: &str,
        read: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Rc<BasePlan>, BaseError> {
        if let Some(p) = self.plans.get(path) {
            return p.clone();
        }
        let plan = read(path).map_err(BaseError::Read).and_then(|t| {
            serde_json::from_str::<Json>(&t)
                .map(|json| Rc::new(BasePlan::new(json)))
                .map_err(|e| BaseError::Json(e.to_string()))
        });
        self.plans.insert(path.to_string(), plan.clone());
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::super::{build_plan, case_plans, read_test_file};
    use super::*;

    /// The bytes `edited` gives are those of the whole plan copied, edited
    /// and written, for edits inside a field, edits that add a field,
    /// remove one (and set it again), list elements, none, an edit that
    /// fails, and no edits.
    #[test]
    fn a_case_plan_is_the_whole_plan_edited_and_written() {
        let base = serde_json::json!({
            "child": {"id": "x", "date_of_birth": "2010-01-01"},
            "placements": [{"a": 1}, {"a": 2}],
            "b": true,
            "z": "last"
        });
        let plan = BasePlan::new(base.clone());
        let file = read_test_file(
            r#"
[[case]]
name = "inside a field"
[case.set]
"child.id" = "y"
"placements[1].a" = 3

[[case]]
name = "a new field"
[case.set]
"education.pep.in_place" = true
"a" = 1

[[case]]
name = "a field removed, then set again"
remove = ["child"]
[case.set]
"child.id" = "z"

[[case]]
name = "a field removed"
remove = ["z", "nothing.here"]

[[case]]
name = "list elements and none"
remove = ["placements[0]"]
none = ["b", "child.id"]

[[case]]
name = "an edit that fails"
[case.set]
"b.c" = 1

[[case]]
name = "no edits"
"#,
        )
        .unwrap();
        let mut fast = 0;
        for case in &file.case {
            let want = build_plan(
                case,
                Some(Ok(&base)),
                "t.test.toml",
                &|_| Err("none".into()),
            )
            .map(|p| serde_json::to_vec(&p).unwrap());
            let got = plan.edited(case).unwrap();
            if got.is_err() {
                assert_eq!(case.name, "an edit that fails");
            }
            assert_eq!(got, want, "{}", case.name);
            fast += 1;
        }
        assert_eq!(fast, 7);
    }

    /// Every case of the built-in pack's tests on a base plan: the plan
    /// written from the base's fields is the plan `case_plans` builds whole.
    #[test]
    fn builtin_case_plans_are_the_whole_plans() {
        let sources: Vec<crate::load::Source> = crate::builtin::builtin_tests()
            .iter()
            .map(|(n, t)| crate::load::Source::new(*n, *t))
            .collect();
        let loader = crate::host::MemoryLoader::new(&sources);
        let read = |path: &str| crate::load::Loader::load(&loader, path);
        let mut bases = BasePlans::default();
        let mut compared = 0;
        for s in sources.iter().filter(|s| s.name.ends_with(".test.toml")) {
            let file = read_test_file(&s.text).unwrap();
            let Some(b) = &file.base else { continue };
            let base = bases
                .get(&crate::load::resolve_import(&s.name, b), &read)
                .unwrap();
            let whole = case_plans(&s.name, &s.text, &read).unwrap();
            for (case, want) in file.case.iter().zip(&whole) {
                if case.plan.is_some() || case.plan_json.is_some() {
                    continue;
                }
                let got = base.edited(case).unwrap().unwrap();
                assert_eq!(String::from_utf8(got).unwrap(), want.plan, "{}", case.name);
                compared += 1;
            }
        }
        assert!(compared > 200, "{compared}");
    }
}
