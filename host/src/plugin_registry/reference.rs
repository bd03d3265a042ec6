//! `oci://REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]`: where a plugin is published. A
//! build takes a plugin only by digest (the tag is informative there); publishing
//! takes a tag and makes the digest.

use anyhow::{Result, bail};

/// A parsed `oci://` reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OciRef {
    /// `host[:port]`.
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<hex>` of the manifest.
    pub digest: Option<String>,
}

pub const SCHEME: &str = "oci://";

impl OciRef {
    /// Parses `text` (which starts with `oci://`); errors say what is wrong in it.
    pub fn parse(text: &str) -> Result<OciRef> {
        let Some(rest) = text.strip_prefix(SCHEME) else {
            bail!("`{text}` does not start with {SCHEME}");
        };
        let (name, digest) = match rest.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (rest, None),
        };
        let digest = match digest {
            Some(d)
                if d.strip_prefix("sha256:")
                    .is_some_and(crate::digest::is_sha256_hex) =>
            {
                Some(d.to_string())
            }
            Some(d) => {
                bail!("`{text}`: the digest `{d}` is not sha256: and 64 lowercase hex digits")
            }
            None => None,
        };
        let Some((registry, path)) = name.split_once('/') else {
            bail!("`{text}` names no repository: write {SCHEME}HOST[:PORT]/REPOSITORY[:TAG]");
        };
        if !valid_registry(registry) {
            bail!(
                "`{text}`: `{registry}` is not a registry HOST[:PORT] (the registry is always written out, e.g. ghcr.io or 127.0.0.1:5000)"
            );
        }
        // A `:` after the last `/` starts the tag.
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
            _ => (path, None),
        };
        if !valid_repository(repository) {
            bail!(
                "`{text}`: `{repository}` is not a repository (lower-case path components of letters and digits separated by `.`, `_`, `__`, `-` or `/`)"
            );
        }
        if let Some(tag) = tag.filter(|t| !crate::publish::valid_tag(t)) {
            bail!(
                "`{text}`: `{tag}` is not a tag (letters, digits, `_`, `.`, `-`; at most 128; not starting with `.` or `-`)"
            );
        }
        Ok(OciRef {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// `registry/repository`, as image tools name a repository.
    pub fn repository_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The same repository and tag at `digest`.
    pub fn at(&self, digest: &str) -> OciRef {
        OciRef {
            digest: Some(digest.to_string()),
            ..self.clone()
        }
    }

    /// A registry on this machine is reached over plain HTTP (as docker does): what
    /// comes from it is checked by digest like anything else.
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => self.registry.as_str(),
        };
        matches!(host, "localhost" | "127.0.0.1" | "[::1]")
    }
}

impl std::fmt::Display for OciRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SCHEME}{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn valid_registry(registry: &str) -> bool {
    let (host, port) = match registry.strip_prefix("[::1]") {
        Some("") => ("[::1]", None),
        Some(rest) => match rest.strip_prefix(':') {
            Some(port) => ("[::1]", Some(port)),
            None => return false,
        },
        None => match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        },
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let host_ok = host == "[::1]" || host.split('.').all(label_ok);
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// The distribution spec's repository name: components of `[a-z0-9]+` joined by
/// `.`, `_`, `__` or runs of `-`, separated by `/`.
fn valid_repository(repository: &str) -> bool {
    !repository.is_empty()
        && repository.len() <= 255
        && repository.split('/').all(|component| {
            let bytes = component.as_bytes();
            let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
                return false;
            }
            let mut i = 0;
            while i < bytes.len() {
                if alnum(bytes[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < bytes.len() && !alnum(bytes[i]) {
                    i += 1;
                }
                let separator = &component[start..i];
                if !(separator == "."
                    || separator == "_"
                    || separator == "__"
                    || separator.bytes().all(|b| b == b'-'))
                {
                    return false;
                }
            }
            true
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_every_part() {
        let r = OciRef::parse(&format!(
            "oci://127.0.0.1:5000/acme/strip-extra:1.2@{DIGEST}"
        ))
        .unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "acme/strip-extra");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some(DIGEST));
        assert!(r.is_loopback());
        assert_eq!(
            r.to_string(),
            format!("oci://127.0.0.1:5000/acme/strip-extra:1.2@{DIGEST}")
        );
        let r = OciRef::parse("oci://ghcr.io/acme/plugins/size").unwrap();
        assert_eq!((r.tag, r.digest), (None, None));
        assert!(!OciRef::parse("oci://ghcr.io/a:1").unwrap().is_loopback());
    }

    #[test]
    fn refuses_what_is_not_a_reference() {
        for (bad, says) in [
            ("ghcr.io/acme/x", "does not start with oci://"),
            ("oci://acme", "names no repository"),
            ("oci://ghcr.io/Acme/x", "is not a repository"),
            ("oci://ghcr.io/acme//x", "is not a repository"),
            ("oci://ghcr.io/acme/x:-bad", "is not a tag"),
            ("oci://ghcr.io/acme/x@sha256:12", "is not sha256:"),
            ("oci://ghcr.io/acme/x@md5:0123", "is not sha256:"),
            ("oci://gh cr.io/acme/x", "is not a registry"),
            ("oci://ghcr.io:port/acme/x", "is not a registry"),
        ] {
            let error = OciRef::parse(bad).unwrap_err().to_string();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
