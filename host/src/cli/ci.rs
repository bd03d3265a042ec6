//! `xhost ci init`: the release pipeline written for a CI system.

use anyhow::Result;

use super::{CiInitArgs, CiSystem};
use crate::ci::System;
use crate::config::{self, Overrides};

pub(super) fn init(args: CiInitArgs) -> Result<()> {
    let config = config::load(&args.dir, &Overrides::default())?;
    let system = match args.system {
        CiSystem::Github => System::Github,
        CiSystem::Gitlab => System::Gitlab,
    };
    let written = crate::ci::init(&config, system, args.force)?;
    for id in &crate::ci::Pipeline::of(&config, system)?.key_files {
        eprintln!(
            "xhost: warning: signing key `{id}` is read from a file, which CI runners do not have; give it `env = \"…\"` in [signing.keys.{id}] and a secret of that name"
        );
    }
    let shown = written.file.display();
    match written.changed {
        true => println!("wrote {shown}"),
        false => println!("{shown} is up to date"),
    }
    Ok(())
}
