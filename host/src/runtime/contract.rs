//! The plugin contract as the host accepts it: which interface a component may import
//! (and which grant each one needs) and what it must export.

/// The WIT package plugins are written against.
pub const PACKAGE: &str = "xhost:plugin";
/// The contract version this host implements. A plugin built for another version is
/// refused, naming both. Compatibility policy (docs/PLUGINS.md): a released version is
/// never changed; a new one goes beside it, and the host keeps implementing the old
/// ones (frozen under `wit/deps/`) for as long as it says so here.
pub const VERSION: &str = "0.1.0";
/// The interface every plugin must export.
pub const STAGE_EXPORT: &str = "xhost:plugin/stage@0.1.0";

/// The interfaces of the contract a plugin may import, besides `types`: each is a
/// capability's (`crate::caps::for_interface`).
pub const INTERFACES: &[&str] = &["log", "exec", "signing"];

/// What an import is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// Shared type definitions; no functions.
    Types,
    /// One of [`INTERFACES`]: a capability, linked when the stage is granted it.
    Interface(String),
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

/// Classifies an import name such as `xhost:plugin/exec@0.1.0` or `wasi:io/streams@0.2.6`.
pub fn classify(import: &str) -> Result<Import, String> {
    if let Some(rest) = import.strip_prefix(&format!("{PACKAGE}/")) {
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        if version != VERSION {
            return Err(format!(
                "imports `{import}`, but this xhost implements {PACKAGE}@{VERSION}; rebuild the plugin against {PACKAGE}@{VERSION}"
            ));
        }
        return match interface {
            "types" => Ok(Import::Types),
            known if INTERFACES.contains(&known) => Ok(Import::Interface(known.to_string())),
            other => Err(format!(
                "imports `{import}`: {PACKAGE}@{VERSION} has no interface `{other}`"
            )),
        };
    }
    if WASI_PACKAGES.iter().any(|p| import.starts_with(p)) && wasi_02(import) {
        return Ok(Import::Wasi);
    }
    Err(format!(
        "imports `{import}`, which xhost does not provide to plugins (only {PACKAGE}@{VERSION} and WASI 0.2 cli, clocks, filesystem, io, random and sockets)"
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
        let interface = |name: &str| Ok(Import::Interface(name.to_string()));
        assert_eq!(classify("xhost:plugin/exec@0.1.0"), interface("exec"));
        assert_eq!(classify("xhost:plugin/log@0.1.0"), interface("log"));
        assert_eq!(classify("wasi:io/streams@0.2.6"), Ok(Import::Wasi));
        assert!(
            classify("xhost:plugin/log@0.2.0")
                .unwrap_err()
                .contains("implements xhost:plugin@0.1.0")
        );
        assert!(
            classify("wasi:http/outgoing-handler@0.2.6")
                .unwrap_err()
                .contains("does not provide")
        );
        assert!(classify("wasi:io/streams@0.3.0").is_err());
        assert_eq!(classify("xhost:plugin/signing@0.1.0"), interface("signing"));
        assert!(
            classify("xhost:plugin/secrets@0.1.0")
                .unwrap_err()
                .contains("no interface `secrets`")
        );
    }
}
