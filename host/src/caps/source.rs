//! `grants.source`: the project directory, read-only, at `/src` (the plugin sandbox
//! mounts it, `crate::plugin_sandbox::Mounts`). The action key then holds the source
//! tree's digest and where the project is (plugins and programs see its path).

use serde_json::{Value, json};

use super::{Capability, GrantKind};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::Grants;
use crate::plan::{Needs, PlannedStage};

pub struct Source;

/// Whether `grants` give the source tree.
pub fn granted(grants: &Grants) -> bool {
    grants.has(Source.name())
}

impl Capability for Source {
    fn name(&self) -> &'static str {
        "source"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::Flag
    }

    fn gives(&self) -> &'static str {
        "the project directory, read-only, at /src"
    }

    fn key_parts(
        &self,
        _stage: &PlannedStage,
        keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        // The plugin sees the tree at /src, never where it lives: a checkout at another
        // path has the same key. (Programs unconfined see the path: `exec` adds it.)
        Ok(vec![("source", json!(keys.source_digest()?))])
    }

    fn shown(&self, _stage: &PlannedStage) -> String {
        "source (read-only /src)".into()
    }

    fn snippet(&self, needs: &Needs) -> Option<String> {
        needs.source.then(|| "source = true".to_string())
    }
}
