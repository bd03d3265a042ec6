//! Configuration → a locked plan: every grant checked against the capabilities, every
//! plugin read, digest-checked, checked against its stage's grants, and asked to
//! `describe` itself (or its description, kept by digest from an earlier plan, taken);
//! what each grant needs resolved (programs found, keys loaded). Nothing runs on the
//! project until the whole plan is sound. A plugin is compiled only to be asked (no
//! description kept here or on the remote cache) or when its stage first runs: a build
//! the action cache answers compiles nothing.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::artifacts::Kind;
use crate::cache::remote::Remote;
use crate::caps::{self, Call, PlanContext, Provisions};
use crate::cargo_crates::CargoCrates;
use crate::config::{Config, PluginRef, StageConfig};
use crate::digest::sha256_hex;
use crate::go_modules::{GoModules, GoStage};
use crate::keys::{Key, KeyRing};
use crate::report::Reporter;
use crate::report::plugin_log::LogSink;
use crate::runtime::bindings::types::{PluginInfo, Scope};
use crate::runtime::contract::Version;
use crate::runtime::invoke::{Prepared, StoreParts};
use crate::runtime::linker::OwnedLink;
use crate::runtime::{LoadedPlugin, Runtime};

/// The name under which stages are granted signing keys.
const SIGNING: &str = "signing";

pub struct Plan {
    pub config: Config,
    /// The key provenance is signed with, when `[provenance]` names one.
    pub provenance_key: Option<Arc<Key>>,
    /// Stages in pipeline order: the fetch stages, all per-target stages, then all
    /// release stages.
    pub stages: Vec<PlannedStage>,
    /// How many of `stages` are fetch stages: release-scope stages granted `net`,
    /// listed before the first per-target stage. They run once, before any target, and
    /// fill the directory later programs read (the module cache), returning nothing.
    pub fetch_stages: usize,
    /// The project's Go module files, when it has a go.mod.
    pub go_modules: Option<GoModules>,
    /// The project's Cargo files, when it has a Cargo.toml and a stage runs cargo.
    pub crates: Option<CargoCrates>,
    /// The stages a partial plan leaves out, with the plugins they would run.
    pub left_out: Vec<LeftOut>,
}

/// A stage a partial plan leaves out: its name and its plugin (label and digest).
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub name: String,
    pub plugin: String,
    pub digest: String,
}

pub struct PlannedStage {
    pub config: StageConfig,
    pub prepared: Prepared,
    pub info: Info,
    /// What its capabilities resolved (programs found, keys loaded), by capability.
    pub provisions: Provisions,
    /// The description came from the remote cache and the plugin has not confirmed it
    /// yet: it is asked before the stage first runs ([`PlannedStage::confirm_description`]).
    unconfirmed: bool,
    confirmed: std::sync::OnceLock<Result<(), String>>,
}

impl PlannedStage {
    /// Before the stage runs (a cache miss): when its description came from the remote
    /// cache, the plugin — compiled now to run anyway — is asked to describe itself, and
    /// an answer that differs stops the build before the stage runs on a plan shaped by
    /// a description its plugin does not give. A build whose stages all hit never asks:
    /// its outputs come from the same cache, under the same trust.
    pub fn confirm_description(&self, reporter: &Arc<dyn Reporter>) -> Result<()> {
        if !self.unconfirmed {
            return Ok(());
        }
        let confirmed = self.confirmed.get_or_init(|| {
            let plugin = &self.prepared.plugin;
            let own = describe(&self.prepared, &self.config.name, reporter.clone())
                .map_err(|e| format!("{e:#}"))?;
            // The plugin's own answer is kept either way: the next plan is shaped by it.
            keep(self.prepared.runtime(), &plugin.digest, &own, false);
            if own != self.info {
                return Err(format!(
                    "plugin {} describes itself differently from the description the remote cache gave for sha256:{} ({}); the remote cache may be poisoned: the stage did not run",
                    plugin.label,
                    plugin.digest,
                    own.differences(&self.info).join("; ")
                ));
            }
            Ok(())
        });
        confirmed
            .clone()
            .map_err(|why| anyhow::anyhow!("stage `{}`: {why}", self.config.name))
    }
}

