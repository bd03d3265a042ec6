//! The artifacts of one pipeline so far. A stage's output at a path an artifact
//! already has replaces it (a stripper rewriting a binary) when the stage consumed
//! that artifact; anything else at an existing path is refused, so a stage cannot
//! swap out what another made and have checksums, signatures and provenance bless it.
//! New paths are added.

use std::collections::BTreeSet;

use super::{Kind, Record};

#[derive(Debug, Default, Clone)]
pub struct ArtifactSet {
    records: Vec<Record>,
}

impl ArtifactSet {
    /// Adds a stage's outputs; `consumed` are the paths the stage was given as inputs,
    /// the only ones it may replace. Nothing is added when one output is refused.
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
        for output in outputs {
            self.upsert(output);
        }
        Ok(())
    }

    pub fn upsert(&mut self, record: Record) {
        match self.records.iter_mut().find(|r| r.path == record.path) {
            Some(existing) => *existing = record,
            None => self.records.push(record),
        }
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
