//! Capabilities: what a stage can be granted beyond its own sandbox. Each is one
//! module with one lifecycle, listed once in [`REGISTRY`]:
//!
//! 1. its grant, `grants.<name>` in a stage table, checked name by name against the
//!    rest of the configuration ([`Capability::check_name`]);
//! 2. what it resolves when the build is planned: programs found, keys loaded
//!    ([`Capability::plan`], kept in the stage's [`Provisions`]);
//! 3. the contract interface it answers, linked only for stages granted it
//!    ([`Capability::link`]); a plugin importing it without the grant is refused
//!    before it runs ([`Capability::refusal`]);
//! 4. its state in each invocation's store ([`Capability::provide`]);
//! 5. its part of an invocation's action key ([`Capability::key_parts`]);
//! 6. what `check`, `plugin inspect` and the stage snippet say of it.
//!
//! Everything that handles grants loops over the registry: config checks, linking,
//! store state, action keys, `check` and `inspect` output, the world a plugin is in.
//! Adding a capability is a module here, its interface in `wit/` when plugins call
//! it, and one line in [`REGISTRY`] (`docs/ARCHITECTURE.md` has the recipe).

pub mod exec;
pub mod log;
pub mod net;
pub mod paths;
pub mod signing;
pub mod source;
pub mod v0_1;

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, bail};
use serde_json::Value;
use wasmtime::component::Linker;

use crate::artifacts::{Record, Store};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::{Config, ConfigError, Grant, Grants, KeySource, StageConfig};
use crate::keys::KeyRing;
use crate::plan::{Needs, PlannedStage};
use crate::plugin_sandbox::Roots;
use crate::plugin_sandbox::quota::Alarm;
use crate::report::Lane;
use crate::report::plugin_log::LogSink;
use crate::runtime::ProgramTime;
use crate::runtime::contract::Version;
use crate::runtime::state::{CapStates, StoreState};

/// Every capability, in the order `check` lists grants.
pub static REGISTRY: &[&dyn Capability] = &[
    &log::Log,
    &exec::Exec,
    &source::Source,
    &paths::Paths,
    &net::Net,
    &signing::Signing,
];

/// How a capability is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// To every stage; never written in `grants`.
    Always,
    /// `name = true`.
    Flag,
    /// `name = ["…", …]`; says what each name is (`program`, `key id`).
    Names(&'static str),
    /// Either: `name = true`, or `name = ["…", …]` to narrow it (`net`'s hosts).
    FlagOrNames(&'static str),
}

/// One capability's lifecycle. Every method but the first four has a default that
/// does nothing, for capabilities without that part.
pub trait Capability: Sync {
    /// Its name, which is also its key in a stage's `grants`.
    fn name(&self) -> &'static str;

    fn grant_kind(&self) -> GrantKind;

    /// The contract interface (`xhost:plugin/<interface>`) plugins call it through.
    fn interface(&self) -> Option<&'static str> {
        None
    }

    /// One line: what it gives a plugin.
    fn gives(&self) -> &'static str;

    /// The world (in `wit/worlds.wit`) that adds its interface to the base `plugin`.
    fn world(&self) -> Option<&'static str> {
        None
    }

    /// What to say when stage `stage`'s plugin `plugin` imports the interface without
    /// the grant.
    fn refusal(&self, stage: &str, plugin: &str) -> String {
        format!(
            "stage `{stage}`: plugin {plugin} imports `xhost:plugin/{}` ({}), but the stage does not grant it; if you trust the plugin, add `{}` to the stage's grants in xhost.toml",
            self.interface().unwrap_or(self.name()),
            self.gives(),
            self.name()
        )
    }

    /// Checks one granted name (a program, a key id) of stage `stage`.
    fn check_name(&self, _name: &str, _cx: &GrantCheck) -> Result<(), String> {
        Ok(())
    }

    /// What the stage's grant resolves to when the build is planned.
    fn plan(&self, _stage: &StageConfig, _cx: &PlanContext) -> Result<Option<Provision>> {
        Ok(None)
    }

    /// Adds its interface's host side to a linker.
    fn link(&self, _linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
        Ok(())
    }

    /// Puts its state for one call into `states`.
    fn provide(&self, _call: &Call, _states: &mut CapStates) -> Result<()> {
        Ok(())
    }

    /// Its parts of an invocation's action key, by name; `Err` when an invocation
    /// granted it cannot be cached at all.
    fn key_parts(
        &self,
        _stage: &PlannedStage,
        _keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        Ok(Vec::new())
    }

    /// How `xhost check` shows the grant of a planned stage.
    fn shown(&self, stage: &PlannedStage) -> String {
        match self.grant_kind() {
            GrantKind::Names(_) | GrantKind::FlagOrNames(_) => format!(
                "{} {}",
                self.name(),
                stage.config.grants.names(self.name()).join(" ")
            ),
            GrantKind::Always | GrantKind::Flag => self.name().to_string(),
        }
    }

    /// The grant `plugin inspect --stage-snippet` writes for what a plugin needs.
    fn snippet(&self, _needs: &Needs) -> Option<String> {
        None
    }
}

