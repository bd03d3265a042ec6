//! What a template sees: GoReleaser's field names, so its templates carry over as they
//! are. Release-wide fields always; a target's fields only when rendered for a target.

use std::collections::{BTreeMap, HashMap};

use gtmpl::Value;

use crate::target::Target;

/// The release-wide values.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub project_name: String,
    /// The release version without a leading `v` (`1.2.3`, `1.3.0-rc.1`).
    pub version: String,
    /// The tag at HEAD (`v1.2.3`), or empty.
    pub tag: String,
    /// The tag before it, or empty.
    pub previous_tag: String,
    /// The full commit hash, or empty outside a git checkout.
    pub commit: String,
    /// `git describe`'s summary (see `vcs::Commit::summary`).
    pub summary: String,
    /// The commit's committer time.
    pub commit_time: Option<u64>,
    /// The release's time: `SOURCE_DATE_EPOCH`, else the commit time; `.Date`,
    /// `.Timestamp` and `time` use it, so a rebuild names and stamps things alike.
    pub epoch: Option<u64>,
    pub is_snapshot: bool,
    /// The binary's name (without the target's extension).
    pub binary: String,
    /// `.Env`: only the allowed and set variables.
    pub env: BTreeMap<String, String>,
}

/// The fields a target adds.
pub const TARGET_FIELDS: &[&str] = &[
    "Os", "Arch", "Arm", "Arm64", "Amd64", "I386", "Mips", "Ppc64", "Riscv64", "Target",
];

const RELEASE_FIELDS: &[&str] = &[
    "ProjectName",
    "Version",
    "RawVersion",
    "Tag",
    "PreviousTag",
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Commit",
    "ShortCommit",
    "FullCommit",
    "Summary",
    "Date",
    "CommitDate",
    "Timestamp",
    "CommitTimestamp",
    "IsSnapshot",
    "Binary",
    "Env",
];

/// Every field name a template may use there, for messages.
pub fn names(with_target: bool) -> Vec<String> {
    let target: &[&str] = if with_target { TARGET_FIELDS } else { &[] };
    RELEASE_FIELDS
        .iter()
        .chain(target)
        .map(|n| format!(".{n}"))
        .collect()
}

pub fn is_known(name: &str) -> bool {
    RELEASE_FIELDS.contains(&name) || TARGET_FIELDS.contains(&name)
}

impl Fields {
    /// Whether a missing field `name` was most likely looked up in `.Env` (it is not a
    /// field name, and looks like a variable).
    pub fn env_like(&self, name: &str) -> bool {
        !is_known(name)
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    }

    /// `.Date`: the release's time in RFC 3339, or empty.
    pub fn date(&self) -> String {
        rfc3339(self.epoch)
    }

    /// The template's `.` for the release, or for `target`.
    pub fn value(&self, target: Option<&Target>) -> Value {
        let version = semver::Version::parse(&self.version).ok();
        let (major, minor, patch) = version
            .as_ref()
            .map_or((0, 0, 0), |v| (v.major, v.minor, v.patch));
        let mut map: HashMap<String, Value> = HashMap::new();
        let mut put = |name: &str, value: Value| {
            map.insert(name.to_string(), value);
        };
        put("ProjectName", self.project_name.as_str().into());
        put("Version", self.version.as_str().into());
        put("RawVersion", format!("{major}.{minor}.{patch}").into());
        put("Tag", self.tag.as_str().into());
        put("PreviousTag", self.previous_tag.as_str().into());
        put("Major", major.into());
        put("Minor", minor.into());
        put("Patch", patch.into());
        put(
            "Prerelease",
            version
                .as_ref()
                .map_or(String::new(), |v| v.pre.to_string())
                .into(),
        );
        put("Commit", self.commit.as_str().into());
        put("Summary", self.summary.as_str().into());
        put("FullCommit", self.commit.as_str().into());
        put(
            "ShortCommit",
            self.commit[..self.commit.len().min(7)].to_string().into(),
        );
        put("Date", self.date().into());
        put("CommitDate", rfc3339(self.commit_time).into());
        put("Timestamp", timestamp(self.epoch).into());
        put("CommitTimestamp", timestamp(self.commit_time).into());
        put("IsSnapshot", self.is_snapshot.into());
        put("Binary", self.binary.as_str().into());
        let env: HashMap<String, Value> = self
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().into()))
            .collect();
        put("Env", Value::Object(env));
        if let Some(target) = target {
            for (name, value) in target_fields(target) {
                put(name, value.into());
            }
        }
        Value::Object(map)
    }
}

/// A target's fields as GoReleaser spells them: each architecture's variant field
/// holds the target's variant, or Go's default level when it names none (`.Amd64` is
/// `v1`, `.Arm64` `v8.0`), and is empty for other architectures; `.Target` is
/// `os_arch` plus that value (`linux_amd64_v1`, `linux_arm_7`).
pub fn target_fields(target: &Target) -> Vec<(&'static str, String)> {
    let variant = target.variant.as_deref();
    let level = |arch: &str, default: &str| -> String {
        if target.arch != arch {
            return String::new();
        }
        variant.unwrap_or(default).to_string()
    };
    let arm = if target.arch == "arm" {
        variant
            .map(|v| v.trim_start_matches('v').to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let arm64 = match variant {
        Some(v @ ("v8" | "v9")) if target.arch == "arm64" => format!("{v}.0"),
        _ => level("arm64", "v8.0"),
    };
    let amd64 = level("amd64", "v1");
    let i386 = level("386", "sse2");
    let mips = if target.arch.starts_with("mips") {
        variant.unwrap_or("hardfloat").to_string()
    } else {
        String::new()
    };
    let ppc64 = if target.arch.starts_with("ppc64") {
        variant.unwrap_or("power8").to_string()
    } else {
        String::new()
    };
    let riscv64 = level("riscv64", "rva20u64");
    let suffix = [&arm, &arm64, &amd64, &i386, &mips, &ppc64, &riscv64]
        .into_iter()
        .find(|v| !v.is_empty())
        .cloned();
    let target_name = match suffix {
        Some(s) => format!("{}_{}_{s}", target.os, target.arch),
        None => format!("{}_{}", target.os, target.arch),
    };
    vec![
        ("Os", target.os.clone()),
        ("Arch", target.arch.clone()),
        ("Arm", arm),
        ("Arm64", arm64),
        ("Amd64", amd64),
        ("I386", i386),
        ("Mips", mips),
        ("Ppc64", ppc64),
        ("Riscv64", riscv64),
        ("Target", target_name),
    ]
}

fn rfc3339(seconds: Option<u64>) -> String {
    seconds
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s as i64).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn timestamp(seconds: Option<u64>) -> String {
    seconds.map(|s| s.to_string()).unwrap_or_default()
}
