//! The WASI context of an invocation: only the mounts, no environment, no arguments,
//! stdin closed, no sockets, no name lookup, stdout/stderr into the log.

use anyhow::{Context, Result};
use wasmtime_wasi::p2::pipe::ClosedInputStream;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use super::Mounts;
use crate::report::plugin_log::{LogSink, Stream};

/// Builds the context; `mounts` is None for calls that get no filesystem (`describe`).
pub fn context(mounts: Option<&Mounts>, log: &LogSink) -> Result<WasiCtx> {
    let mut builder = WasiCtxBuilder::new();
    // Must come before the preopens: each one captures the setting.
    builder.allow_blocking_current_thread(true);
    // wasmtime's defaults deny all of these already; saying so keeps the policy
    // readable here and safe against a changed default.
    builder
        .stdin(ClosedInputStream)
        .stdout(log.guest_stream(Stream::Stdout))
        .stderr(log.guest_stream(Stream::Stderr))
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    if let Some(mounts) = mounts {
        builder
            .preopened_dir(&mounts.input, "/in", FsPerms::ReadOnly)
            .map_err(anyhow::Error::from)
            .context("mounting /in")?;
        builder
            .preopened_dir(&mounts.output, "/out", FsPerms::ReadWrite)
            .map_err(anyhow::Error::from)
            .context("mounting /out")?;
        if let Some(source) = &mounts.source {
            builder
                .preopened_dir(source, "/src", FsPerms::ReadOnly)
                .map_err(anyhow::Error::from)
                .context("mounting /src")?;
        }
    }
    Ok(builder.build())
}
