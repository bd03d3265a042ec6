//! How xhost proves itself to a remote cache: from the environment only, never from
//! the URL (which is shown in messages and recorded in `artifacts.json`) nor from
//! `xhost.toml` (which is committed). `XHOST_REMOTE_CACHE_USERNAME` and
//! `XHOST_REMOTE_CACHE_PASSWORD` for HTTP basic authentication, or
//! `XHOST_REMOTE_CACHE_TOKEN` for a bearer token; sent as the `Authorization` header of
//! every HTTP request or gRPC call, and only over TLS unless the server is on this
//! machine.

use anyhow::{Result, bail};
use base64::Engine;

/// Credentials for the remote cache. Their `Debug` shows no secret.
#[derive(Clone)]
pub enum Credentials {
    Basic { username: String, password: String },
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credentials::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

impl Credentials {
    /// The credentials the environment gives for `url`, if any.
    pub fn from_env(url: &str) -> Result<Option<Credentials>> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let credentials = match (
            var("XHOST_REMOTE_CACHE_USERNAME"),
            var("XHOST_REMOTE_CACHE_PASSWORD"),
            var("XHOST_REMOTE_CACHE_TOKEN"),
        ) {
            (None, None, None) => return Ok(None),
            (Some(username), Some(password), None) => Credentials::Basic { username, password },
            (None, None, Some(token)) => Credentials::Bearer(token),
            (_, _, Some(_)) => bail!(
                "XHOST_REMOTE_CACHE_TOKEN is set together with XHOST_REMOTE_CACHE_USERNAME or _PASSWORD: give the remote cache one kind of credentials"
            ),
            _ => bail!(
                "XHOST_REMOTE_CACHE_USERNAME and XHOST_REMOTE_CACHE_PASSWORD go together: set both, or neither"
            ),
        };
        if !encrypted_or_local(url) {
            bail!(
                "the remote cache credentials (XHOST_REMOTE_CACHE_*) would cross the network in the clear to `{url}`; use https:// or grpcs://"
            );
        }
        Ok(Some(credentials))
    }

    /// The `Authorization` header's value.
    pub fn header(&self) -> String {
        match self {
            Credentials::Basic { username, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            ),
            Credentials::Bearer(token) => format!("Bearer {token}"),
        }
    }
}

/// Whether `url` is TLS, or plain to a loopback address.
fn encrypted_or_local(url: &str) -> bool {
    if url.starts_with("https://") || url.starts_with("grpcs://") {
        return true;
    }
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_in_the_clear_only_to_this_machine() {
        for url in [
            "http://127.0.0.1:8080/",
            "grpc://localhost:9092/main",
            "http://[::1]:80/x",
            "https://cache.example.com/",
            "grpcs://cache.example.com:443/main",
        ] {
            assert!(encrypted_or_local(url), "{url}");
        }
        for url in [
            "http://cache.example.com/",
            "grpc://10.0.0.5:9092/main",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(!encrypted_or_local(url), "{url}");
        }
    }

    #[test]
    fn no_secret_is_shown() {
        let basic = Credentials::Basic {
            username: "ci".into(),
            password: "s3cret".into(),
        };
        assert!(!format!("{basic:?}").contains("s3cret"));
        assert!(!format!("{:?}", Credentials::Bearer("t0ken".into())).contains("t0ken"));
        assert_eq!(basic.header(), "Basic Y2k6czNjcmV0");
    }
}
