//! A local pack in the workspace: the manifest (`pack.toml`) checked, the
//! rules compiled on the pack it extends by the pack module's own layering
//! (the same as `careprompt check PACK`), the base pack's files held
//! read-only, and the pack's schema (with its `[[field]]`s) kept for
//! completion and hover even while a rule does not compile.

use std::collections::BTreeMap;

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::load::Source;
use crate::pack::{compile_layers, layers, PackOptions, MANIFEST};

use super::{Doc, FileKind, Workspace};

impl Workspace {
    /// Compiles the workspace as the local pack whose manifest is
    /// `manifest`: the files under the manifest's directory are the pack.
    pub(super) fn compile_pack(&mut self, manifest: &str) {
        let root = manifest.strip_suffix(MANIFEST).unwrap_or_default();
        // Rules files are given as the tolerant parse left them (the items
        // that parse), so one broken item does not hide every other problem.
        let files: BTreeMap<String, String> = self
            .files
            .iter()
            .filter_map(|(name, doc)| {
                let rel = name.strip_prefix(root)?;
                let text = if doc.kind == FileKind::Rules {
                    doc.parsed.clean.clone()
                } else {
                    doc.text.clone()
                };
                Some((rel.to_string(), text))
            })
            .collect();
        let options = PackOptions::default();
        let layered = match layers(root, &files, &options) {
            Ok(l) => l,
            Err(e) => {
                self.base.clear();
                self.pack_schema = None;
                self.rules = None;
                self.compile_diagnostics = e.diagnostics;
                return;
            }
        };
        self.set_base(&layered.base_sources);
        self.pack_schema = Some(layered.schema.clone());
        let unlisted = self.unlisted(root, &layered.rules_files);
        match compile_layers(root, files, layered, &options) {
            Ok(pack) => {
                let rules = pack.into_rule_set();
                self.compile_diagnostics = super::lint_diagnostics(&rules);
                self.rules = Some(rules);
            }
            Err(e) => {
                self.compile_diagnostics = e.diagnostics;
                self.rules = None;
            }
        }
        self.compile_diagnostics.extend(unlisted);
    }

    /// A warning on each rules file held under the pack's directory that
    /// is not one of the pack's rules files (so not compiled, as the CLI
    /// would not compile it).
    fn unlisted(&self, root: &str, rules_files: &[String]) -> Vec<Diagnostic> {
        self.files
            .iter()
            .filter(|(_, d)| d.kind == FileKind::Rules)
            .filter_map(|(name, doc)| {
                let rel = name.strip_prefix(root)?;
                if rules_files.iter().any(|f| f == rel) {
                    return None;
                }
                Some(
                    Diagnostic::warning(
                        "not-in-pack",
                        SourceRef {
                            name,
                            text: &doc.text,
                        },
                        Span::new(0, 0),
                        format!("`{rel}` is not one of the pack's rules files, so it is not checked"),
                    )
                    .with_help(format!(
                        "add it to `rules` in `{MANIFEST}`, or leave `rules` out to use every `.cpr` file outside `tests/`"
                    )),
                )
            })
            .collect()
    }

    /// Holds the base pack's files read-only (parsed again only when they
    /// change, which is when `extends` does).
    fn set_base(&mut self, sources: &[Source]) {
        let same = self.base.len() == sources.len()
            && sources
                .iter()
                .all(|s| self.base.get(&s.name).is_some_and(|d| d.text == s.text));
        if !same {
            self.base = sources
                .iter()
                .map(|s| (s.name.clone(), Doc::new(&s.name, &s.text)))
                .collect();
        }
    }
}
