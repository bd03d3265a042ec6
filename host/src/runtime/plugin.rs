//! A plugin component: its bytes checked, compiled, and its imports and exports read.

use anyhow::{Context, Result, bail};
use wasmtime::component::Component;

use super::Runtime;
use super::contract::{self, Import};
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

    /// Why the host cannot run it, if it cannot: a bad import or a missing export.
    pub fn problem(&self, label: &str) -> Option<String> {
        if let Some((_, Err(why))) = self.imports.iter().find(|(_, c)| c.is_err()) {
            return Some(format!("plugin {label} {why}"));
        }
        if self
            .exports
            .iter()
            .any(|name| name == contract::STAGE_EXPORT)
        {
            return None;
        }
        let stage_prefix = format!("{}/stage@", contract::PACKAGE);
        Some(
            match self.exports.iter().find(|n| n.starts_with(&stage_prefix)) {
                Some(found) => format!(
                    "plugin {label} exports `{found}`, but this xhost implements {}@{}; rebuild the plugin against {}@{}",
                    contract::PACKAGE,
                    contract::VERSION,
                    contract::PACKAGE,
                    contract::VERSION
                ),
                None => format!(
                    "plugin {label} does not export `{}` (it exports: {}); is it an xhost plugin?",
                    contract::STAGE_EXPORT,
                    if self.exports.is_empty() {
                        "nothing".to_string()
                    } else {
                        self.exports.join(", ")
                    }
                ),
            },
        )
    }
}

impl LoadedPlugin {
    /// Checks that `bytes` are a component honouring the contract, and compiles it.
    pub fn load(runtime: &Runtime, label: &str, bytes: &[u8]) -> Result<Self> {
        let analysis = Analysis::of(runtime, label, bytes)?;
        if let Some(problem) = analysis.problem(label) {
            bail!(problem);
        }
        Ok(LoadedPlugin {
            label: label.to_string(),
            digest: analysis.digest,
            component: analysis.component,
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
                Import::Interface(name) => Some(name.as_str()),
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
