//! Build targets in Go's `GOOS/GOARCH` spelling and the set xhost supports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A platform to build for, e.g. `linux/amd64`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub os: String,
    pub arch: String,
}

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

    /// `os_arch`, as used in directory and archive names.
    pub fn slug(&self) -> String {
        format!("{}_{}", self.os, self.arch)
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
        write!(f, "{}/{}", self.os, self.arch)
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((os, arch)) = s.split_once('/') else {
            return Err(format!(
                "target `{s}` is not of the form OS/ARCH (e.g. linux/amd64)"
            ));
        };
        if !SUPPORTED.contains(&(os, arch)) {
            let list: Vec<String> = SUPPORTED.iter().map(|(o, a)| format!("{o}/{a}")).collect();
            return Err(format!(
                "unknown target `{s}`; supported targets: {}",
                list.join(", ")
            ));
        }
        Ok(Target {
            os: os.to_string(),
            arch: arch.to_string(),
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
