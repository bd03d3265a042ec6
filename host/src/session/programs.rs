//! Deciding, once per command, how `exec` runs native programs: confined when the
//! launcher's probe passes; otherwise refused, unless the user said
//! `--allow-unsandboxed-tools`, which runs them unconfined with a loud warning and a
//! mark in `artifacts.json`.

use anyhow::{Context, Result};

use crate::cache_layout::CacheLayout;
use crate::plan::Plan;
use crate::tool_sandbox::{self, Mode, probe_memo};

/// Whether programs run unconfined (only ever true with the user's consent).
/// A pass is remembered in the cache (see `tool_sandbox::probe_memo`).
pub(super) fn settle(plan: &Plan, cache: &CacheLayout, allow_unsandboxed: bool) -> Result<bool> {
    let Some(stage) = plan
        .stages
        .iter()
        .find(|s| !crate::caps::exec::programs(s).is_empty())
    else {
        return Ok(false);
    };
    let launcher =
        std::env::current_exe().context("finding the xhost executable for the tool sandbox")?;
    if probe_memo::passed(&cache.probes()) {
        tool_sandbox::set_mode(Mode::Confined { launcher });
        return Ok(false);
    }
    match tool_sandbox::probe(&launcher) {
        Ok(()) => {
            probe_memo::remember(&cache.probes());
            tool_sandbox::set_mode(Mode::Confined { launcher });
            Ok(false)
        }
        Err(why) if allow_unsandboxed => {
            eprintln!(
                "warning: *** NATIVE PROGRAMS RUN UNCONFINED *** the tool sandbox is unavailable ({why:#}); \
                 --allow-unsandboxed-tools lets programs granted to plugins read and write anything this user can, \
                 and reach the network. artifacts.json records this build as unsandboxed."
            );
            tool_sandbox::set_mode(Mode::Unconfined);
            Ok(true)
        }
        Err(why) => Err(why).with_context(|| {
            format!(
                "stage `{}` runs native programs ({}), which xhost will not run unconfined",
                stage.config.name,
                crate::caps::exec::programs(stage)
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    }
}
