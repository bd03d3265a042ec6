//! The artifacts of one pipeline so far. A stage's output at a path an artifact
//! already has replaces it (a stripper rewriting a binary) when the stage consumed
//! that artifact; anything else at an existing path is refused, so a stage cannot
//! swap out what another made and have checksums, signatures and provenance bless it.
//! New paths are added.
//!
//! An output may also stand in for artifacts at other paths: its metadata
//! [`SUPERSEDES`] names targets, and the artifacts of its kind for those targets that
//! its stage consumed leave the set (a universal Mach-O published instead of the
//! darwin/amd64 and darwin/arm64 binaries it was made of). Only consumed artifacts can
//! be superseded, as only consumed ones can be replaced.

use std::collections::BTreeSet;

use super::{Kind, Record};

/// The metadata key of an output that supersedes consumed artifacts: their targets,
/// `os/arch[/variant]`, separated by spaces.
pub const SUPERSEDES: &str = "supersedes";

#[derive(Debug, Default, Clone)]
pub struct ArtifactSet {
    records: Vec<Record>,
}

impl ArtifactSet {
    /// Adds a stage's outputs; `consumed` are the paths the stage was given as inputs,
    /// the only ones it may replace or supersede. Nothing changes when one output is
    /// refused.
    pub fn admit(
        &mut self,
        outputs: Vec<Record>,
        consumed: &BTreeSet<String>,
    ) -> Result<(), String> {
        for output in &outputs {
            if let Some(existing) = self.records.iter().find(|r| r.path == output.path)
                && !consumed.contains(&output.path)
            {
                return Err(format!(
                    "stage `{}` wrote `{}`, which stage `{}` made and `{}` did not consume; a stage may replace only artifacts it consumes: give the output another name, or have the stage consume {} artifacts",
                    output.stage,
                    output.path,
                    existing.stage,
                    output.stage,
                    existing.kind.name()
                ));
            }
        }
        let mut superseded = BTreeSet::new();
        for output in &outputs {
            superseded.extend(self.superseded_by(output, consumed)?);
        }
        self.records.retain(|r| !superseded.contains(&r.path));
        for output in outputs {
            self.upsert(output);
        }
        Ok(())
    }

    /// The paths of the consumed artifacts `output` supersedes ([`SUPERSEDES`]); an
    /// error when it names a target none of whose artifacts of its kind were consumed.
    fn superseded_by(
        &self,
        output: &Record,
        consumed: &BTreeSet<String>,
    ) -> Result<Vec<String>, String> {
        let mut paths = Vec::new();
        let targets = output
            .meta
            .iter()
            .filter(|(key, _)| key == SUPERSEDES)
            .flat_map(|(_, value)| value.split_whitespace());
        for target in targets {
            let before = paths.len();
            paths.extend(
                self.records
                    .iter()
                    .filter(|r| {
                        r.kind == output.kind
                            && consumed.contains(&r.path)
                            && r.target.as_ref().is_some_and(|t| t.to_string() == target)
                    })
                    .map(|r| r.path.clone()),
            );
            if paths.len() == before {
                return Err(format!(
                    "stage `{}` wrote `{}` superseding the {} artifacts of {}, but it consumed none; a stage may supersede only artifacts it consumes",
                    output.stage,
                    output.path,
                    output.kind.name(),
                    crate::report::sanitize::shown_name(target)
                ));
            }
        }
        Ok(paths)
    }

    /// A set of `records` at distinct paths (made elsewhere, checked by the caller).
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> ArtifactSet {
        let mut set = ArtifactSet::default();
        for record in records {
            set.upsert(record);
        }
        set
    }

    pub fn upsert(&mut self, record: Record) {
        match self.records.iter_mut().find(|r| r.path == record.path) {
            Some(existing) => *existing = record,
            None => self.records.push(record),
        }
    }

    /// Drops each of `records` still present as it was (same path and content).
    pub fn remove_unchanged(&mut self, records: &[Record]) {
        self.records.retain(|r| {
            !records
                .iter()
                .any(|o| o.path == r.path && o.sha256 == r.sha256 && o.stage == r.stage)
        });
    }

    /// A message when `other` has a file at a path this set has from another target
    /// (two targets' archives with one name, say): merging would lose one of them.
    pub fn clash_with(&self, other: &ArtifactSet) -> Option<String> {
        other.records.iter().find_map(|theirs| {
            let ours = self
                .records
                .iter()
                .find(|r| r.path == theirs.path && r.target != theirs.target)?;
            let name = |t: &Option<crate::target::Target>| {
                t.as_ref().map_or("release".to_string(), ToString::to_string)
            };
            Some(format!(
                "targets {} and {} both produced `{}` (stages `{}` and `{}`); give per-target outputs names that include the target",
                name(&ours.target),
                name(&theirs.target),
                theirs.path,
                ours.stage,
                theirs.stage
            ))
        })
    }

