//! `xhost publish`: push `dist/` to the destinations in xhost.toml.

use anyhow::Result;

use super::PublishArgs;
use crate::config::{self, Overrides};

pub(super) fn run(args: PublishArgs) -> Result<()> {
    let config = config::load(&args.dir, &Overrides::default())?;
    let dist = args.dist.unwrap_or_else(|| config.root.join("dist"));
    let published = crate::publish::publish(&dist, &config.publish)?;
    for done in &published {
        let pushed = &done.pushed;
        eprintln!(
            "xhost: {} → {}: {} blobs sent, {} already there, {} manifests",
            done.what.display(),
            done.to,
            pushed.blobs_sent,
            pushed.blobs_present,
            pushed.manifests
        );
        for tag in &pushed.tags {
            println!("{tag}");
        }
    }
    Ok(())
}
