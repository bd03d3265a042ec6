//! Registry credentials, held by the host only (no plugin ever sees them), found as
//! the docker client finds them:
//! 1. `XHOST_REGISTRY_USERNAME` and `XHOST_REGISTRY_PASSWORD`;
//! 2. else the docker client's `config.json` (`$DOCKER_CONFIG/config.json`, else
//!    `~/.docker/config.json`): the credential helper `credHelpers` names for the
//!    registry's host, else the `credsStore` helper, else `auths.<host>.auth` (base64
//!    of `user:password`). A helper is the program `docker-credential-<name>` on
//!    `PATH`, asked with `get` and the host on its stdin (docker's protocol);
//! 3. else none.
//!
//! Never printed: errors name where they came from, not what they are.

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
    let helper = config["credHelpers"][registry]
        .as_str()
        .or(config["credsStore"].as_str())
        .filter(|name| !name.is_empty());
    if let Some(name) = helper {
        return from_helper(name, registry, &file);
    }
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

/// Asks docker's credential helper `name` for `registry`'s credentials. A helper that
/// has none says so (docker's "credentials not found"), which is no credentials.
fn from_helper(name: &str, registry: &str, file: &std::path::Path) -> Result<Option<Credentials>> {
    use std::io::Write;
    if name.contains(['/', '\\']) || name.starts_with('.') {
        anyhow::bail!(
            "{}: credential helper `{name}` is not a helper name (docker runs docker-credential-<name> from PATH)",
            file.display()
        );
    }
    let program = format!("docker-credential-{name}");
    let mut child = std::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "{} names the credential helper `{name}` for {registry}, but {program} cannot be run (is it on PATH?)",
                file.display()
            )
        })?;
    // The helper reads the whole request before answering; a helper that exits
    // early closes the pipe, and what it printed says why.
    let _ = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(registry.as_bytes());
    let output = child
        .wait_with_output()
        .with_context(|| format!("running {program}"))?;
    let said = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        if said.contains("credentials not found") {
            return Ok(None);
        }
        // What a helper prints on failure is its own message, never the secret.
        let reason = format!(
            "{}{}",
            said.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
        anyhow::bail!(
            "{program} (named by {}) failed for {registry} ({}): {}",
            file.display(),
            output.status,
            reason.chars().take(300).collect::<String>()
        );
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "Username")]
        username: String,
        #[serde(rename = "Secret")]
        secret: String,
    }
    let answer: Answer = serde_json::from_slice(&output.stdout).map_err(|_| {
        anyhow::anyhow!(
            "{program} answered for {registry} with something other than docker's {{\"Username\", \"Secret\"}} JSON"
        )
    })?;
    if answer.username == "<token>" {
        anyhow::bail!(
            "{program} holds an identity token for {registry}, which xhost cannot use yet: set XHOST_REGISTRY_USERNAME and XHOST_REGISTRY_PASSWORD"
        );
    }
    Ok(Some(Credentials {
        username: answer.username,
        password: answer.secret,
        source: format!("{program} (named by {})", file.display()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helper_name_cannot_name_another_program() {
        let file = std::path::Path::new("config.json");
        for name in ["../../bin/sh", "/bin/sh", ".hidden", "a\\b"] {
            let refused = from_helper(name, "registry.example.com", file).unwrap_err();
            assert!(
                refused.to_string().contains("is not a helper name"),
                "{name}: {refused}"
            );
        }
    }
}
