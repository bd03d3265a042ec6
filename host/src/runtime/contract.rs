//! The plugin contract as the host accepts it: which versions it serves, which
//! interfaces a component may import (each a capability's), and what it must export.
//!
//! Compatibility policy (docs/PLUGINS.md): a released version is never changed. A new
//! one goes beside it in `wit/`, the old one is frozen under `wit/deps/` and the host
//! keeps serving it, adapted to the current one (`super::contract_v0_1`,
//! `crate::caps::v0_1`), as long as [`SERVED`] lists it.

use std::fmt;

/// The WIT package plugins are written against.
pub const PACKAGE: &str = "xhost:plugin";

/// A contract version this host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V0_1,
    V0_2,
}

/// The version plugins are built against today (`wit/`).
pub const CURRENT: Version = Version::V0_2;

/// Every version served, newest first.
pub const SERVED: &[Version] = &[Version::V0_2, Version::V0_1];

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V0_1 => "0.1.0",
            Version::V0_2 => "0.2.1",
        }
    }

    /// The version a plugin built against `text` is served as: a patch release only
    /// adds to its minor version (as WASI 0.2.x does), so a 0.2.0 plugin is served by
    /// 0.2.1 (its imports and export resolve by semver in wasmtime's linker).
    pub fn parse(text: &str) -> Option<Version> {
        SERVED
            .iter()
            .copied()
            .find(|v| v.as_str() == text || v.earlier_patches().contains(&text))
    }

    /// The earlier releases of this minor version, served by it unchanged.
    fn earlier_patches(self) -> &'static [&'static str] {
        match self {
            Version::V0_1 => &[],
            Version::V0_2 => &["0.2.0"],
        }
    }

    /// The interface every plugin of this version exports.
    pub fn stage_export(self) -> String {
        format!("{PACKAGE}/stage@{}", self.as_str())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What this host implements, for messages: `xhost:plugin@0.2.1 (and still serves 0.1.0)`.
pub fn implemented() -> String {
    let older: Vec<&str> = SERVED[1..].iter().map(|v| v.as_str()).collect();
    format!(
        "{PACKAGE}@{CURRENT} (and still serves {})",
        older.join(", ")
    )
}

/// The interfaces of the contract a plugin may import, besides `types`: each is a
/// capability's (`crate::caps::for_interface`). The same in every served version.
pub const INTERFACES: &[&str] = &["log", "exec", "signing"];

/// What an import is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// Shared type definitions; no functions.
    Types(Version),
    /// One of [`INTERFACES`]: a capability, linked when the stage is granted it.
    Interface(String, Version),
    /// A WASI 0.2 interface; always linked, confined by the WASI context
    /// (filesystem limited to the mounts, sockets and name lookup denied).
    Wasi,
}

/// WASI 0.2 packages linked for every plugin.
const WASI_PACKAGES: &[&str] = &[
    "wasi:cli/",
    "wasi:clocks/",
    "wasi:filesystem/",
    "wasi:io/",
    "wasi:random/",
    "wasi:sockets/",
];

/// Classifies an import name such as `xhost:plugin/exec@0.2.0` or `wasi:io/streams@0.2.6`.
pub fn classify(import: &str) -> Result<Import, String> {
    if let Some(rest) = import.strip_prefix(&format!("{PACKAGE}/")) {
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        let Some(version) = Version::parse(version) else {
            return Err(format!(
                "imports `{import}`, but this xhost implements {}; rebuild the plugin against {PACKAGE}@{CURRENT}",
                implemented()
            ));
        };
        return match interface {
            "types" => Ok(Import::Types(version)),
            known if INTERFACES.contains(&known) => {
                Ok(Import::Interface(known.to_string(), version))
            }
            other => Err(format!(
                "imports `{import}`: {PACKAGE}@{version} has no interface `{other}`"
            )),
        };
    }
    if WASI_PACKAGES.iter().any(|p| import.starts_with(p)) && wasi_02(import) {
        return Ok(Import::Wasi);
    }
    Err(format!(
        "imports `{import}`, which xhost does not provide to plugins (only {PACKAGE} and WASI 0.2 cli, clocks, filesystem, io, random and sockets)"
    ))
}

fn wasi_02(import: &str) -> bool {
    import
        .split_once('@')
        .is_some_and(|(_, v)| v.starts_with("0.2."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        let interface = |name: &str, v| Ok(Import::Interface(name.to_string(), v));
        assert_eq!(
            classify("xhost:plugin/exec@0.2.0"),
            interface("exec", Version::V0_2)
        );
        assert_eq!(
            classify("xhost:plugin/log@0.1.0"),
            interface("log", Version::V0_1)
        );
        assert_eq!(classify("wasi:io/streams@0.2.6"), Ok(Import::Wasi));
        let refused = classify("xhost:plugin/log@0.3.0").unwrap_err();
        assert!(
            refused.contains("implements xhost:plugin@0.2.1 (and still serves 0.1.0)"),
            "{refused}"
        );
        assert!(
            classify("wasi:http/outgoing-handler@0.2.6")
                .unwrap_err()
                .contains("does not provide")
        );
        assert!(classify("wasi:io/streams@0.3.0").is_err());
        assert_eq!(
            classify("xhost:plugin/signing@0.2.0"),
            interface("signing", Version::V0_2)
        );
        assert_eq!(
            classify("xhost:plugin/signing@0.2.1"),
            interface("signing", Version::V0_2)
        );
        assert!(classify("xhost:plugin/signing@0.2.2").is_err());
        assert!(
            classify("xhost:plugin/secrets@0.2.0")
                .unwrap_err()
                .contains("no interface `secrets`")
        );
    }
}
