//! `xhost plugin update`: moves each `oci://` pin whose tag now names another digest
//! to that digest — only when the new component is signed by the stage's `trust` keys
//! (when it names any) and asks for no capability the pinned one did not. A component
//! that asks for more is refused with what it adds, unless the caller allows it; a
//! refused update changes nothing.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::reference::OciRef;
use super::registry::Session;
use crate::cache_layout::CacheLayout;
use crate::config::{PluginRef, StageConfig};
use crate::report::Reporter;
use crate::runtime::{LoadedPlugin, Runtime};

/// What `update` found for one pinned reference (every stage using it).
pub struct Update {
    pub stages: Vec<String>,
    pub from: OciRef,
    pub outcome: Outcome,
}

pub enum Outcome {
    /// The reference has no tag to follow.
    NoTag,
    /// The tag still names the pinned digest.
    Current,
    /// The tag names `to`: moved (or, when refused, not).
    Moved(Change),
    Refused(Change),
}

/// A new digest and how its component differs in what it asks for.
pub struct Change {
    pub to: OciRef,
    /// Capabilities the new component asks for that the pinned one did not.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// The `trust` key that signed the new digest, when the stage names keys.
    pub signed_by: Option<String>,
}

/// Looks up every `oci://` plugin of `stages` and, unless `dry_run`, rewrites the pins
/// in `file` (xhost.toml) for those that may move.
pub fn update(
    file: &Path,
    stages: &[StageConfig],
    runtime: &Runtime,
    reporter: Arc<dyn Reporter>,
    allow_more: bool,
    dry_run: bool,
) -> Result<Vec<Update>> {
    let cache = CacheLayout::locate()?;
    let mut updates: Vec<Update> = Vec::new();
    for stage in stages {
        let PluginRef::Oci { reference, trust } = &stage.plugin else {
            continue;
        };
        if let Some(seen) = updates.iter_mut().find(|u| &u.from == reference) {
            seen.stages.push(stage.name.clone());
            continue;
        }
        let outcome = look(&cache, reference, trust, runtime, &reporter, allow_more)
            .with_context(|| format!("stage `{}`: {reference}", stage.name))?;
        updates.push(Update {
            stages: vec![stage.name.clone()],
            from: reference.clone(),
            outcome,
        });
    }
    let moved: Vec<(&OciRef, &OciRef)> = updates
        .iter()
        .filter_map(|u| match &u.outcome {
            Outcome::Moved(change) => Some((&u.from, &change.to)),
            _ => None,
        })
        .collect();
    if !dry_run && !moved.is_empty() {
        rewrite(file, &moved)?;
    }
    Ok(updates)
}

fn look(
    cache: &CacheLayout,
    reference: &OciRef,
    trust: &[std::path::PathBuf],
    runtime: &Runtime,
    reporter: &Arc<dyn Reporter>,
    allow_more: bool,
) -> Result<Outcome> {
    let Some(tag) = &reference.tag else {
        return Ok(Outcome::NoTag);
    };
    let session = Session::open(reference)?;
    let Some(now) = session.block_on(session.tag_digest(tag))? else {
        anyhow::bail!("the registry has no tag `{tag}` any more");
    };
    if Some(&now) == reference.digest.as_ref() {
        return Ok(Outcome::Current);
    }
    let to = reference.at(&now);
    // Signature first: an unsigned component is not even described.
    let new = super::component(cache, &to, trust)?;
    let old = super::component(cache, reference, &[])?;
    let before = asks(runtime, reference, &old.component, reporter)?;
    let after = asks(runtime, &to, &new.component, reporter)?;
    let change = Change {
        to,
        added: after.difference(&before).cloned().collect(),
        removed: before.difference(&after).cloned().collect(),
        signed_by: new.signed_by,
    };
    Ok(if change.added.is_empty() || allow_more {
        Outcome::Moved(change)
    } else {
        Outcome::Refused(change)
    })
}

/// What a component asks for: the capability interfaces it imports and what its
/// `describe` says it needs (programs, the source tree, signing keys).
fn asks(
    runtime: &Runtime,
    reference: &OciRef,
    bytes: &[u8],
    reporter: &Arc<dyn Reporter>,
) -> Result<BTreeSet<String>> {
    let label = reference.to_string();
    let plugin = Arc::new(LoadedPlugin::load(&label, bytes.to_vec().into())?);
    let mut asked: BTreeSet<String> = plugin
        .interfaces()
        .iter()
        .map(|i| format!("interface `{}`", i.split('@').next().unwrap_or(i)))
        .collect();
    let info = crate::plan::describe_alone(runtime, plugin, "update", reporter.clone())?;
    asked.extend(info.needs.programs.iter().map(|p| format!("program `{p}`")));
    if info.needs.source {
        asked.insert("the source tree".into());
    }
    if info.needs.signing_keys > 0 {
        asked.insert(format!("{} signing key(s)", info.needs.signing_keys));
    }
    Ok(asked)
}

/// Replaces each quoted old reference in `file` with the new one, atomically.
fn rewrite(file: &Path, moved: &[(&OciRef, &OciRef)]) -> Result<()> {
    let mut text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    for (from, to) in moved {
        let (from, to) = (format!("\"{from}\""), format!("\"{to}\""));
        anyhow::ensure!(
            text.contains(&from),
            "{}: cannot find {from} as written (is the reference built by a template?); change it by hand to {to}",
            file.display()
        );
        text = text.replace(&from, &to);
    }
    crate::files::write_atomic(file, text.as_bytes())
}