/// What checking a granted name can see of the configuration.
pub struct GrantCheck<'a> {
    pub stage: &'a str,
    /// `[signing.keys]`.
    pub keys: &'a BTreeMap<String, KeySource>,
    /// `[provenance] key`, with the line it is on.
    pub provenance: Option<(&'a str, usize)>,
}

/// What planning a grant can use.
pub struct PlanContext<'a> {
    pub config: &'a Config,
    /// Every key some stage is granted, loaded.
    pub keys: &'a KeyRing,
}

/// What a capability resolved for a stage at plan time, by its type.
pub type Provision = Box<dyn Any + Send + Sync>;

/// A stage's provisions, one per capability that planned something.
#[derive(Default)]
pub struct Provisions(HashMap<TypeId, Provision>);

impl Provisions {
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }

    fn insert(&mut self, provision: Provision) {
        self.0.insert((*provision).type_id(), provision);
    }
}

/// One call into a plugin: `describe` (no job, nothing granted works) or `run`.
pub enum Call<'a> {
    Describe { log: &'a LogSink },
    Run(&'a Invocation<'a>),
}

/// What a `run` invocation's capabilities are built from.
pub struct Invocation<'a> {
    pub stage: &'a PlannedStage,
    pub lane: &'a Lane,
    pub inputs: &'a [&'a Record],
    /// The artifact store the inputs are in.
    pub store: &'a Store,
    /// The canonical host directories behind `/in`, `/out` and `/src`.
    pub roots: Roots,
    /// The programs' homes and caches.
    pub tools: crate::cache_layout::ToolCaches,
    /// The invocation's private temporary directory.
    pub tmp: PathBuf,
    /// Raised when the invocation writes past its quota.
    pub alarm: Arc<Alarm>,
    pub log: LogSink,
    /// Time spent in native programs, not charged to the plugin.
    pub program_time: Arc<ProgramTime>,
    /// The signatures the plugin has the host make.
    pub signed: signing::Journal,
    /// What a fetch stage downloaded for the build (Go's module cache), if anything.
    pub fetched: Option<Fetched>,
}

/// The directory a fetch stage fills once and every later program reads: a fixed
/// output, named by the digest of what determines it (`crate::go_modules`).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub dir: PathBuf,
    /// This invocation is the fetch: its programs may write the directory.
    pub filling: bool,
}

/// The capability called `name`.
pub fn named(name: &str) -> Option<&'static dyn Capability> {
    REGISTRY.iter().copied().find(|c| c.name() == name)
}

/// The capability answering interface `interface` of the contract.
pub fn for_interface(interface: &str) -> Option<&'static dyn Capability> {
    REGISTRY
        .iter()
        .copied()
        .find(|c| c.interface() == Some(interface))
}

/// Whether `grants` give capability `capability`.
pub fn granted(capability: &dyn Capability, grants: &Grants) -> bool {
    capability.grant_kind() == GrantKind::Always || grants.has(capability.name())
}

/// Checks every grant of `stage` against the registry: known names, the right form,
/// and each name accepted by its capability. Errors point into `xhost.toml`.
pub fn check_grants(config: &Config, stage: &StageConfig) -> Result<(), ConfigError> {
    let cx = GrantCheck {
        stage: &stage.name,
        keys: &config.keys,
        provenance: config
            .provenance_key
            .as_deref()
            .map(|id| (id, config.provenance_line.unwrap_or(0))),
    };
    for (name, grant) in stage.grants.iter() {
        let known = REGISTRY
            .iter()
            .filter(|c| c.grant_kind() != GrantKind::Always)
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ");
        let capability = match named(name) {
            Some(c) if c.grant_kind() != GrantKind::Always => c,
            _ => {
                return Err(config.error_at(
                    grant.span.clone(),
                    format!("grants.{name}: there is no such grant; grants are {known}"),
                ));
            }
        };
        match (capability.grant_kind(), &grant.value) {
            (GrantKind::Flag | GrantKind::FlagOrNames(_), Grant::Flag(_)) => {}
            (GrantKind::Names(_) | GrantKind::FlagOrNames(_), Grant::Names(names)) => {
                for (value, span) in names {
                    capability.check_name(value, &cx).map_err(|m| {
                        config.error_at(span.clone(), format!("grants.{name}: {m}"))
                    })?;
                }
            }
            (GrantKind::Flag, _) => {
                return Err(config.error_at(
                    grant.span.clone(),
                    format!("grants.{name} is `true` or `false`"),
                ));
            }
            (GrantKind::Names(what), _) => {
                return Err(config.error_at(
                    grant.span.clone(),
                    format!("grants.{name} is a list of {what}s, e.g. `{name} = [\"…\"]`"),
                ));
            }
            (GrantKind::Always, _) => unreachable!("refused above"),
        }
    }
    Ok(())
}

