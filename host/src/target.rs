//! Build targets, `os/arch[/variant]` (`linux/amd64`, `linux/arm/v7`), and the set
//! xhost supports. Operating systems and architectures are spelled as Go spells them
//! (`GOOS`/`GOARCH`); builders map a target to their own toolchain's names.
//!
//! **Ports.** [`SUPPORTED`] is every port of `go tool dist list` (Go 1.26) that builds
//! with `CGO_ENABLED=0`, which is how xhost builds; [`NEEDS_CGO`] lists the others, each
//! with the reason Go gives. `tests/ports.rs` checks the two together are exactly what
//! the Go toolchain lists. [`BEYOND_GO`] are targets other toolchains build
//! (`wasip2/wasm`, Rust's WASI 0.2 components).
//!
//! **Variants.** A variant names the instruction-set level or floating-point model a
//! binary is built for; without one, the toolchain's default applies. Spelled as OCI image
//! platforms spell them where OCI has a spelling, and as Go's own value otherwise:
//!
//! | arch | variants | Go variable | mapping |
//! |---|---|---|---|
//! | `386` | `sse2`, `softfloat` | `GO386` | the same word |
//! | `amd64` | `v1` … `v4` (OCI) | `GOAMD64` | the same word |
//! | `arm` | `v5`, `v6`, `v7` (OCI) | `GOARM` | without the `v`: `v6` → `6` |
//! | `arm64` | `v8`, `v8.1` … `v8.9`, `v9`, `v9.1` … `v9.5` (OCI) | `GOARM64` | `v8` → `v8.0`, `v9` → `v9.0`, the rest the same word |
//! | `mips`, `mipsle` | `hardfloat`, `softfloat` | `GOMIPS` | the same word |
//! | `mips64`, `mips64le` | `hardfloat`, `softfloat` | `GOMIPS64` | the same word |
//! | `ppc64`, `ppc64le` | `power8`, `power9`, `power10` | `GOPPC64` | the same word |
//! | `riscv64` | `rva20u64`, `rva22u64`, `rva23u64` | `GORISCV64` | the same word |
//!
//! OCI (and containerd) write arm64's base levels `v8` and `v9`, never `v8.0`/`v9.0`, so
//! each level has one spelling and one directory name; `v8.0` is refused with a pointer to
//! `v8`. Not variants: the floating-point suffixes of `GOARM` (`7,softfloat`) and the
//! extension suffixes of `GOARM64` (`v8.2,lse`), which OCI cannot name, and `GOWASM`, a
//! set of features rather than a level; a project that wants them sets the variable in
//! `builtin:go-build`'s `env`. `loong64` and `s390x` have no variants in Go 1.26.
//!
//! A variant is part of the target's name (`linux/arm64/v8.2`) and of its slug
//! (`linux_arm64_v8.2`), which names directories and archives; every variant is made of
//! lowercase letters, digits and `.`, so every slug is a plain file name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A platform to build for, e.g. `linux/amd64` or `linux/arm/v7`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub os: String,
    pub arch: String,
    /// The architecture's variant, when named (`v7` for arm, `v3` for amd64); one of
    /// [`VARIANTS`].
    pub variant: Option<String>,
}

/// Variants each architecture accepts (see the module documentation for what each
/// means and which Go variable it sets). Architectures not listed have none.
pub const VARIANTS: &[(&str, &[&str])] = &[
    ("386", &["sse2", "softfloat"]),
    ("amd64", &["v1", "v2", "v3", "v4"]),
    ("arm", &["v5", "v6", "v7"]),
    (
        "arm64",
        &[
            "v8", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9",
            "v9.1", "v9.2", "v9.3", "v9.4", "v9.5",
        ],
    ),
    ("mips", FLOAT),
    ("mipsle", FLOAT),
    ("mips64", FLOAT),
    ("mips64le", FLOAT),
    ("ppc64", POWER),
    ("ppc64le", POWER),
    ("riscv64", &["rva20u64", "rva22u64", "rva23u64"]),
];

const FLOAT: &[&str] = &["hardfloat", "softfloat"];
const POWER: &[&str] = &["power8", "power9", "power10"];