/// What the plugin said about itself, in host types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Info {
    pub name: String,
    pub version: String,
    pub summary: String,
    pub release_scope: bool,
    pub consumes: Vec<Kind>,
    /// The grants the plugin says it needs.
    pub needs: Needs,
}

/// A plugin's requested grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    pub programs: Vec<String>,
    pub source: bool,
    pub signing_keys: u32,
}

/// What a plugin says of itself is printed (`xhost plugins`, `inspect`, `check`): its
/// text is made safe to show once, here.
impl From<PluginInfo> for Info {
    fn from(info: PluginInfo) -> Self {
        use crate::report::sanitize::{sanitize_line, shown_name};
        Info {
            name: sanitize_line(&info.name),
            version: sanitize_line(&info.version),
            summary: sanitize_line(&info.summary),
            release_scope: matches!(info.scope, Scope::Release),
            consumes: info.consumes.into_iter().map(Kind::from).collect(),
            needs: Needs {
                programs: info.needs.programs.iter().map(|p| shown_name(p)).collect(),
                source: info.needs.source,
                signing_keys: info.needs.signing_keys,
            },
        }
    }
}

impl Info {
    /// How `other` differs from this, field by field (`consumes: [binary], not []`).
    fn differences(&self, other: &Info) -> Vec<String> {
        let mut differ = Vec::new();
        let mut field = |name: &str, ours: String, theirs: String| {
            if ours != theirs {
                differ.push(format!("{name}: {ours}, not {theirs}"));
            }
        };
        field("name", self.name.clone(), other.name.clone());
        field("version", self.version.clone(), other.version.clone());
        field("summary", self.summary.clone(), other.summary.clone());
        let scope = |info: &Info| {
            if info.release_scope {
                "release"
            } else {
                "per target"
            }
        };
        field("scope", scope(self).into(), scope(other).into());
        let kinds = |info: &Info| format!("{:?}", info.consumes).to_lowercase();
        field("consumes", kinds(self), kinds(other));
        field(
            "needs",
            format!("{:?}", self.needs),
            format!("{:?}", other.needs),
        );
        differ
    }

    /// The same, its text made safe to show again (a description read from a remote
    /// cache is untrusted input).
    fn made_safe(self) -> Info {
        use crate::report::sanitize::{sanitize_line, shown_name};
        Info {
            name: sanitize_line(&self.name),
            version: sanitize_line(&self.version),
            summary: sanitize_line(&self.summary),
            needs: Needs {
                programs: self.needs.programs.iter().map(|p| shown_name(p)).collect(),
                ..self.needs
            },
            ..self
        }
    }
}

impl Plan {
    pub fn fetches(&self) -> impl Iterator<Item = &PlannedStage> {
        self.stages[..self.fetch_stages].iter()
    }

    pub fn per_target(&self) -> impl Iterator<Item = &PlannedStage> {
        self.stages[self.fetch_stages..]
            .iter()
            .filter(|s| !s.info.release_scope)
    }

    pub fn release(&self) -> impl Iterator<Item = &PlannedStage> {
        self.stages[self.fetch_stages..]
            .iter()
            .filter(|s| s.info.release_scope)
    }
}

/// Which stages a plan holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Every stage: a build.
    Whole,
    /// The fetch and per-target stages only (`xhost build --split`): no release stage,
    /// no key only release stages are granted, no provenance.
    PerTarget,
    /// The release stages only (`xhost merge`): the per-target ones ran elsewhere, so
    /// their programs need not be here.
    Release,
}

/// Builds the plan for `config`.
pub fn plan(config: Config, runtime: &Runtime, reporter: Arc<dyn Reporter>) -> Result<Plan> {
    plan_part(config, runtime, reporter, Part::Whole, None)
}

