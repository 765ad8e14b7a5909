//! Testing a pack: its own rule tests, and the base pack's tests run under
//! the pack's changes. A base test whose outcome the pack changes (by an
//! override) is reported as changed, not as a failure; expectations of a
//! disabled rule are set aside.

use serde::Serialize;

use super::layer::Pack;
use crate::provenance::BUILTIN_PACK;
use crate::ruleset::RuleSet;
use crate::testing::{run_tests, TestFailure, TestRun};

/// A base-pack expectation the pack changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangedOutcome {
    /// The test file.
    pub file: String,
    /// The case.
    pub case: String,
    /// The rule.
    pub rule: String,
    /// The outcome the base pack's test expects (and the base pack gives).
    pub base: String,
    /// The outcome under the pack.
    pub pack: String,
}

/// A base-pack test case that fails under the pack for a reason other
/// than the pack's changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaseFailure {
    /// The test file.
    pub file: String,
    /// The case.
    pub case: String,
    /// What went wrong, rule by rule.
    pub failures: Vec<TestFailure>,
    /// An error that stopped the case.
    pub error: Option<String>,
}

/// The base pack's tests run under the pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaseTestRun {
    /// The base pack's name.
    pub pack: String,
    /// Cases that passed, counting those whose only differences are
    /// the pack's changes.
    pub passed: usize,
    /// Cases that failed for other reasons.
    pub failed: usize,
    /// Expectations the pack changes.
    pub changed: Vec<ChangedOutcome>,
    /// Expectations of disabled rules, set aside.
    pub disabled_expectations: usize,
    /// The failures.
    pub failures: Vec<BaseFailure>,
}

/// A pack's test results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackTestRun {
    /// The pack's own tests.
    pub pack: TestRun,
    /// The base pack's tests under the pack, when it builds on one.
    pub base: Option<BaseTestRun>,
}

impl PackTestRun {
    /// Whether the pack's tests and the base's (changes aside) all pass.
    pub fn ok(&self) -> bool {
        self.pack.ok() && self.base.as_ref().is_none_or(|b| b.failed == 0)
    }
}

impl Pack {
    /// Runs the pack's tests (fixtures read from the pack) and, when the
    /// pack builds on the built-in pack, the built-in tests under it.
    pub fn run_tests(&self) -> PackTestRun {
        let tests: Vec<(String, String)> = self
            .test_files
            .iter()
            .filter_map(|f| {
                self.files
                    .get(f)
                    .map(|t| (format!("{}{f}", self.root), t.clone()))
            })
            .collect();
        let root = self.root.clone();
        let read = |path: &str| -> Result<String, String> {
            path.strip_prefix(root.as_str())
                .and_then(|rel| self.files.get(rel))
                .cloned()
                .ok_or_else(|| format!("the pack has no file `{path}`"))
        };
        let pack = run_tests(&self.rule_set, &tests, &read);
        let base = match self.extends.as_deref() {
            Some(BUILTIN_PACK) => self.base_tests(),
            _ => None,
        };
        PackTestRun { pack, base }
    }

    fn base_tests(&self) -> Option<BaseTestRun> {
        let all = crate::builtin::builtin_tests();
        let tests: Vec<(String, String)> = all
            .iter()
            .filter(|(n, _)| n.ends_with(".test.toml"))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let read = |path: &str| -> Result<String, String> {
            all.iter()
                .find(|(n, _)| *n == path)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| format!("the built-in pack has no file `{path}`"))
        };
        let base_rules = RuleSet::builtin().ok()?;
        let under_base = run_tests(&base_rules, &tests, &read);
        let under_pack = run_tests(&self.full_rules, &tests, &read);
        let disabled: Vec<&str> = self
            .info()
            .disabled
            .iter()
            .map(|d| d.rule.as_str())
            .collect();
        let mut run = BaseTestRun {
            pack: BUILTIN_PACK.to_string(),
            passed: 0,
            failed: 0,
            changed: Vec::new(),
            disabled_expectations: 0,
            failures: Vec::new(),
        };
        for (pf, bf) in under_pack.files.iter().zip(&under_base.files) {
            if let Some(e) = &pf.error {
                run.failed += 1;
                run.failures.push(BaseFailure {
                    file: pf.file.clone(),
                    case: String::new(),
                    failures: Vec::new(),
                    error: Some(e.message.clone()),
                });
            }
            for (pc, bc) in pf.cases.iter().zip(&bf.cases) {
                let mut real = Vec::new();
                for f in &pc.failures {
                    if disabled.contains(&f.rule.as_str()) {
                        run.disabled_expectations += 1;
                    } else if bc.error.is_none() && !bc.failures.iter().any(|b| b.rule == f.rule) {
                        run.changed.push(ChangedOutcome {
                            file: pf.file.clone(),
                            case: pc.name.clone(),
                            rule: f.rule.clone(),
                            base: f.expected.clone(),
                            pack: f.actual.clone(),
                        });
                    } else {
                        real.push(f.clone());
                    }
                }
                if real.is_empty() && pc.error.is_none() {
                    run.passed += 1;
                } else {
                    run.failed += 1;
                    run.failures.push(BaseFailure {
                        file: pf.file.clone(),
                        case: pc.name.clone(),
                        failures: real,
                        error: pc.error.clone(),
                    });
                }
            }
        }
        Some(run)
    }
}
