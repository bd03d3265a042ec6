//! The artifacts of one pipeline so far. A stage's output at a path an artifact
//! already has replaces it (a stripper rewriting a binary); anything else is added.

use super::{Kind, Record};

#[derive(Debug, Default, Clone)]
pub struct ArtifactSet {
    records: Vec<Record>,
}

impl ArtifactSet {
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
