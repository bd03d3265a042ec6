//! Pushing a layout to one repository through the OCI distribution protocol
//! (`oci-client`): blobs the registry already has are not sent again, so a publish
//! cut short (killed, the network gone) is finished by the next one; every manifest is
//! read back by digest before the tags, which go last, and every tag is read back and
//! compared with the digest xhost made.

use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};

use super::credentials::Credentials;
use super::layout::{self, Blob, Layout};
use super::registry_error::{Failure, error_text, failure};

/// What a read-back takes: whatever the registry says it holds is compared by digest.
const ACCEPT: &[&str] = &[layout::INDEX, layout::MANIFEST];

/// Where to push: `host[:port]/repository`, over HTTPS unless `plain_http`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub registry: String,
    pub repository: String,
    pub plain_http: bool,
    /// CA certificates (PEM) to trust besides the system's.
    pub ca_file: Option<std::path::PathBuf>,
}

/// What one push did.
#[derive(Debug, Default)]
pub struct Pushed {
    pub blobs_sent: usize,
    pub blobs_present: usize,
    pub manifests: usize,
    /// `registry/repository:tag@digest`, each read back.
    pub tags: Vec<String>,
}

pub fn push(layout: &Layout, to: &Repository, credentials: Option<&Credentials>) -> Result<Pushed> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    runtime.block_on(push_async(layout, to, credentials))
}

async fn push_async(
    layout: &Layout,
    to: &Repository,
    credentials: Option<&Credentials>,
) -> Result<Pushed> {
    // ring's cryptography for TLS (no post-quantum key exchange, which rustls now
    // marks as a deprecation; aws-lc-rs has it but needs cmake and minutes of C to
    // build); the first call wins, later ones change nothing.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let extra_root_certificates = match &to.ca_file {
        Some(file) => vec![Certificate {
            encoding: CertificateEncoding::Pem,
            data: std::fs::read(file).with_context(|| format!("reading {}", file.display()))?,
        }],
        None => Vec::new(),
    };
    let client = Client::try_from(ClientConfig {
        protocol: if to.plain_http {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        },
        extra_root_certificates,
        // One PUT per blob, its body streamed from the file: memory stays bounded
        // whatever the layer's size.
        use_monolithic_push: true,
        // A registry that stops answering fails the publish instead of hanging it.
        connect_timeout: Some(std::time::Duration::from_secs(30)),
        read_timeout: Some(std::time::Duration::from_secs(300)),
        ..ClientConfig::default()
    })
    .map_err(|e| {
        anyhow!(
            "setting up the registry client (is {:?} a PEM CA file?): {e}",
            to.ca_file
        )
    })?;
    let auth = match credentials {
        Some(c) => RegistryAuth::Basic(c.username.clone(), c.password.clone()),
        None => RegistryAuth::Anonymous,
    };
    let shown = format!("{}/{}", to.registry, to.repository);
    let at = |reference: &str| -> Result<Reference> {
        reference
            .parse()
            .map_err(|e| anyhow!("`{reference}` is not an image reference: {e}"))
    };
    let any = at(&format!("{shown}:xhost"))?;
    client
        .auth(&any, &auth, RegistryOperation::Push)
        .await
        .map_err(|e| explain(&shown, credentials, e))?;

    let mut pushed = Pushed::default();
    for (digest, blob) in &layout.blobs {
        let exists = client
            .blob_exists(&any, digest)
            .await
            .map_err(|e| explain(&shown, credentials, e))?;
        if exists {
            pushed.blobs_present += 1;
            continue;
        }
        let (size, stream) = match blob {
            Blob::File(path) => {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let size = file.metadata()?.len();
                (size, file_chunks(file))
            }
            Blob::Bytes(bytes) => {
                let chunk: oci_client::errors::Result<bytes::Bytes> =
                    Ok(bytes::Bytes::from(bytes.clone()));
                (
                    bytes.len() as u64,
                    futures_util::stream::iter([chunk]).boxed(),
                )
            }
        };
        client
            .push_blob_stream(&any, stream, digest, Some(size))
            .await
            .map_err(|e| explain(&shown, credentials, e))
            .with_context(|| format!("pushing blob {digest} to {shown}"))?;
        pushed.blobs_sent += 1;
    }
    for (digest, media_type, bytes) in &layout.manifests {
        let by_digest = at(&format!("{shown}@{digest}"))?;
        let content_type = media_type.parse().context("a media type header")?;
        client
            .push_manifest_raw(&by_digest, bytes.clone(), content_type)
            .await
            .map_err(|e| explain(&shown, credentials, e))
            .with_context(|| format!("pushing manifest {digest} to {shown}"))?;
        pushed.manifests += 1;
    }
    // Every manifest read back by digest before any tag names one: a registry that
    // serves other bytes than it was given gets no tag from this release.
    for (digest, _, _) in &layout.manifests {
        let by_digest = at(&format!("{shown}@{digest}"))?;
        client
            .pull_manifest_raw(&by_digest, &auth, ACCEPT)
            .await
            .map_err(|e| explain(&shown, credentials, e))
            .with_context(|| {
                format!("reading manifest {digest} back from {shown} (no tag was pushed)")
            })?;
    }
    for (tag, digest, media_type) in &layout.tags {
        let bytes = &layout
            .manifests
            .iter()
            .find(|(d, _, _)| d == digest)
            .context("a tag names a manifest the layout lacks")?
            .2;
        let tagged = at(&format!("{shown}:{tag}"))?;
        let content_type = media_type.parse().context("a media type header")?;
        client
            .push_manifest_raw(&tagged, bytes.clone(), content_type)
            .await
            .map_err(|e| explain(&shown, credentials, e))
            .with_context(|| format!("tagging {shown}:{tag}"))?;
        let (back, _) = client
            .pull_manifest_raw(&tagged, &auth, ACCEPT)
            .await
            .map_err(|e| explain(&shown, credentials, e))
            .with_context(|| format!("reading {shown}:{tag} back"))?;
        let got = format!("sha256:{}", crate::digest::sha256_hex(&back));
        if &got != digest {
            bail!(
                "{shown}:{tag} reads back as {got}, not the {digest} pushed: the registry changed what it was given; do not use the tag"
            );
        }
        pushed.tags.push(format!("{shown}:{tag}@{digest}"));
    }
    Ok(pushed)
}