/// Builds the plan for `part` of `config`; plugins' descriptions no plan here kept are
/// asked of `remote` first (they are written back with the entries of the stages that
/// ran them, `crate::cache`).
pub fn plan_part(
    config: Config,
    runtime: &Runtime,
    reporter: Arc<dyn Reporter>,
    part: Part,
    remote: Option<&Remote>,
) -> Result<Plan> {
    for stage in &config.stages {
        caps::check_grants(&config, stage)?;
    }
    let mut loaded: HashMap<String, Arc<LoadedPlugin>> = HashMap::new();
    let mut stages: Vec<PlannedStage> = Vec::with_capacity(config.stages.len());
    for stage in &config.stages {
        let plugin = load_plugin(stage, &mut loaded)?;
        caps::check_imports(
            &stage.name,
            &plugin.label,
            &plugin.interfaces(),
            &stage.grants,
        )?;
        let link = granted_link(&stage.grants, plugin.contract);
        let prepared = Prepared::new(runtime, plugin, &stage.name, link);
        let (info, unconfirmed) = described(runtime, &prepared, remote, reporter.clone())
            .with_context(|| format!("stage `{}` ({})", stage.name, stage.origin))?;
        stages.push(PlannedStage {
            config: stage.clone(),
            prepared,
            info,
            provisions: Provisions::default(),
            unconfirmed,
            confirmed: Default::default(),
        });
    }
    let fetch_stages = fetch_stages(&stages)?;
    check_order(&stages[fetch_stages..])?;
    let kept = |index: usize, stage: &PlannedStage| match part {
        Part::Whole => true,
        Part::PerTarget => index < fetch_stages || !stage.info.release_scope,
        Part::Release => index >= fetch_stages && stage.info.release_scope,
    };
    let (mut kept_stages, mut left_out) = (Vec::new(), Vec::new());
    for (index, stage) in stages.into_iter().enumerate() {
        if kept(index, &stage) {
            kept_stages.push(stage);
        } else {
            left_out.push(LeftOut {
                name: stage.config.name.clone(),
                plugin: stage.prepared.plugin.label.clone(),
                digest: stage.prepared.plugin.digest.clone(),
            });
        }
    }
    let mut stages = kept_stages;
    let fetch_stages = if part == Part::Release {
        0
    } else {
        fetch_stages
    };
    if part == Part::PerTarget && stages.len() == fetch_stages {
        bail!(
            "the pipeline has no per-target stage, so there is nothing to build per target (--split); build it whole"
        );
    }
    // Before any work, but only for the stages this plan holds: a split build's
    // machine need not hold the keys its release stages sign with.
    let keys = load_granted_keys(&config, &stages, part)?;
    if part == Part::Whole {
        check_provenance_key_is_separate(&config, &keys)?;
    }
    let cx = PlanContext {
        config: &config,
        keys: &keys,
    };
    for stage in &mut stages {
        stage.provisions = caps::plan(&stage.config, &cx)?;
    }
    check_release_templates(&stages)?;
    let crates = check_crates(&config, &stages, fetch_stages)?;
    let go_modules = check_go_modules(&config, &stages, fetch_stages, crates.is_some())?;
    let provenance_key = config
        .provenance_key
        .as_ref()
        .filter(|_| part == Part::Whole)
        .and_then(|id| keys.subset(std::slice::from_ref(id)).into_values().next());
    Ok(Plan {
        config,
        provenance_key,
        stages,
        fetch_stages,
        go_modules,
        crates,
        left_out,
    })
}

/// The leading release-scope stages granted `net`, when a per-target stage follows:
/// fetch stages. Each must consume nothing (it runs before anything is made).
fn fetch_stages(stages: &[PlannedStage]) -> Result<usize> {
    let count = stages
        .iter()
        .take_while(|s| s.info.release_scope && caps::net::granted(&s.config.grants))
        .count();
    if !stages[count..].iter().any(|s| !s.info.release_scope) {
        return Ok(0);
    }
    if let Some(stage) = stages[..count].iter().find(|s| !s.info.consumes.is_empty()) {
        bail!(
            "stage `{}` ({}) is a fetch stage (release scope, granted `net`, listed before the per-target stages: it runs first, to download what the build needs), but it consumes artifacts, which do not exist yet; move it after the per-target stages, or use a plugin that downloads",
            stage.config.name,
            stage.prepared.plugin.label
        );
    }
    Ok(count)
}

