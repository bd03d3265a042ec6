//! `xhost verify`: check a release's digests, checksums, signatures and provenance.

use std::io::Write;

use anyhow::{Result, bail};

use super::VerifyArgs;

pub(super) fn run(args: VerifyArgs) -> Result<()> {
    let report = crate::verify::verify(&args.dist, &args.keys)?;
    let mut out = std::io::stdout().lock();
    for (file, why) in &report.failures {
        writeln!(out, "FAIL  {file}: {why}")?;
    }
    writeln!(
        out,
        "{}: {} files, {} signatures, {} provenance attestations checked; {}",
        args.dist.display(),
        report.files,
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
