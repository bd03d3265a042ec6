//! Where the remote cache is and how a build uses it: `[remote_cache]` as written, and
//! the settings of one build, where a flag or the environment may override the URL
//! and read-only mode and the environment gives the credentials.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use super::Credentials;
use crate::keys::KeySource;

/// `[remote_cache]` as the configuration has it.
#[derive(Debug, Clone)]
pub struct Configured {
    pub url: Option<String>,
    pub read_only: bool,
    pub timeout: Duration,
    /// Public key files; when any, every entry used must be signed by one of them.
    pub trust: Vec<PathBuf>,
    /// The key that signs the entries this build writes.
    pub sign: Option<KeySource>,
    /// CA certificates to trust for the server, besides the system's.
    pub ca_file: Option<PathBuf>,
}

impl Default for Configured {
    fn default() -> Self {
        Configured {
            url: None,
            read_only: false,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            trust: Vec::new(),
            sign: None,
            ca_file: None,
        }
    }
}

/// Where the remote cache is and how this build uses it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http://…` or `https://…`: the cache's base URL.
    pub url: String,
    /// Fetch only, never upload.
    pub read_only: bool,
    /// How long a connection or a silent response may take before the server is
    /// dropped.
    pub timeout: Duration,
    pub trust: Vec<PathBuf>,
    /// Signs what is written (unused when read-only).
    pub sign: Option<KeySource>,
    /// From the environment (`XHOST_REMOTE_CACHE_*`).
    pub credentials: Option<Credentials>,
    /// CA certificates (PEM) to trust for the server, besides the system's.
    pub ca: Option<Vec<u8>>,
}

/// Seconds a connection or a silent response may take, unless configured.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

impl Settings {
    /// The remote cache a build uses: `--remote-cache URL` (`off` for none), else
    /// `XHOST_REMOTE_CACHE`, else `[remote_cache]`; read-only when the flag,
    /// `XHOST_REMOTE_CACHE_READ_ONLY=1` or the config says so.
    pub fn resolve(
        flag: Option<&str>,
        read_only_flag: bool,
        configured: &Configured,
    ) -> Result<Option<Settings>> {
        let from_env = std::env::var("XHOST_REMOTE_CACHE")
            .ok()
            .filter(|v| !v.is_empty());
        let (url, origin) = match (flag, &from_env) {
            (Some(url), _) => (url.to_string(), "--remote-cache"),
            (None, Some(url)) => (url.clone(), "XHOST_REMOTE_CACHE"),
            (None, None) => match &configured.url {
                Some(url) => (url.clone(), "[remote_cache] url"),
                None => return Ok(None),
            },
        };
        if url == "off" {
            return Ok(None);
        }
        let env_read_only = std::env::var("XHOST_REMOTE_CACHE_READ_ONLY")
            .is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes"));
        Settings::at(url, origin, read_only_flag || env_read_only, configured).map(Some)
    }

    /// The settings for `url` (named by `origin` in errors), with `[remote_cache]`'s
    /// timeout, keys and CA, and the credentials from the environment.
    pub fn at(
        url: String,
        origin: &str,
        read_only: bool,
        configured: &Configured,
    ) -> Result<Settings> {
        check_url(&url).map_err(|why| anyhow::anyhow!("{origin}: {why}"))?;
        let credentials = Credentials::from_env(&url)?;
        let ca = (configured.ca_file.as_ref())
            .map(|file| {
                std::fs::read(file)
                    .with_context(|| format!("[remote_cache] ca_file {}", file.display()))
            })
            .transpose()?;
        Ok(Settings {
            ca,
            credentials,
            url,
            read_only: read_only || configured.read_only,
            timeout: configured.timeout,
            trust: configured.trust.clone(),
            sign: configured.sign.clone(),
        })
    }
}

/// A remote cache URL xhost can use: `http(s)://HOST…` (Bazel's HTTP cache) or
/// `grpc(s)://HOST:PORT[/INSTANCE]` (REAPI).
pub fn check_url(url: &str) -> Result<(), String> {
    // First, so that no message repeats them.
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    if after_scheme
        .split('/')
        .next()
        .is_some_and(|a| a.contains('@'))
    {
        return Err(
            "the URL holds credentials (`user:password@`), which would be shown and recorded; give them in XHOST_REMOTE_CACHE_USERNAME and XHOST_REMOTE_CACHE_PASSWORD (or XHOST_REMOTE_CACHE_TOKEN) instead".into(),
        );
    }
    let rest = ["http://", "https://", "grpc://", "grpcs://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .ok_or_else(|| {
            format!(
                "`{url}` is not an http:// or https:// URL of a Bazel HTTP cache, nor a grpc:// or grpcs:// URL of a REAPI server"
            )
        })?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(format!("`{url}` names no host"));
    }
    Ok(())
}
