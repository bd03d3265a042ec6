//! `xhost verify`: check a release's digests, checksums, signatures and provenance.

use std::io::Write;

use anyhow::{Result, bail};

use super::{Required, VerifyArgs};
use crate::report::sanitize::{sanitize_line, shown_name};
use crate::verify::Requirement;

pub(super) fn run(args: VerifyArgs) -> Result<()> {
    if crate::artifacts::partial::is_partial(&args.dist) {
        return partial(&args);
    }
    let required: Vec<Requirement> = args
        .require
        .iter()
        .map(|r| match r {
            Required::Provenance => Requirement::Provenance,
        })
        .collect();
    let report = crate::verify::verify(&args.dist, &args.keys, &required)?;
    let mut out = std::io::stdout().lock();
    // File names and reasons come from the release being checked: never printed raw.
    for (file, why) in &report.failures {
        writeln!(out, "FAIL  {}: {}", shown_name(file), sanitize_line(why))?;
    }
    let trust = if report.authenticated {
        "every file covered by the keys given"
    } else {
        "integrity only: no --key given, so nothing is authenticated"
    };
    writeln!(
        out,
        "{}: {} files, {} checksums files, {} signatures, {} provenance attestations checked ({trust}); {}",
        args.dist.display(),
        report.files,
        report.checksums,
        report.signatures,
        report.attestations,
        match report.failures.len() {
            0 => "all good".to_string(),
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        }
    )?;
    if !report.failures.is_empty() {
        bail!(
            "{} does not verify: {} problem(s), listed above",
            args.dist.display(),
            report.failures.len()
        );
    }
    Ok(())
}

/// A partial release has no checksums, signatures or provenance (the merge makes
/// them): its files are checked as `xhost merge` checks them, against its manifest.
fn partial(args: &VerifyArgs) -> Result<()> {
    if !args.keys.is_empty() || !args.require.is_empty() {
        bail!(
            "{} is a partial release (`xhost build --split`): it holds no signatures or provenance to check against keys; verify the release `xhost merge` makes of it",
            args.dist.display()
        );
    }
    let partial = crate::artifacts::partial::Partial::read(&args.dist)?;
    let work = tempfile::tempdir()?;
    partial.take(work.path(), crate::digest::sha256_file)?;
    println!(
        "{}: a partial release of {}: {} files match its artifacts.json (integrity only; its checksums, signatures and provenance are made by `xhost merge`); all good",
        args.dist.display(),
        partial
            .targets
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        partial.records.len()
    );
    Ok(())
}