/// A blob stream over `file`, a mebibyte at a time. The registry checks the digest of
/// what arrives, so a file changed since it was verified fails its push.
fn file_chunks(
    file: std::fs::File,
) -> futures_util::stream::BoxStream<'static, oci_client::errors::Result<bytes::Bytes>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        use std::io::Read;
        let mut file = file?;
        let mut chunk = vec![0; 1 << 20];
        match file.read(&mut chunk) {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some((Ok(bytes::Bytes::from(chunk)), Some(file)))
            }
            Err(e) => Some((
                Err(oci_client::errors::OciDistributionError::IoError(e)),
                None,
            )),
        }
    })
    .boxed()
}

/// A registry error with what to do about it; never the credentials themselves.
fn explain(
    shown: &str,
    credentials: Option<&Credentials>,
    error: oci_client::errors::OciDistributionError,
) -> anyhow::Error {
    let text = error_text(&error, credentials);
    let hint = match failure(&error) {
        Failure::WrongBytes => "the registry serves other bytes than xhost pushed under that digest (its storage is damaged, or something between rewrites them); do not use this registry until it is fixed".to_string(),
        Failure::Refused => match credentials {
            Some(c) => format!("the registry refused the credentials from {}; check them", c.source),
            None => "the registry wants credentials: set XHOST_REGISTRY_USERNAME and XHOST_REGISTRY_PASSWORD, or log in with `docker login`".to_string(),
        },
        Failure::Untrusted => "the registry's TLS certificate is not trusted here: give its CA as `ca_file` in the `[[publish]]` table".to_string(),
        Failure::Unreachable => "the registry cannot be reached; check the address and that it is up, then publish again (what was sent is kept)".to_string(),
        Failure::NotFound | Failure::Other => {
            "publish again once the registry is fixed: blobs already sent are not sent twice"
                .to_string()
        }
    };
    anyhow!("{shown}: {text}\n  {hint}")
}
