//! `xhost report`: a release's HTML page.

use anyhow::{Context, Result};

use super::ReportArgs;

pub(super) fn run(args: ReportArgs) -> Result<()> {
    let page = crate::report::page::render(&args.dist, args.trace.as_deref())?;
    let out = args.out.unwrap_or_else(|| {
        let name = args
            .dist
            .file_name()
            .map_or_else(|| "dist".into(), |n| n.to_string_lossy().into_owned());
        args.dist.with_file_name(format!("{name}-report.html"))
    });
    crate::files::write_atomic(&out, page.as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}
