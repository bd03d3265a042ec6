//! Registry credentials, held by the host only (no plugin ever sees them): from
//! `XHOST_REGISTRY_USERNAME` and `XHOST_REGISTRY_PASSWORD`, else the docker client's
//! `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) entry
//! for the registry's host (`auths.<host>.auth`, base64 of `user:password`), else
//! none. Never printed: errors name where they came from, not what they are.

use anyhow::{Context, Result};
use base64::Engine;

/// A user name and password, and where they were found.
pub struct Credentials {
    pub username: String,
    pub password: String,
    pub source: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials from {} (redacted)", self.source)
    }
}

/// The credentials for `registry` (`host[:port]`), if any are configured.
pub fn for_registry(registry: &str) -> Result<Option<Credentials>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(username), Some(password)) = (
        env("XHOST_REGISTRY_USERNAME"),
        env("XHOST_REGISTRY_PASSWORD"),
    ) {
        return Ok(Some(Credentials {
            username,
            password,
            source: "XHOST_REGISTRY_USERNAME and XHOST_REGISTRY_PASSWORD".into(),
        }));
    }
    let file = match env("DOCKER_CONFIG") {
        Some(dir) => std::path::PathBuf::from(dir).join("config.json"),
        None => match env("HOME") {
            Some(home) => std::path::PathBuf::from(home).join(".docker/config.json"),
            None => return Ok(None),
        },
    };
    let Ok(text) = std::fs::read(&file) else {
        return Ok(None);
    };
    let config: serde_json::Value =
        serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let auths = &config["auths"];
    let entry = [
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
    ]
    .iter()
    .find_map(|key| auths[key.as_str()]["auth"].as_str().map(str::to_string));
    let Some(encoded) = entry else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .with_context(|| {
            format!(
                "{}: the `auth` entry for {registry} is not base64 of user:password",
                file.display()
            )
        })?;
    let (username, password) = decoded.split_once(':').with_context(|| {
        format!(
            "{}: the `auth` entry for {registry} is not base64 of user:password",
            file.display()
        )
    })?;
    Ok(Some(Credentials {
        username: username.to_string(),
        password: password.to_string(),
        source: file.display().to_string(),
    }))
}