/// Every port Go builds: `go tool dist list` without [`NEEDS_CGO`].
pub const SUPPORTED: &[(&str, &str)] = &[
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("linux", "386"),
    ("linux", "arm"),
    ("linux", "loong64"),
    ("linux", "mips"),
    ("linux", "mipsle"),
    ("linux", "mips64"),
    ("linux", "mips64le"),
    ("linux", "ppc64"),
    ("linux", "ppc64le"),
    ("linux", "riscv64"),
    ("linux", "s390x"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("windows", "386"),
    ("freebsd", "amd64"),
    ("freebsd", "arm64"),
    ("freebsd", "386"),
    ("freebsd", "arm"),
    ("netbsd", "amd64"),
    ("netbsd", "arm64"),
    ("netbsd", "386"),
    ("netbsd", "arm"),
    ("openbsd", "amd64"),
    ("openbsd", "arm64"),
    ("openbsd", "386"),
    ("openbsd", "arm"),
    ("openbsd", "ppc64"),
    ("openbsd", "riscv64"),
    ("dragonfly", "amd64"),
    ("illumos", "amd64"),
    ("solaris", "amd64"),
    ("aix", "ppc64"),
    ("android", "arm64"),
    ("plan9", "amd64"),
    ("plan9", "386"),
    ("plan9", "arm"),
    ("wasip1", "wasm"),
    ("js", "wasm"),
];

/// Targets xhost builds that are not Go ports: WASI 0.2 components, which Rust builds.
pub const BEYOND_GO: &[(&str, &str)] = &[("wasip2", "wasm")];

/// Ports of `go tool dist list` xhost does not build, and why: each needs cgo, which
/// xhost's builds turn off (`CGO_ENABLED=0`) so that no C toolchain is involved.
pub const NEEDS_CGO: &[(&str, &str, &str)] = &[
    (
        "android",
        "386",
        "Go links android/386 only externally, with the Android NDK's C linker",
    ),
    (
        "android",
        "amd64",
        "Go links android/amd64 only externally, with the Android NDK's C linker",
    ),
    (
        "android",
        "arm",
        "Go links android/arm only externally, with the Android NDK's C linker",
    ),
    (
        "ios",
        "arm64",
        "Go links ios/arm64 only externally, with Xcode's C linker",
    ),
    (
        "ios",
        "amd64",
        "ios/amd64 executables are position-independent, which Go's own linker cannot make for it; they need Xcode's C linker",
    ),
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

/// This machine's operating system and architecture, as Go names them.
pub fn native() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        other => other,
    };
    (os, arch)
}

