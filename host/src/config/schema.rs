//! The `xhost.toml` schema as written by users. Every table rejects unknown keys;
//! values that later checks must point at are `Spanned` so errors carry line and column.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub project: ProjectSection,
    #[serde(default)]
    pub build: BuildSection,
    #[serde(default)]
    pub limits: LimitsSection,
    #[serde(default)]
    pub tools: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub signing: SigningSection,
    #[serde(default)]
    pub provenance: ProvenanceSection,
    #[serde(default)]
    pub template: TemplateSection,
    #[serde(default)]
    pub metadata: MetadataSection,
    /// Release notes are written only when the section is there.
    pub changelog: Option<ChangelogSection>,
    #[serde(default, rename = "stage")]
    pub stages: Option<Vec<StageSection>>,
    /// `[[publish]]`: where `xhost publish` pushes the release's images.
    #[serde(default)]
    pub publish: Vec<PublishSection>,
    /// `[remote_cache]`: an action cache shared across machines.
    #[serde(default)]
    pub remote_cache: RemoteCacheSection,
    /// `[ci]`: what `xhost ci init` puts in the pipelines it writes.
    #[serde(default)]
    pub ci: CiSection,
}

/// `[ci]`: the release pipeline `xhost ci init` writes, beyond what the rest of the
/// file says (targets, keys, the remote cache, destinations).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiSection {
    /// A cron schedule (five fields, UTC) on which a snapshot is built too.
    pub schedule: Option<Spanned<String>>,
    /// The shell command that puts `xhost` on a runner's PATH.
    pub install: Option<Spanned<String>>,
    #[serde(default)]
    pub github: CiGithubSection,
    #[serde(default)]
    pub gitlab: CiGitlabSection,
}

/// `[ci.github]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiGithubSection {
    /// `runs-on` labels (one, or a list) by target pattern (`os/arch[/variant]`,
    /// `os/*`, `*`).
    #[serde(default)]
    pub runners: BTreeMap<String, Spanned<Labels>>,
}

/// One runner label, or several a runner must all have.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Labels {
    One(String),
    Many(Vec<String>),
}

impl Labels {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Labels::One(label) => vec![label.clone()],
            Labels::Many(labels) => labels.clone(),
        }
    }
}

/// `[ci.gitlab]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiGitlabSection {
    /// Runner tags by target pattern.
    #[serde(default)]
    pub tags: BTreeMap<String, Spanned<Vec<String>>>,
    /// The image the jobs run in.
    pub image: Option<Spanned<String>>,
}

/// `[remote_cache]`: the server and how it is used (a flag or `XHOST_REMOTE_CACHE`
/// overrides the URL).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteCacheSection {
    /// `http(s)://HOST[:PORT]/PATH`: a server speaking Bazel's HTTP cache protocol.
    pub url: Option<Spanned<String>>,
    /// Fetch, never upload.
    #[serde(default)]
    pub read_only: bool,
    /// Seconds a connection or a silent response may take before the server is dropped.
    pub timeout_secs: Option<Spanned<u64>>,
    /// Public key files: every entry used must be signed by one of them.
    #[serde(default)]
    pub trust: Vec<Spanned<String>>,
    /// The `[signing.keys]` id that signs the entries this build writes.
    pub sign: Option<Spanned<String>>,
    /// A PEM file of CA certificates (in the project) to trust for the server, besides
    /// the system's.
    pub ca_file: Option<Spanned<String>>,
}

/// One `[[publish]]` destination.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishSection {
    /// `HOST[:PORT]/REPOSITORY`: the OCI registry and repository images go to.
    pub registry: Spanned<String>,
    /// Plain HTTP instead of HTTPS; only for a registry on this machine.
    pub plain_http: Option<Spanned<bool>>,
    /// A PEM file of CA certificates (in the project) to trust for this registry,
    /// besides the system's.
    pub ca_file: Option<Spanned<String>>,
    /// Push the release's container images here (default: those `dist/` holds).
    pub images: Option<Spanned<bool>>,
    /// Also push the release's files, as one OCI artifact, under this tag (a template).
    pub files_tag: Option<Spanned<String>>,
}

/// `[metadata]`: extra files describing the release.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataSection {
    /// GoReleaser's `metadata.json` and artifact list (`artifacts.goreleaser.json`).
    #[serde(default)]
    pub goreleaser: bool,
}

/// `[changelog]`: the release notes (GoReleaser's `changelog:`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogSection {
    #[serde(default)]
    pub disable: bool,
    /// `asc`, `desc`, or empty (git's order).
    pub sort: Option<Spanned<String>>,
    pub abbrev: Option<Spanned<i64>>,
    #[serde(default)]
    pub filters: ChangelogFilters,
    #[serde(default)]
    pub groups: Vec<ChangelogGroup>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogFilters {
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogGroup {
    pub title: Spanned<String>,
    pub regexp: Option<Spanned<String>>,
    #[serde(default)]
    pub order: i64,
}

/// `[template]`: what templates may see of the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSection {
    /// Host variables `.Env.NAME` may read (empty when unset); nothing else is visible.
    #[serde(default)]
    pub env: Vec<Spanned<String>>,
    /// Values of `.Env.NAME` set here (a GoReleaser `env:` list imports here).
    #[serde(default)]
    pub set: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningSection {
    #[serde(default)]
    pub keys: BTreeMap<String, KeySection>,
}

/// `[provenance]`: sign a provenance attestation with this key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceSection {
    pub key: Option<Spanned<String>>,
}

/// `[signing.keys.<id>]`: where one key comes from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySection {
    pub file: Option<Spanned<String>>,
    pub env: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSection {
    pub name: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    /// The version of a build without a release tag (`--snapshot`, or no tag at HEAD).
    pub snapshot_version: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSection {
    pub main: Option<Spanned<String>>,
    pub binary: Option<Spanned<String>>,
    /// Parsed by the resolver, so an unknown target is reported at its own span.
    pub targets: Option<Vec<Spanned<String>>>,
    pub ldflags: Option<Spanned<String>>,
    pub flags: Option<Vec<Spanned<String>>>,
}

/// Resource limits; in `[limits]` (defaults for every stage) or a stage's `limits`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    pub memory_mib: Option<Spanned<u64>>,
    pub time_secs: Option<Spanned<u64>>,
    pub exec_time_secs: Option<Spanned<u64>>,
    pub exec_memory_mib: Option<Spanned<u64>>,
    pub exec_processes: Option<Spanned<u64>>,
    pub output_mib: Option<Spanned<u64>>,
    pub output_files: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSection {
    pub name: Spanned<String>,
    pub plugin: Spanned<String>,
    pub sha256: Option<Spanned<String>>,
    /// Public keys, one of which must have signed an `oci://` plugin.
    pub trust: Option<Vec<Spanned<String>>>,
    /// `grants`: checked against the capabilities by `crate::caps::check_grants`.
    #[serde(default)]
    pub grants: BTreeMap<Spanned<String>, Spanned<GrantValue>>,
    #[serde(default)]
    pub limits: LimitsSection,
    pub config: Option<toml::Table>,
}

/// One grant as written: `true`/`false`, or a list of names (each with its span).
#[derive(Debug)]
pub enum GrantValue {
    Flag(bool),
    Names(Vec<Spanned<String>>),
}

impl<'de> serde::Deserialize<'de> for GrantValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = GrantValue;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`true`, `false` or a list of names")
            }

            fn visit_bool<E>(self, value: bool) -> Result<GrantValue, E> {
                Ok(GrantValue::Flag(value))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<GrantValue, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Spanned<String>>()? {
                    names.push(name);
                }
                Ok(GrantValue::Names(names))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
