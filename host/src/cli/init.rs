//! `xhost init [DIR] [--from-goreleaser [FILE]]`: writes `DIR/xhost.toml` only after the
//! new configuration plans (as `xhost check` does), and lists what was not carried over.

use anyhow::{Context, Result};

use super::InitArgs;
use crate::config::{self, Overrides};
use crate::init::{self, Draft};
use crate::session::Session;

pub(super) fn run(args: InitArgs, verbosity: u8) -> Result<()> {
    let dir = &args.dir;
    init::check_absent(dir)?;
    // A snapshot, so a tag that would refuse a release does not refuse the setup.
    let overrides = Overrides {
        snapshot: true,
        ..Overrides::default()
    };
    let draft = match &args.from_goreleaser {
        Some(file) => {
            let file = init::find_goreleaser(dir, file.as_deref())?;
            init::from_goreleaser(dir, &file)?
        }
        None => {
            let defaults = config::resolve(dir, None, &overrides)?;
            Draft {
                toml: init::fresh::render(&defaults),
                from: None,
                dropped: Vec::new(),
                notes: Vec::new(),
            }
        }
    };
    let checked = config::resolve(dir, Some(&draft.toml), &overrides)
        .map_err(anyhow::Error::from)
        .and_then(|config| Session::open(verbosity)?.plan(config).map(|_| ()));
    if let Err(error) = checked {
        eprintln!("{}", draft.toml);
        return Err(error).context(
            "the new xhost.toml (above) does not check, so it was not written; fix the GoReleaser config or write xhost.toml from the text above",
        );
    }
    let target = dir.join(config::FILE_NAME);
    crate::files::write_atomic(&target, draft.toml.as_bytes())?;
    match &draft.from {
        Some(from) => println!("wrote {} from {}", target.display(), from.display()),
        None => println!("wrote {}", target.display()),
    }
    for note in &draft.notes {
        println!("  note: {note}");
    }
    if !draft.dropped.is_empty() {
        println!(
            "not carried over (also listed at the end of {}):",
            config::FILE_NAME
        );
        for d in &draft.dropped {
            println!("  line {}: {} — {}", d.line, d.key, d.reason);
        }
    }
    Ok(())
}
