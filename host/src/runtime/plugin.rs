//! A plugin component: its bytes checked, compiled, and its imports and exports read.

use anyhow::{Context, Result, bail};
use wasmtime::component::Component;

use super::Runtime;
use super::contract::{self, Import, Version};
use crate::digest::sha256_hex;

/// A compiled plugin component, ready to be linked for a stage.
pub struct LoadedPlugin {
    /// How the user named it: `builtin:go-build` or a file path.
    pub label: String,
    /// SHA-256 of the component bytes.
    pub digest: String,
    pub component: Component,
    /// Names of the interfaces it imports, with what each is.
    pub imports: Vec<(String, Import)>,
    /// The contract version it was built against.
    pub contract: Version,
}

/// What a component imports and exports, judged against the contract but not refused.
pub struct Analysis {
    /// SHA-256 of the component bytes.
    pub digest: String,
    pub component: Component,
    /// Each import with what it is, or why this host cannot provide it.
    pub imports: Vec<(String, Result<Import, String>)>,
    pub exports: Vec<String>,
}

impl Analysis {
    /// Checks that `bytes` are a component, compiles it and reads its interface.
    pub fn of(runtime: &Runtime, label: &str, bytes: &[u8]) -> Result<Self> {
        check_is_component(label, bytes)?;
        let digest = sha256_hex(bytes);
        let component = runtime
            .compile(&digest, bytes)
            .with_context(|| format!("plugin {label}: not a valid WebAssembly component"))?;
        let ty = component.component_type();
        let engine = runtime.engine();
        let imports = ty
            .imports(engine)
            .map(|(name, _)| (name.to_string(), contract::classify(name)))
            .collect();
        let exports = ty
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        Ok(Analysis {
            digest,
            component,
            imports,
            exports,
        })
    }

    /// Versions of the `xhost:plugin` contract named by its imports and exports.
    pub fn contract_versions(&self) -> Vec<String> {
        let prefix = format!("{}/", contract::PACKAGE);
        let mut versions: Vec<String> = self
            .imports
            .iter()
            .map(|(name, _)| name)
            .chain(&self.exports)
            .filter(|name| name.starts_with(&prefix))
            .filter_map(|name| name.split_once('@').map(|(_, v)| v.to_string()))
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }

    /// The contract version it was built against: that of its `stage` export, when
    /// this host serves it.
    pub fn contract(&self) -> Option<Version> {
        let prefix = format!("{}/stage@", contract::PACKAGE);
        self.exports
            .iter()
            .find_map(|name| Version::parse(name.strip_prefix(&prefix)?))
    }

    /// Why the host cannot run it, if it cannot: a bad import, a missing export, or
    /// imports and export of different contract versions.
    pub fn problem(&self, label: &str) -> Option<String> {
        if let Some((_, Err(why))) = self.imports.iter().find(|(_, c)| c.is_err()) {
            return Some(format!("plugin {label} {why}"));
        }
        let stage_prefix = format!("{}/stage@", contract::PACKAGE);
        let Some(version) = self.contract() else {
            return Some(
                match self.exports.iter().find(|n| n.starts_with(&stage_prefix)) {
                    Some(found) => format!(
                        "plugin {label} exports `{found}`, but this xhost implements {}; rebuild the plugin against {}@{}",
                        contract::implemented(),
                        contract::PACKAGE,
                        contract::CURRENT
                    ),
                    None => format!(
                        "plugin {label} does not export `{}` (it exports: {}); is it an xhost plugin?",
                        contract::CURRENT.stage_export(),
                        if self.exports.is_empty() {
                            "nothing".to_string()
                        } else {
                            self.exports.join(", ")
                        }
                    ),
                },
            );
        };
        let mixed = self.imports.iter().find_map(|(name, import)| match import {
            Ok(Import::Types(v) | Import::Interface(_, v)) if *v != version => Some(name),
            _ => None,
        });
        mixed.map(|name| {
            format!(
                "plugin {label} exports the stage of {}@{version} but imports `{name}`: one component, one contract version",
                contract::PACKAGE
            )
        })
    }
}

impl LoadedPlugin {
    /// Checks that `bytes` are a component honouring the contract, and compiles it.
    pub fn load(runtime: &Runtime, label: &str, bytes: &[u8]) -> Result<Self> {
        let analysis = Analysis::of(runtime, label, bytes)?;
        if let Some(problem) = analysis.problem(label) {
            bail!(problem);
        }
        let contract = analysis.contract().expect("checked by problem()");
        Ok(LoadedPlugin {
            label: label.to_string(),
            digest: analysis.digest,
            component: analysis.component,
            contract,
            imports: analysis
                .imports
                .into_iter()
                .map(|(name, capability)| (name, capability.expect("checked by problem()")))
                .collect(),
        })
    }

    /// The contract interfaces it imports (`exec`, `signing`, …), each a capability's.
    pub fn interfaces(&self) -> Vec<&str> {
        self.imports
            .iter()
            .filter_map(|(_, import)| match import {
                Import::Interface(name, _) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }
}

fn check_is_component(label: &str, bytes: &[u8]) -> Result<()> {
    if wasmparser::Parser::is_component(bytes) {
        return Ok(());
    }
    if wasmparser::Parser::is_core_wasm(bytes) {
        bail!(
            "plugin {label} is a core WebAssembly module, not a component: build it for wasm32-wasip2 (`cargo build --target wasm32-wasip2`) or wrap it with `wasm-tools component new`"
        );
    }
    bail!("plugin {label} is not WebAssembly (it does not start with the `\\0asm` header)");
}
