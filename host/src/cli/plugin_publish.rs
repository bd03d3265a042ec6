//! `xhost plugin publish`: prints what was pushed on stderr and the reference to pin
//! on stdout, so scripts can take it.

use anyhow::{Context, Result};

use super::PluginPublishArgs;
use crate::cache_layout::CacheLayout;
use crate::plugin_registry::{OciRef, push};
use crate::runtime::Runtime;

pub(super) fn run(args: PluginPublishArgs) -> Result<()> {
    let to = OciRef::parse(&args.to)?;
    let key = match &args.key {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading key {}", file.display()))?;
            let password = match &args.key_password_env {
                Some(var) => Some(std::env::var(var).with_context(|| {
                    format!("environment variable {var} (the key's password) is not set")
                })?),
                None => None,
            };
            let id = file.display().to_string();
            Some(crate::keys::parse(&id, &text, password).with_context(|| format!("key {id}"))?)
        }
        None => None,
    };
    let runtime = Runtime::cached(&CacheLayout::locate()?)?;
    let published = push::publish(&runtime, &args.file, &to, key.as_ref())?;
    let pushed = &published.pushed;
    eprintln!(
        "xhost: published {} as {} ({} blob(s) sent, {} already there)",
        args.file.display(),
        to,
        pushed.blobs_sent,
        pushed.blobs_present
    );
    if let Some(key) = &published.signed_with {
        eprintln!(
            "xhost: signed with {key} (cosign's signature, tag {})",
            crate::plugin_registry::trust::signature_tag(
                published.reference.digest.as_deref().unwrap_or_default()
            )
        );
    }
    eprintln!(
        "xhost: pin it in a stage with:\n  plugin = \"{}\"",
        published.reference
    );
    println!("{}", published.reference);
    Ok(())
}