/// A Go project's module files checked against the stages that run Go: vendor/
/// current, go.sum complete, directories outside the project granted, and modules
/// downloaded by some stage when the build needs them.
fn check_go_modules(
    config: &Config,
    stages: &[PlannedStage],
    fetch_stages: usize,
    cargo: bool,
) -> Result<Option<GoModules>> {
    let Some(modules) = GoModules::read(&config.root)? else {
        if let Some(fetch) = stages[..fetch_stages].first().filter(|_| !cargo) {
            bail!(
                "stage `{}` ({}) is a fetch stage, which fills Go's module cache, but the project has no go.mod; remove the stage",
                fetch.config.name,
                fetch.prepared.plugin.label
            );
        }
        return Ok(None);
    };
    let running_go: Vec<&PlannedStage> = stages
        .iter()
        .filter(|s| caps::exec::programs(s).contains_key("go"))
        .collect();
    if running_go.is_empty() {
        return Ok(Some(modules));
    }
    let go_stages: Vec<GoStage> = running_go
        .iter()
        .map(|s| GoStage {
            name: &s.config.name,
            paths: caps::paths::granted(s),
        })
        .collect();
    let fetched = fetch_stages > 0
        || running_go
            .iter()
            .any(|s| caps::net::granted(&s.config.grants));
    modules.check(&go_stages, fetched)?;
    Ok(Some(modules))
}

/// A Rust project's Cargo files, when a stage runs cargo: Cargo.lock present and its
/// crates either vendored or fetched by a fetch stage (the builds are offline).
fn check_crates(
    config: &Config,
    stages: &[PlannedStage],
    fetch_stages: usize,
) -> Result<Option<CargoCrates>> {
    let running_cargo = stages
        .iter()
        .any(|s| caps::exec::programs(s).contains_key("cargo"));
    if !running_cargo {
        return Ok(None);
    }
    let Some(crates) = CargoCrates::read(&config.root)? else {
        return Ok(None);
    };
    if crates.downloads() && fetch_stages == 0 {
        let fetching = stages.iter().any(|s| caps::net::granted(&s.config.grants));
        if !fetching {
            bail!(
                "Cargo.lock pins {} crates from crates.io, which no stage fetches, and builds are offline; add a fetch stage (the default pipeline's `crates`, builtin:cargo-fetch granted the registry's hosts) or vendor them with `cargo vendor`",
                crates.crates.len()
            );
        }
    }
    Ok(Some(crates))
}

/// Links the interfaces of the capabilities `grants` grant, in contract version
/// `contract`.
fn granted_link(grants: &crate::config::Grants, contract: Version) -> OwnedLink {
    let granted: Vec<&'static dyn caps::Capability> = caps::granted_by(grants).collect();
    Arc::new(move |linker| caps::link(linker, contract, granted.iter().copied()))
}

/// A plugin on its own (`xhost plugins`, `plugin inspect`): linked with every
/// capability it imports, asked to describe itself (or its kept description taken).
pub fn describe_alone(
    runtime: &Runtime,
    plugin: Arc<LoadedPlugin>,
    name: &str,
    reporter: Arc<dyn Reporter>,
) -> Result<Info> {
    let interfaces: Vec<String> = plugin.interfaces().iter().map(|i| i.to_string()).collect();
    let contract = plugin.contract;
    let prepared = Prepared::new(
        runtime,
        plugin,
        name,
        Arc::new(move |linker| {
            let interfaces: Vec<&str> = interfaces.iter().map(String::as_str).collect();
            caps::link(linker, contract, caps::imported_by(&interfaces))
        }),
    );
    described(runtime, &prepared, None, reporter).map(|(info, _)| info)
}

