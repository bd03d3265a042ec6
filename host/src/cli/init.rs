//! `xhost init [DIR] [--from-goreleaser [FILE]]`: writes `DIR/xhost.toml` only after the
//! new configuration builds (or, with `--no-build`, plans as `xhost check` does), and
//! lists what was not carried over. The trial build publishes nothing; it runs through
//! the action cache, so the first `xhost build` of the same commit reuses its work.

use std::path::Path;

use anyhow::{Context, Result};

use super::InitArgs;
use crate::config::{self, Overrides};
use crate::init::{self, Draft};
use crate::session::{ActionCacheUse, Request, Scope, Session};

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
    let target = dir.join(config::FILE_NAME);
    let refused = |error: anyhow::Error, outcome: &str| {
        eprintln!("{}", draft.toml);
        error.context(format!(
            "the new xhost.toml (above) {outcome}; fix the GoReleaser config or write xhost.toml from the text above"
        ))
    };
    if args.no_build {
        let checked = config::resolve(dir, Some(&draft.toml), &overrides)
            .map_err(anyhow::Error::from)
            .and_then(|config| Session::open(verbosity)?.plan(config).map(|_| ()));
        checked.map_err(|e| refused(e, "does not check, so it was not written"))?;
        write_new(&target, &draft.toml)?;
    } else {
        // On disk for the build, as stages reading the source see it: the first
        // `xhost build` then finds the same action keys.
        write_new(&target, &draft.toml)?;
        if let Err(error) = trial_build(dir, &args, verbosity) {
            std::fs::remove_file(&target)
                .with_context(|| format!("removing {}", target.display()))?;
            return Err(refused(error, "does not build, so it was removed again"));
        }
    }
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

/// Builds the project with its new `xhost.toml`, publishing nothing: as `xhost build`
/// would (a snapshot when the tag at HEAD would be refused), so into the action cache
/// it reads.
fn trial_build(dir: &Path, args: &InitArgs, verbosity: u8) -> Result<()> {
    let config = match config::load(dir, &Overrides::default()) {
        Ok(config) => config,
        Err(_) => config::load(
            dir,
            &Overrides {
                snapshot: true,
                ..Overrides::default()
            },
        )?,
    };
    let session = Session::open(verbosity)?;
    let request = Request {
        remote_cache: None,
        remote_exec: None,
        scope: Scope::Whole,
        dist: config.root.join("dist"),
        jobs: super::build::default_jobs(),
        action_cache: ActionCacheUse::Reuse,
        allow_unsandboxed_tools: args.tool_sandbox.allow_unsandboxed_tools,
        seed: Vec::new(),
        seed_target: None,
        publish_only: None,
        source_digest: None,
    };
    eprintln!(
        "xhost: building {} {} with the new xhost.toml (nothing is published)",
        config.project.name, config.project.version
    );
    let prepared = session.prepare(config, request)?;
    session.run(&prepared)?;
    Ok(())
}

/// Writes `text` to `file`, which must not exist (never over a file made meanwhile).
fn write_new(file: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    out.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", file.display()))
}
