//! What a registry client's error means, told by its kind and its causes rather than
//! by searching its text: the text holds the registry's address and digests, where a
//! port such as 42401 or a digest holding "404" would read as a status code.

use oci_client::errors::{OciDistributionError, OciErrorCode};

use super::credentials::Credentials;

/// The classes of failure a user acts on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No such manifest, tag, blob or repository.
    NotFound,
    /// The registry wants credentials, or refused the ones given.
    Refused,
    /// The TLS handshake failed: the certificate is not trusted here.
    Untrusted,
    /// No connection, or it timed out.
    Unreachable,
    /// The registry served other bytes than the digest names.
    WrongBytes,
    Other,
}

pub fn failure(error: &OciDistributionError) -> Failure {
    use OciDistributionError as E;
    match error {
        E::DigestError(_) => Failure::WrongBytes,
        E::ImageManifestNotFoundError(_) => Failure::NotFound,
        E::AuthenticationFailure(_) | E::UnauthorizedError { .. } => Failure::Refused,
        E::ServerError {
            code: 401 | 403, ..
        } => Failure::Refused,
        E::ServerError { code: 404, .. } => Failure::NotFound,
        E::RegistryError { envelope, .. } => envelope
            .errors
            .iter()
            .find_map(|e| match e.code {
                OciErrorCode::Unauthorized | OciErrorCode::Denied => Some(Failure::Refused),
                OciErrorCode::ManifestUnknown
                | OciErrorCode::BlobUnknown
                | OciErrorCode::NameUnknown
                | OciErrorCode::NotFound => Some(Failure::NotFound),
                _ => None,
            })
            .unwrap_or(Failure::Other),
        E::RequestError(e) if tls_failure(e) => Failure::Untrusted,
        E::RequestError(e) if e.is_connect() || e.is_timeout() || e.is_request() => {
            Failure::Unreachable
        }
        E::RequestError(e) if e.status().is_some_and(|s| s.as_u16() == 401) => Failure::Refused,
        E::IoError(e) if e.kind() == std::io::ErrorKind::TimedOut => Failure::Unreachable,
        _ => Failure::Other,
    }
}

/// Whether the cause chain holds a TLS certificate failure (rustls says so in its
/// error's own words, the only place the reason is kept).
fn tls_failure(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if text.contains("certificate") || text.contains("handshake") {
            return true;
        }
        source = cause.source();
    }
    false
}

/// A registry client's error with its causes (the transport's reason, "connection
/// refused", is down the source chain), the password never in it.
pub fn error_text(error: &OciDistributionError, credentials: Option<&Credentials>) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if let Some(c) = credentials.filter(|c| !c.password.is_empty()) {
        text = text.replace(&c.password, "<redacted>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_or_digest_that_reads_like_a_status_is_not_one() {
        let error = OciDistributionError::ServerError {
            code: 500,
            url: "https://127.0.0.1:42401/v2/acme/manifests/sha256:4040401".to_string(),
            message: "unauthorized 401 404".to_string(),
        };
        assert_eq!(failure(&error), Failure::Other);
    }

    #[test]
    fn statuses_and_registry_codes_are_told_apart() {
        let server = |code| OciDistributionError::ServerError {
            code,
            url: String::new(),
            message: String::new(),
        };
        assert_eq!(failure(&server(401)), Failure::Refused);
        assert_eq!(failure(&server(404)), Failure::NotFound);
        let envelope: oci_client::errors::OciEnvelope = serde_json::from_str(
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
        )
        .unwrap();
        let error = OciDistributionError::RegistryError {
            envelope,
            url: String::new(),
        };
        assert_eq!(failure(&error), Failure::NotFound);
        let envelope =
            serde_json::from_str(r#"{"errors":[{"code":"DENIED","message":"no"}]}"#).unwrap();
        let error = OciDistributionError::RegistryError {
            envelope,
            url: String::new(),
        };
        assert_eq!(failure(&error), Failure::Refused);
    }

    #[test]
    fn the_password_never_shows() {
        let error = OciDistributionError::AuthenticationFailure("bad s3cret".to_string());
        let credentials = Credentials {
            username: "u".to_string(),
            password: "s3cret".to_string(),
            source: "test".to_string(),
        };
        assert!(!error_text(&error, Some(&credentials)).contains("s3cret"));
    }
}