/// A description as the compiled-plugin cache keeps it: good for this xhost and this
/// component only.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kept {
    xhost: String,
    digest: String,
    info: Info,
    /// It came from the remote cache and its plugin has not confirmed it yet.
    #[serde(default)]
    from_remote: bool,
}

/// The version descriptions are kept for: another xhost may convert a plugin's answer
/// differently.
const XHOST: &str = env!("CARGO_PKG_VERSION");

/// What the plugin says of itself, and whether it came from the remote cache (still to
/// be confirmed, [`PlannedStage::confirm_description`]): kept from an earlier plan, by
/// the component's digest; else the remote cache's; else asked and kept (and shared
/// with the entries of the stages that run, `crate::cache`). Asking compiles the
/// plugin, through the compiled-plugin cache: a plan asks only on a machine no build
/// of the plugin reached, whose stages will run it then.
fn described(
    runtime: &Runtime,
    prepared: &Prepared,
    remote: Option<&Remote>,
    reporter: Arc<dyn Reporter>,
) -> Result<(Info, bool)> {
    let (name, digest) = (prepared.stage(), &prepared.plugin.digest);
    let kept = runtime
        .known_description(digest)
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).ok())
        .filter(|kept| kept.xhost == XHOST && &kept.digest == digest);
    if let Some(kept) = kept {
        return Ok((kept.info, kept.from_remote));
    }
    let shared = remote
        .and_then(|remote| remote.description(digest))
        .and_then(|value| match serde_json::from_value::<Info>(value) {
            Ok(info) => Some(info),
            Err(e) => {
                eprintln!(
                    "xhost: warning: remote cache: refusing the description of plugin sha256:{digest}: {e}; it is described here"
                );
                None
            }
        });
    if let Some(info) = shared {
        let info = info.made_safe();
        keep(runtime, digest, &info, true);
        return Ok((info, true));
    }
    let span = crate::trace::span("plugin", || format!("describe {name}"));
    let info = describe(prepared, name, reporter)?;
    drop(span);
    keep(runtime, digest, &info, false);
    Ok((info, false))
}

/// Keeps `info`, the description of component `digest`, in `runtime`'s cache.
fn keep(runtime: &Runtime, digest: &str, info: &Info, from_remote: bool) {
    let kept = Kept {
        xhost: XHOST.to_string(),
        digest: digest.to_string(),
        info: info.clone(),
        from_remote,
    };
    if let Ok(bytes) = serde_json::to_vec(&kept) {
        runtime.keep_description(digest, &bytes);
    }
}

/// Calls `describe()`, with every capability refusing.
fn describe(prepared: &Prepared, name: &str, reporter: Arc<dyn Reporter>) -> Result<Info> {
    let log = LogSink::new(None, name, reporter);
    let states = caps::states(&Call::Describe { log: &log })?;
    Ok(prepared
        .describe(StoreParts::describe(log, states)?)?
        .into())
}

/// Loads every key a stage of the plan is granted, and the provenance key for a whole
/// build, so a missing file, a wrong password or an unsupported key type stops the
/// build before any work.
fn load_granted_keys(config: &Config, stages: &[PlannedStage], part: Part) -> Result<KeyRing> {
    let granted: std::collections::BTreeSet<String> = stages
        .iter()
        .flat_map(|s| s.config.grants.names(SIGNING))
        .chain(
            config
                .provenance_key
                .clone()
                .filter(|_| part == Part::Whole),
        )
        .collect();
    KeyRing::load(config.keys.values().filter(|k| granted.contains(&k.id)))
}

/// The configuration refuses to grant the provenance key's id to a stage; this
/// refuses the same key material under another id (two `[signing.keys]` entries reading
/// one file, say), compared by public key.
fn check_provenance_key_is_separate(config: &Config, keys: &KeyRing) -> Result<()> {
    let Some(provenance) = &config.provenance_key else {
        return Ok(());
    };
    for stage in &config.stages {
        for id in stage.grants.names(SIGNING) {
            if keys.same_key(&id, provenance) {
                bail!(
                    "stage `{}`: signing key `{id}` is the same key as `{provenance}`, which signs the release's provenance ([provenance] key); no stage may hold the provenance key under any name. Give the stage a different key",
                    stage.name
                );
            }
        }
    }
    Ok(())
}

