//! `xhost plugin update`: for each `oci://` pin, what its tag names now and what the
//! new component would add; fails when any update was refused.

use anyhow::{Result, bail};

use super::PluginUpdateArgs;
use crate::config::{self, Overrides};
use crate::plugin_registry::update::{self, Outcome};
use crate::session::Session;

pub(super) fn run(args: PluginUpdateArgs, verbosity: u8) -> Result<()> {
    let config = config::load(&args.dir, &Overrides::default())?;
    let Some(file) = config.file.clone() else {
        bail!(
            "{}: no xhost.toml, so no plugin is pinned",
            args.dir.display()
        );
    };
    let session = Session::open(verbosity)?;
    let updates = update::update(
        &file,
        &config.stages,
        session.runtime(),
        session.reporter(),
        args.allow_new_capabilities,
        args.dry_run,
    )?;
    if updates.is_empty() {
        println!("no stage takes a plugin from a registry (oci://)");
        return Ok(());
    }
    let mut refused = 0;
    for u in &updates {
        let stages = u.stages.join(", ");
        match &u.outcome {
            Outcome::NoTag => println!("{stages}: {} has no tag to follow", u.from),
            Outcome::Current => println!("{stages}: {} is current", u.from),
            Outcome::Moved(change) | Outcome::Refused(change) => {
                let moved = matches!(u.outcome, Outcome::Moved(_));
                let verb = match (moved, args.dry_run) {
                    (true, false) => "moved",
                    (true, true) => "would move",
                    (false, _) => "REFUSED",
                };
                println!("{stages}: {verb}\n  from {}\n  to   {}", u.from, change.to);
                if let Some(key) = &change.signed_by {
                    println!("  signed by {key}");
                }
                for added in &change.added {
                    println!("  + asks for {added}");
                }
                for removed in &change.removed {
                    println!("  - no longer asks for {removed}");
                }
                if !moved {
                    refused += 1;
                    println!(
                        "  the new component asks for more than the pinned one; review it, then run again with --allow-new-capabilities to move the pin"
                    );
                }
            }
        }
    }
    if refused > 0 {
        bail!(
            "{refused} update(s) refused; {} left as it was",
            file.display()
        );
    }
    Ok(())
}
