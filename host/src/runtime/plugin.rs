//! A plugin component: its bytes checked and its imports and exports read, then
//! compiled only when a stage first runs it — a build whose stages all come from the
//! cache compiles nothing.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result, bail};
use wasmparser::{Parser, Payload};
use wasmtime::component::Component;

use super::Runtime;
use super::contract::{self, Import, Version};
use crate::digest::sha256_hex;

/// A plugin component honouring the contract, compiled on first use.
pub struct LoadedPlugin {
    /// How the user named it: `builtin:go-build` or a file path.
    pub label: String,
    /// SHA-256 of the component bytes.
    pub digest: String,
    /// The component's bytes, kept until it is compiled.
    bytes: Cow<'static, [u8]>,
    /// Names of the interfaces it imports, with what each is.
    pub imports: Vec<(String, Import)>,
    /// The contract version it was built against.
    pub contract: Version,
    compiled: OnceLock<Component>,
    /// Held while compiling, so stages sharing the plugin compile it once.
    compiling: Mutex<()>,
}

/// What a component imports and exports, judged against the contract but not refused.
/// Read from the component's own sections: nothing is compiled.
pub struct Analysis {
    /// SHA-256 of the component bytes.
    pub digest: String,
    /// Each import with what it is, or why this host cannot provide it.
    pub imports: Vec<(String, Result<Import, String>)>,
    pub exports: Vec<String>,
}

impl Analysis {
    /// Checks that `bytes` are a component and reads its top-level imports and exports.
    pub fn of(label: &str, bytes: &[u8]) -> Result<Self> {
        Analysis::with_digest(label, bytes, sha256_hex(bytes))
    }

    /// [`Analysis::of`] for bytes whose SHA-256 the caller has taken already.
    fn with_digest(label: &str, bytes: &[u8], digest: String) -> Result<Self> {
        check_is_component(label, bytes)?;
        let (imports, exports) = interface_names(bytes)
            .with_context(|| format!("plugin {label}: not a valid WebAssembly component"))?;
        Ok(Analysis {
            digest,
            imports: imports
                .into_iter()
                .map(|name| {
                    let import = contract::classify(&name);
                    (name, import)
                })
                .collect(),
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
    /// Checks that `bytes` are a component honouring the contract; compiles nothing.
    pub fn load(label: &str, bytes: Cow<'static, [u8]>) -> Result<Self> {
        let digest = sha256_hex(&bytes);
        LoadedPlugin::load_with_digest(label, bytes, digest)
    }

    /// [`LoadedPlugin::load`] for bytes whose SHA-256 (`digest`) the caller has taken.
    pub fn load_with_digest(
        label: &str,
        bytes: Cow<'static, [u8]>,
        digest: String,
    ) -> Result<Self> {
        let analysis = Analysis::with_digest(label, &bytes, digest)?;
        if let Some(problem) = analysis.problem(label) {
            bail!(problem);
        }
        let contract = analysis.contract().expect("checked by problem()");
        Ok(LoadedPlugin {
            label: label.to_string(),
            digest: analysis.digest,
            bytes,
            contract,
            imports: analysis
                .imports
                .into_iter()
                .map(|(name, capability)| (name, capability.expect("checked by problem()")))
                .collect(),
            compiled: OnceLock::new(),
            compiling: Mutex::new(()),
        })
    }

    /// The component compiled by `runtime` (or taken from its compiled-plugin cache),
    /// the first time it is asked for.
    pub fn component(&self, runtime: &Runtime) -> Result<&Component> {
        if let Some(component) = self.compiled.get() {
            return Ok(component);
        }
        let _one_at_a_time = self.compiling.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(component) = self.compiled.get() {
            return Ok(component);
        }
        let component = runtime
            .compile(&self.digest, &self.bytes)
            .with_context(|| format!("plugin {}: not a valid WebAssembly component", self.label))?;
        Ok(self.compiled.get_or_init(|| component))
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

/// The names of the component's own imports and exports, read from its sections; those
/// of the modules and components nested in it are skipped.
fn interface_names(bytes: &[u8]) -> Result<(Vec<String>, Vec<String>)> {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    imports.push(import?.name.0.to_string());
                }
            }
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section {
                    exports.push(export?.name.0.to_string());
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}
