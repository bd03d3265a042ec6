//! A plugin component: its bytes checked, compiled, and its imports and exports read.

use anyhow::{Context, Result, bail};
use wasmtime::component::Component;

use super::Runtime;
use super::contract::{self, Capability};
use crate::digest::sha256_hex;

/// A compiled plugin component, ready to be linked for a stage.
pub struct LoadedPlugin {
    /// How the user named it: `builtin:go-build` or a file path.
    pub label: String,
    /// SHA-256 of the component bytes.
    pub digest: String,
    pub component: Component,
    /// Names of the interfaces it imports, with what each gives it.
    pub imports: Vec<(String, Capability)>,
}

impl LoadedPlugin {
    /// Checks that `bytes` are a component honouring the contract, and compiles it.
    pub fn load(runtime: &Runtime, label: &str, bytes: &[u8]) -> Result<Self> {
        check_is_component(label, bytes)?;
        let component = Component::new(runtime.engine(), bytes)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("plugin {label}: not a valid WebAssembly component"))?;
        let ty = component.component_type();
        let engine = runtime.engine();
        let mut imports = Vec::new();
        for (name, _) in ty.imports(engine) {
            let capability =
                contract::classify(name).map_err(|why| anyhow::anyhow!("plugin {label} {why}"))?;
            imports.push((name.to_string(), capability));
        }
        let exports: Vec<String> = ty
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        if !exports.iter().any(|name| name == contract::STAGE_EXPORT) {
            let names: Vec<&str> = exports.iter().map(String::as_str).collect();
            let other_version = names.iter().find(|n| n.starts_with("xhost:plugin/stage@"));
            match other_version {
                Some(found) => bail!(
                    "plugin {label} exports `{found}`, but this xhost implements {}@{}; rebuild the plugin against {}@{}",
                    contract::PACKAGE,
                    contract::VERSION,
                    contract::PACKAGE,
                    contract::VERSION
                ),
                None => bail!(
                    "plugin {label} does not export `{}` (it exports: {}); is it an xhost plugin?",
                    contract::STAGE_EXPORT,
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            }
        }
        Ok(LoadedPlugin {
            label: label.to_string(),
            digest: sha256_hex(bytes),
            component,
            imports,
        })
    }

    /// The optional capabilities the component imports.
    pub fn wants(&self) -> super::Granted {
        let imports = |c| self.imports.iter().any(|(_, cap)| *cap == c);
        super::Granted {
            exec: imports(Capability::Exec),
            signing: imports(Capability::Signing),
        }
    }

    /// The smallest world holding the component's imports.
    pub fn world(&self) -> &'static str {
        match self.wants() {
            super::Granted {
                exec: false,
                signing: false,
            } => "plugin",
            super::Granted {
                exec: true,
                signing: false,
            } => "tool-plugin",
            super::Granted {
                exec: false,
                signing: true,
            } => "signer-plugin",
            super::Granted {
                exec: true,
                signing: true,
            } => "full-plugin",
        }
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
