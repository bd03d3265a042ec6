//! `xhost verify`: check a release's digests, checksums, signatures and provenance.

use std::io::Write;

use anyhow::{Result, bail};

use super::{Required, VerifyArgs};
use crate::report::sanitize::{sanitize_line, shown_name};
use crate::verify::Requirement;

pub(super) fn run(args: VerifyArgs) -> Result<()> {
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
