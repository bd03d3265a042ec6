//! `xhost worker URL`: serve a REAPI execution service's workers' API, running the
//! stages builds send with `--remote-exec` in this machine's sandbox.

use anyhow::Result;

use super::WorkerArgs;
use crate::cache::remote::{Configured, Settings};
use crate::keys::KeySource;
use crate::remote_exec::worker::{self, Options};
use crate::session::Session;

pub fn run(args: WorkerArgs, verbosity: u8) -> Result<()> {
    let configured = Configured {
        sign: args.sign.map(|file| KeySource {
            id: "worker".into(),
            file: Some(file),
            env: None,
            password_env: None,
        }),
        ca_file: args.ca_file,
        ..Configured::default()
    };
    let settings = Settings::at(args.url, "xhost worker URL", false, &configured)?;
    let session = Session::open(verbosity)?;
    let id = args.id.unwrap_or_else(default_id);
    let dir = args
        .dir
        .unwrap_or_else(|| session.cache().root().join("workers").join(&id));
    worker::serve(
        &session,
        &Options {
            settings,
            dir,
            id,
            actions: args.actions,
        },
    )
}

/// This machine's name and the process id: unique among the workers of one service.
fn default_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!("{host}-{}", std::process::id())
}
