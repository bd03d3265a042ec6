//! `xhost plugins`: the built-in plugins, each described by itself.

use std::io::Write;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::runtime::LoadedPlugin;
use crate::session::Session;

pub(super) fn run(verbosity: u8) -> Result<()> {
    let session = Session::open(verbosity)?;
    let (runtime, reporter) = (session.runtime(), session.reporter());
    let mut out = std::io::stdout().lock();
    for name in crate::builtin::names() {
        let bytes = crate::builtin::get(name).context("built-in listed but missing")?;
        let label = format!("builtin:{name}");
        let plugin = Arc::new(LoadedPlugin::load(&label, bytes.into())?);
        let world = crate::caps::world_of(&plugin.interfaces());
        let digest = plugin.digest.clone();
        let info = crate::plan::describe_alone(runtime, plugin, name, reporter.clone())?;
        let scope = if info.release_scope {
            "release"
        } else {
            "per target"
        };
        writeln!(
            out,
            "{label}  {} {}  [{scope}, world {world}]",
            info.name, info.version
        )?;
        writeln!(out, "    {}", info.summary)?;
        writeln!(out, "    sha256 {digest}")?;
    }
    Ok(())
}