/// Every capability's plan for `stage`.
pub fn plan(stage: &StageConfig, cx: &PlanContext) -> Result<Provisions> {
    let mut provisions = Provisions::default();
    for capability in REGISTRY.iter().filter(|c| granted(**c, &stage.grants)) {
        if let Some(provision) = capability.plan(stage, cx)? {
            provisions.insert(provision);
        }
    }
    Ok(provisions)
}

/// Refuses a plugin that imports a capability's interface its stage is not granted.
pub fn check_imports(
    stage: &str,
    plugin: &str,
    interfaces: &[&str],
    grants: &Grants,
) -> Result<()> {
    for interface in interfaces {
        if let Some(capability) = for_interface(interface)
            && !granted(capability, grants)
        {
            bail!(capability.refusal(stage, plugin));
        }
    }
    Ok(())
}

/// The capabilities `grants` give.
pub fn granted_by(grants: &Grants) -> impl Iterator<Item = &'static dyn Capability> + '_ {
    REGISTRY.iter().copied().filter(|c| granted(*c, grants))
}

/// The capabilities whose interfaces a plugin imports (besides `log`, always there).
pub fn imported_by<'a>(
    interfaces: &'a [&'a str],
) -> impl Iterator<Item = &'static dyn Capability> + 'a {
    REGISTRY.iter().copied().filter(|c| {
        c.grant_kind() == GrantKind::Always
            || c.interface().is_some_and(|i| interfaces.contains(&i))
    })
}

/// Links the interfaces of `capabilities`, in contract version `contract` (a plugin
/// built against an earlier one gets its frozen interfaces, answered by the same
/// capabilities: [`v0_1`]).
pub fn link<'a>(
    linker: &mut Linker<StoreState>,
    contract: Version,
    capabilities: impl Iterator<Item = &'a dyn Capability>,
) -> wasmtime::Result<()> {
    for capability in capabilities {
        match (contract, capability.interface()) {
            (Version::V0_2, _) => capability.link(linker)?,
            (Version::V0_1, Some(interface)) => v0_1::link(linker, interface)?,
            (Version::V0_1, None) => {}
        }
    }
    Ok(())
}

/// The capabilities' states for one call: every capability's refusing state for
/// `describe`; for `run`, those of the capabilities the stage is granted.
pub fn states(call: &Call) -> Result<CapStates> {
    let mut states = CapStates::default();
    for capability in REGISTRY {
        let provide = match call {
            Call::Describe { .. } => true,
            Call::Run(invocation) => granted(*capability, &invocation.stage.config.grants),
        };
        if provide {
            capability.provide(call, &mut states)?;
        }
    }
    Ok(states)
}

/// What `plugin inspect` says an imported contract interface is.
pub fn import_shown(interface: &str) -> String {
    match for_interface(interface) {
        Some(c) if c.grant_kind() == GrantKind::Always => format!("{interface} (always granted)"),
        Some(c) => format!("{interface}: needs grants.{}", c.name()),
        None => format!("{interface}: not a capability of this xhost"),
    }
}

/// The `grants` a plugin needing `needs` asks for, as TOML key-value pairs.
pub fn requested(needs: &Needs) -> Vec<String> {
    REGISTRY.iter().filter_map(|c| c.snippet(needs)).collect()
}

/// The smallest world holding the contract interfaces a plugin imports.
pub fn world_of(interfaces: &[&str]) -> &'static str {
    let worlds: std::collections::BTreeSet<&str> = interfaces
        .iter()
        .filter_map(|i| for_interface(i)?.world())
        .collect();
    match worlds.len() {
        0 => "plugin",
        1 => worlds.into_iter().next().expect("one world"),
        _ => "full-plugin",
    }
}