    pub fn extend(&mut self, other: ArtifactSet) {
        for record in other.records {
            self.upsert(record);
        }
    }

    /// The artifacts of the given kinds, in path order.
    pub fn select(&self, kinds: &[Kind]) -> Vec<&Record> {
        let mut chosen: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| kinds.contains(&r.kind))
            .collect();
        chosen.sort_by(|a, b| a.path.cmp(&b.path));
        chosen
    }

    /// All artifacts, in path order.
    pub fn into_sorted(mut self) -> Vec<Record> {
        self.records.sort_by(|a, b| a.path.cmp(&b.path));
        self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str, kind: Kind, target: Option<&str>, stage: &str) -> Record {
        Record {
            path: path.into(),
            kind,
            target: target.map(|t| t.parse().unwrap()),
            sha256: "0".repeat(64),
            size: 1,
            executable: kind == Kind::Binary,
            meta: Vec::new(),
            stage: stage.into(),
            plugin: format!("builtin:{stage}"),
            plugin_digest: String::new(),
        }
    }

    fn paths(set: &ArtifactSet) -> Vec<String> {
        set.clone()
            .into_sorted()
            .into_iter()
            .map(|r| r.path)
            .collect()
    }

    /// Per-arch darwin binaries and their SBOMs, and a linux binary.
    fn built() -> ArtifactSet {
        let mut set = ArtifactSet::default();
        for (path, kind, target) in [
            ("h_darwin_amd64/h", Kind::Binary, "darwin/amd64"),
            ("h_darwin_arm64/h", Kind::Binary, "darwin/arm64"),
            ("h_darwin_arm64/h.spdx.json", Kind::Sbom, "darwin/arm64"),
            ("h_linux_amd64/h", Kind::Binary, "linux/amd64"),
        ] {
            set.upsert(record(path, kind, Some(target), "compile"));
        }
        set
    }

    fn universal(supersedes: Option<&str>) -> Record {
        let mut output = record("h_darwin_all/h", Kind::Binary, None, "universal");
        if let Some(targets) = supersedes {
            output.meta.push((SUPERSEDES.into(), targets.into()));
        }
        output
    }

    fn consumed(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn an_output_adds_or_replaces_only_what_was_consumed() {
        let mut set = built();
        let stripped = record(
            "h_linux_amd64/h",
            Kind::Binary,
            Some("linux/amd64"),
            "strip",
        );
        let err = set
            .admit(vec![stripped.clone()], &BTreeSet::new())
            .unwrap_err();
        assert!(err.contains("stage `strip` wrote `h_linux_amd64/h`, which stage `compile` made"));
        set.admit(vec![stripped], &consumed(&["h_linux_amd64/h"]))
            .unwrap();
        assert_eq!(set.select(&[Kind::Binary])[2].stage, "strip");
        set.admit(vec![universal(None)], &BTreeSet::new()).unwrap();
        assert_eq!(paths(&set).len(), 5);
    }

    #[test]
    fn supersedes_the_consumed_artifacts_of_its_kind_for_the_targets_it_names() {
        let mut set = built();
        let all = consumed(&[
            "h_darwin_amd64/h",
            "h_darwin_arm64/h",
            "h_darwin_arm64/h.spdx.json",
            "h_linux_amd64/h",
        ]);
        set.admit(vec![universal(Some("darwin/amd64 darwin/arm64"))], &all)
            .unwrap();
        // The SBOM is another kind; the linux binary another target.
        assert_eq!(
            paths(&set),
            [
                "h_darwin_all/h",
                "h_darwin_arm64/h.spdx.json",
                "h_linux_amd64/h"
            ]
        );
    }

    #[test]
    fn supersedes_nothing_it_did_not_consume() {
        let mut set = built();
        let before = paths(&set);
        let only_amd64 = consumed(&["h_darwin_amd64/h"]);
        let err = set
            .admit(
                vec![universal(Some("darwin/amd64 darwin/arm64"))],
                &only_amd64,
            )
            .unwrap_err();
        assert!(
            err.contains("stage `universal` wrote `h_darwin_all/h` superseding the binary artifacts of darwin/arm64, but it consumed none"),
            "{err}"
        );
        // A target the build has no artifact for, or one spelled with a variant.
        for target in ["windows/amd64", "darwin/amd64/v3", "no\u{1b}[2Jtarget"] {
            let err = set
                .admit(vec![universal(Some(target))], &only_amd64)
                .unwrap_err();
            assert!(err.contains("but it consumed none"), "{err}");
            assert!(!err.contains('\u{1b}'), "{err}");
        }
        assert_eq!(paths(&set), before, "a refused admission changed the set");
    }
}