/// The variants `arch` accepts (empty when it has none).
pub fn variants(arch: &str) -> &'static [&'static str] {
    VARIANTS
        .iter()
        .find(|(a, _)| *a == arch)
        .map_or(&[], |(_, v)| *v)
}

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
        if let Some((_, _, why)) = NEEDS_CGO.iter().find(|(o, a, _)| (*o, *a) == (os, arch)) {
            return Err(format!(
                "target `{s}` needs cgo, which xhost's builds turn off (CGO_ENABLED=0): {why}"
            ));
        }
        if !SUPPORTED.contains(&(os, arch)) && !BEYOND_GO.contains(&(os, arch)) {
            let list: Vec<String> = SUPPORTED
                .iter()
                .chain(BEYOND_GO)
                .map(|(o, a)| format!("{o}/{a}"))
                .collect();
            return Err(format!(
                "unknown target `{s}`; supported targets: {}",
                list.join(", ")
            ));
        }
        if let Some(variant) = variant {
            let known = variants(arch);
            if !known.contains(&variant) {
                return Err(match (known, spelled(arch, variant)) {
                    ([], _) => format!("target `{s}`: {arch} has no variants"),
                    (_, Some(spelling)) => format!(
                        "target `{s}`: the {arch} variant `{variant}` is written `{spelling}` ({os}/{arch}/{spelling})"
                    ),
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

/// The one spelling of a variant written another way: Go's value where OCI's is used
/// (`6` for arm `v6`), or a base level with `.0` (arm64 `v8.0` for `v8`).
fn spelled(arch: &str, variant: &str) -> Option<&'static str> {
    let known = variants(arch);
    let with_v = format!("v{variant}");
    let without_zero = variant
        .strip_suffix(".0")
        .filter(|v| !v.contains('.'))
        .unwrap_or(variant);
    known
        .iter()
        .find(|k| **k == with_v || **k == without_zero || k.eq_ignore_ascii_case(variant))
        .copied()
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
        let err = "plan9/arm64".parse::<Target>().unwrap_err();
        assert!(err.contains("unknown target `plan9/arm64`"), "{err}");
        assert!(err.contains("linux/amd64"), "{err}");
        assert!(err.contains("plan9/amd64"), "{err}");
        assert!("linux".parse::<Target>().unwrap_err().contains("OS/ARCH"));
        for port in [
            "aix/ppc64",
            "plan9/386",
            "linux/mips64le",
            "openbsd/riscv64",
        ] {
            assert_eq!(port.parse::<Target>().unwrap().to_string(), port);
        }
    }

    #[test]
    fn ports_needing_cgo_say_so() {
        for (os, arch, why) in NEEDS_CGO {
            assert!(!SUPPORTED.contains(&(os, arch)), "{os}/{arch}");
            let err = format!("{os}/{arch}").parse::<Target>().unwrap_err();
            assert!(err.contains("needs cgo") && err.contains(why), "{err}");
        }
    }

    #[test]
    fn every_supported_port_is_listed_once() {
        let mut ports = SUPPORTED.to_vec();
        ports.sort();
        ports.dedup();
        assert_eq!(ports.len(), SUPPORTED.len());
        for (arch, _) in VARIANTS {
            assert!(
                SUPPORTED.iter().any(|(_, a)| a == arch),
                "variants for {arch}, which no port has"
            );
        }
    }

    #[test]
    fn variants_parse() {
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
        let t: Target = "linux/arm64/v8.2".parse().unwrap();
        assert_eq!(t.slug(), "linux_arm64_v8.2");
        for ok in [
            "linux/386/softfloat",
            "freebsd/386/sse2",
            "linux/mips/softfloat",
            "linux/mips64le/hardfloat",
            "linux/ppc64le/power10",
            "openbsd/ppc64/power9",
            "linux/riscv64/rva23u64",
            "darwin/arm64/v8",
            "linux/arm64/v9.5",
        ] {
            assert_eq!(ok.parse::<Target>().unwrap().to_string(), ok);
        }
        let err = "linux/arm/v9".parse::<Target>().unwrap_err();
        assert!(err.contains("arm variants: v5, v6, v7"), "{err}");
        let err = "linux/arm64/v8.0".parse::<Target>().unwrap_err();
        assert!(err.contains("is written `v8` (linux/arm64/v8)"), "{err}");
        let err = "linux/arm/6".parse::<Target>().unwrap_err();
        assert!(err.contains("is written `v6`"), "{err}");
        let err = "linux/arm64/v10".parse::<Target>().unwrap_err();
        assert!(err.contains("arm64 variants: v8, v8.1"), "{err}");
        assert!(
            "linux/s390x/z15"
                .parse::<Target>()
                .unwrap_err()
                .contains("s390x has no variants")
        );
        assert!("plan9/arm64/v8".parse::<Target>().is_err());
    }

    /// Every target's slug names a directory and part of an archive's name: one plain
    /// path component of portable characters, distinct for every target.
    #[test]
    fn every_slug_is_a_plain_distinct_file_name() {
        let mut slugs = std::collections::BTreeSet::new();
        for (os, arch) in SUPPORTED {
            let names = std::iter::once(format!("{os}/{arch}"))
                .chain(variants(arch).iter().map(|v| format!("{os}/{arch}/{v}")));
            for name in names {
                let target: Target = name.parse().unwrap();
                assert_eq!(target.to_string(), name);
                let slug = target.slug();
                assert!(
                    slug.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                        && !slug.starts_with('.')
                        && !slug.ends_with('.'),
                    "{slug}"
                );
                assert!(slugs.insert(slug.clone()), "{slug} twice");
            }
        }
    }

    #[test]
    fn suffixes() {
        let suffix = |s: &str| s.parse::<Target>().unwrap().executable_suffix();
        assert_eq!(suffix("windows/amd64"), ".exe");
        assert_eq!(suffix("wasip1/wasm"), ".wasm");
        assert_eq!(suffix("js/wasm"), ".wasm");
        assert_eq!(suffix("darwin/arm64"), "");
        assert_eq!(suffix("plan9/amd64"), "");
    }

    #[test]
    fn defaults_are_the_six() {
        assert_eq!(Target::defaults().len(), 6);
    }
}
