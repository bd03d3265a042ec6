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