/// A release stage's config is rendered once for the whole release: a template using a
/// target's fields (`.Os`) cannot be.
fn check_release_templates(stages: &[PlannedStage]) -> Result<()> {
    for stage in stages.iter().filter(|s| s.info.release_scope) {
        if let Err(message) = stage.config.release_config() {
            bail!(
                "{message} (stage `{}` runs once for the release)",
                stage.config.name
            );
        }
    }
    Ok(())
}

/// Release stages run after every target is done, so listing one before a
/// per-target stage would silently reorder the pipeline: refuse it.
fn check_order(stages: &[PlannedStage]) -> Result<()> {
    if let Some(first_release) = stages.iter().position(|s| s.info.release_scope)
        && let Some(late) = stages[first_release..]
            .iter()
            .find(|s| !s.info.release_scope)
    {
        let release = &stages[first_release];
        bail!(
            "stage `{}` (release scope, runs once after all targets) is listed before stage `{}` (runs per target); move `{}` after `{}` in xhost.toml",
            release.config.name,
            late.config.name,
            release.config.name,
            late.config.name
        );
    }
    Ok(())
}

fn load_plugin(
    stage: &StageConfig,
    loaded: &mut HashMap<String, Arc<LoadedPlugin>>,
) -> Result<Arc<LoadedPlugin>> {
    let label = stage.plugin.to_string();
    let bytes = plugin_bytes(&stage.plugin, &stage.name)?;
    let digest = sha256_hex(&bytes);
    check_pin(&stage.plugin, &label, &digest, &stage.name)?;
    if let Some(plugin) = loaded.get(&digest) {
        return Ok(plugin.clone());
    }
    let _span = crate::trace::span("plugin", || format!("load {label}"));
    let plugin = Arc::new(
        LoadedPlugin::load_with_digest(&label, bytes, digest.clone())
            .with_context(|| format!("stage `{}`", stage.name))?,
    );
    loaded.insert(digest, plugin.clone());
    Ok(plugin)
}

fn plugin_bytes(plugin: &PluginRef, stage: &str) -> Result<Cow<'static, [u8]>> {
    match plugin {
        PluginRef::Builtin { name, .. } => crate::builtin::get(name)
            .map(Cow::Borrowed)
            .with_context(|| format!("stage `{stage}`: there is no built-in plugin `{name}`")),
        PluginRef::File { path, written, .. } => std::fs::read(path).map(Cow::Owned).map_err(|e| {
            anyhow::anyhow!(
                "stage `{stage}`: cannot read plugin file {written} ({}): {e}; build the plugin or fix `plugin` in xhost.toml",
                path.display()
            )
        }),
        // Verified against the pinned manifest digest (and `trust`) as it is taken.
        PluginRef::Oci { reference, trust } => {
            let cache = crate::cache_layout::CacheLayout::locate()?;
            crate::plugin_registry::component(&cache, reference, trust)
                .map(|fetched| Cow::Owned(fetched.component))
                .with_context(|| format!("stage `{stage}`"))
        }
    }
}

fn check_pin(plugin: &PluginRef, label: &str, digest: &str, stage: &str) -> Result<()> {
    let pinned = match plugin {
        PluginRef::Builtin { sha256, .. } => sha256.as_deref(),
        PluginRef::File { sha256, .. } => Some(sha256.as_str()),
        PluginRef::Oci { .. } => None,
    };
    match pinned {
        Some(pinned) if pinned != digest => bail!(
            "stage `{stage}`: plugin {label} does not match its pin: xhost.toml says sha256 = \"{pinned}\", the file's sha256 is {digest}; if you changed the plugin on purpose, update the pin"
        ),
        _ => Ok(()),
    }
}
