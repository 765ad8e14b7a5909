//! Base plans: each read and parsed once per run (however many test files
//! name it), each of its top-level fields written as JSON once, and a
//! case's plan written from them, only the fields its edits touch being
//! copied, edited and written again. The bytes are those of the whole plan
//! copied, edited and written with `serde_json::to_vec`.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde_json::Value as Json;

use super::{edit, steps, toml_to_json, Case, Step};

/// A base plan, parsed, with its top-level fields written as compact JSON.
#[derive(Debug)]
pub(super) struct BasePlan {
    /// The plan as parsed.
    pub json: Json,
    /// Each top-level field as `"key":value`, when the plan is an object.
    fields: Option<HashMap<String, Vec<u8>>>,
}

impl BasePlan {
    fn new(json: Json) -> BasePlan {
        let fields = match &json {
            Json::Object(map) => {
                let mut fields = HashMap::with_capacity(map.len());
                for (k, v) in map {
                    let mut out = Vec::new();
                    if serde_json::to_writer(&mut out, k).is_err() {
                        return BasePlan { json, fields: None };
                    }
                    out.push(b':');
                    if serde_json::to_writer(&mut out, v).is_err() {
                        return BasePlan { json, fields: None };
                    }
                    fields.insert(k.clone(), out);
                }
                Some(fields)
            }
            _ => None,
        };
        BasePlan { json, fields }
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
        let mut touched: HashSet<String> = HashSet::new();
        let paths = case
            .remove
            .iter()
            .chain(case.set.keys())
            .chain(case.none.iter());
        for path in paths {
            let Ok(steps) = steps(path) else {
                return None;
            };
            match steps.first() {
                Some(Step::Key(k)) => {
                    touched.insert(k.clone());
                }
                _ => return None,
            }
        }
        // Every field, untouched ones as placeholders: the edits then give
        // the plan's fields in the order the whole plan would have them.
        let mut plan = Json::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if touched.contains(k.as_str()) {
                        v.clone()
                    } else {
                        Json::Null
                    };
                    (k.clone(), v)
                })
                .collect(),
        );
        let edits = (|| {
            for path in &case.remove {
                edit(&mut plan, path, None)?;
            }
            for (path, value) in &case.set {
                edit(&mut plan, path, Some(toml_to_json(value)))?;
            }
            for path in &case.none {
                edit(&mut plan, path, Some(Json::Null))?;
            }
            Ok(())
        })();
        if let Err(e) = edits {
            return Some(Err(e));
        }
        let Json::Object(edited) = &plan else {
            return None;
        };
        let mut out = Vec::with_capacity(fields.values().map(Vec::len).sum::<usize>() + 64);
        out.push(b'{');
        for (i, (k, v)) in edited.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match fields.get(k) {
                Some(bytes) if !touched.contains(k.as_str()) => out.extend_from_slice(bytes),
                _ => {
                    if serde_json::to_writer(&mut out, k).is_err() {
                        return None;
                    }
                    out.push(b':');
                    if serde_json::to_writer(&mut out, v).is_err() {
                        return None;
                    }
                }
            }
        }
        out.push(b'}');
        Some(Ok(out))
    }
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
