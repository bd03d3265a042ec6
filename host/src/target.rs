//! Build targets, `os/arch[/variant]` (`linux/amd64`, `linux/arm/v7`), and the set
//! xhost supports. The spelling is Go's (`GOOS`/`GOARCH`) and OCI's for variants;
//! builders map it to their own toolchain's names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A platform to build for, e.g. `linux/amd64` or `linux/arm/v7`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub os: String,
    pub arch: String,
    /// The architecture's variant, when named (`v7` for arm, `v3` for amd64).
    pub variant: Option<String>,
}

/// Variants each architecture accepts: arm's instruction set versions (Go's `GOARM`),
/// amd64's micro-architecture levels (Go's `GOAMD64`).
pub const VARIANTS: &[(&str, &[&str])] = &[
    ("arm", &["v5", "v6", "v7"]),
    ("amd64", &["v1", "v2", "v3", "v4"]),
];

/// Every target xhost knows how to name, build and package.
pub const SUPPORTED: &[(&str, &str)] = &[
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("linux", "386"),
    ("linux", "arm"),
    ("linux", "riscv64"),
    ("linux", "ppc64le"),
    ("linux", "s390x"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("windows", "386"),
    ("freebsd", "amd64"),
    ("freebsd", "arm64"),
    ("wasip1", "wasm"),
    ("js", "wasm"),
];

/// The targets built when `xhost.toml` names none.
pub const DEFAULT_TARGETS: &[&str] = &[
    "linux/amd64",
    "linux/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "windows/amd64",
    "wasip1/wasm",
];

impl Target {
    /// The defaults, parsed.
    pub fn defaults() -> Vec<Target> {
        DEFAULT_TARGETS
            .iter()
            .map(|t| t.parse().expect("default targets are supported"))
            .collect()
    }

    /// `os_arch[_variant]`, as used in directory and archive names.
    pub fn slug(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}_{}_{variant}", self.os, self.arch),
            None => format!("{}_{}", self.os, self.arch),
        }
    }

    /// The file extension executables get on this target (with the dot), or "".
    pub fn executable_suffix(&self) -> &'static str {
        match self.os.as_str() {
            "windows" => ".exe",
            _ if self.arch == "wasm" => ".wasm",
            _ => "",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        match &self.variant {
            Some(variant) => write!(f, "/{variant}"),
            None => Ok(()),
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '/');
        let (Some(os), Some(arch), variant) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "target `{s}` is not of the form OS/ARCH or OS/ARCH/VARIANT (e.g. linux/amd64, linux/arm/v7)"
            ));
        };
        if !SUPPORTED.contains(&(os, arch)) {
            let list: Vec<String> = SUPPORTED.iter().map(|(o, a)| format!("{o}/{a}")).collect();
            return Err(format!(
                "unknown target `{s}`; supported targets: {}",
                list.join(", ")
            ));
        }
        if let Some(variant) = variant {
            let known = VARIANTS
                .iter()
                .find(|(a, _)| *a == arch)
                .map_or(&[][..], |(_, v)| *v);
            if !known.contains(&variant) {
                return Err(match known {
                    [] => format!("target `{s}`: {arch} has no variants"),
                    _ => format!(
                        "target `{s}`: unknown {arch} variant `{variant}`; {arch} variants: {}",
                        known.join(", ")
                    ),
                });
            }
        }
        Ok(Target {
            os: os.to_string(),
            arch: arch.to_string(),
            variant: variant.map(str::to_string),
        })
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_supported_and_rejects_others() {
        let t: Target = "linux/amd64".parse().unwrap();
        assert_eq!(t.slug(), "linux_amd64");
        assert_eq!(t.executable_suffix(), "");
        let err = "plan9/amd64".parse::<Target>().unwrap_err();
        assert!(err.contains("unknown target `plan9/amd64`"), "{err}");
        assert!(err.contains("linux/amd64"), "{err}");
        assert!("linux".parse::<Target>().unwrap_err().contains("OS/ARCH"));
    }

    #[test]
    fn variants() {
        let t: Target = "linux/arm/v7".parse().unwrap();
        assert_eq!(
            (t.to_string().as_str(), t.slug().as_str()),
            ("linux/arm/v7", "linux_arm_v7")
        );
        assert_eq!(
            "linux/amd64/v3"
                .parse::<Target>()
                .unwrap()
                .variant
                .as_deref(),
            Some("v3")
        );
        let err = "linux/arm/v9".parse::<Target>().unwrap_err();
        assert!(err.contains("arm variants: v5, v6, v7"), "{err}");
        assert!(
            "darwin/arm64/v8"
                .parse::<Target>()
                .unwrap_err()
                .contains("arm64 has no variants")
        );
        assert!("plan9/arm/v7".parse::<Target>().is_err());
    }

    #[test]
    fn suffixes() {
        let suffix = |s: &str| s.parse::<Target>().unwrap().executable_suffix();
        assert_eq!(suffix("windows/amd64"), ".exe");
        assert_eq!(suffix("wasip1/wasm"), ".wasm");
        assert_eq!(suffix("js/wasm"), ".wasm");
        assert_eq!(suffix("darwin/arm64"), "");
    }

    #[test]
    fn defaults_are_the_six() {
        assert_eq!(Target::defaults().len(), 6);
    }
}
