//! One conversation with the registry a plugin lives in (`oci-client`): pulls by
//! digest and tag, with the credentials the docker client would use and timeouts, so
//! a registry that stops answering fails the fetch instead of hanging the build.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use super::artifact::{MANIFEST_MEDIA_TYPE, MAX_SMALL_BLOB};
use super::reference::OciRef;
use crate::publish::credentials::{self, Credentials};
use crate::publish::registry_error::{Failure, error_text, failure};

/// Docker's schema 2 manifest, which cosign's signature manifests may be written as.
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

pub struct Session {
    runtime: tokio::runtime::Runtime,
    pub client: Client,
    auth: RegistryAuth,
    credentials: Option<Credentials>,
    /// `registry/repository`, as messages name it.
    pub shown: String,
}

impl Session {
    pub fn open(reference: &OciRef) -> Result<Session> {
        // ring's cryptography for TLS, as `xhost publish` uses; the first call wins.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the network runtime")?;
        let client = Client::try_from(ClientConfig {
            protocol: if reference.is_loopback() {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            connect_timeout: Some(Duration::from_secs(30)),
            read_timeout: Some(Duration::from_secs(60)),
            ..ClientConfig::default()
        })
        .map_err(|e| anyhow!("setting up the registry client: {e}"))?;
        let credentials = credentials::for_registry(&reference.registry)?;
        let auth = match &credentials {
            Some(c) => RegistryAuth::Basic(c.username.clone(), c.password.clone()),
            None => RegistryAuth::Anonymous,
        };
        Ok(Session {
            runtime,
            client,
            auth,
            credentials,
            shown: reference.repository_name(),
        })
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The repository at `at`: `@sha256:…` or `:tag`.
    pub fn image(&self, at: &str) -> Result<Reference> {
        let text = if at.starts_with("sha256:") {
            format!("{}@{at}", self.shown)
        } else {
            format!("{}:{at}", self.shown)
        };
        text.parse()
            .map_err(|e| anyhow!("`{text}` is not an image reference: {e}"))
    }

    /// The manifest at `at` (a digest or a tag), as served: at most
    /// [`MAX_SMALL_BLOB`] bytes; the caller checks its digest.
    pub async fn manifest(&self, at: &str) -> Result<Vec<u8>> {
        self.manifest_if_any(at).await?.ok_or_else(|| {
            anyhow!(
                "{}: there is no manifest at {at}\n  check the reference (`xhost plugin inspect oci://…` lists what a tag names)",
                self.shown
            )
        })
    }

    /// The manifest at `at`, or `None` when the registry says it has none.
    pub async fn manifest_if_any(&self, at: &str) -> Result<Option<Vec<u8>>> {
        let pulled = self
            .client
            .pull_manifest_raw(
                &self.image(at)?,
                &self.auth,
                &[MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST],
            )
            .await;
        let bytes = match pulled {
            Ok((bytes, _)) => bytes,
            Err(e) if failure(&e) == Failure::NotFound => return Ok(None),
            Err(e) => {
                return Err(self.explain(e))
                    .with_context(|| format!("fetching the manifest {}@{at}", self.shown));
            }
        };
        if bytes.len() as u64 > MAX_SMALL_BLOB {
            anyhow::bail!(
                "{}: the manifest at {at} is {} bytes, more than {} KiB; refused",
                self.shown,
                bytes.len(),
                MAX_SMALL_BLOB >> 10
            );
        }
        Ok(Some(bytes.to_vec()))
    }

    /// The digest `tag` names now, or `None` when there is no such tag.
    pub async fn tag_digest(&self, tag: &str) -> Result<Option<String>> {
        Ok(self
            .manifest_if_any(tag)
            .await?
            .map(|bytes| format!("sha256:{}", crate::digest::sha256_hex(&bytes))))
    }

    /// A registry error with what to do about it; never the credentials themselves.
    pub fn explain(&self, error: oci_client::errors::OciDistributionError) -> anyhow::Error {
        let text = error_text(&error, self.credentials.as_ref());
        let hint = match failure(&error) {
            Failure::WrongBytes => "the registry served bytes that are not the pinned digest's; nothing from it was used (its storage is damaged, or something rewrites what it sends)".to_string(),
            Failure::Refused => match &self.credentials {
                Some(c) => format!("the registry refused the credentials from {}", c.source),
                None => "the registry wants credentials: set XHOST_REGISTRY_USERNAME and XHOST_REGISTRY_PASSWORD, or log in with `docker login`".to_string(),
            },
            Failure::Untrusted => "the registry's TLS certificate is not trusted here: install its CA in the system's trust store".to_string(),
            Failure::Unreachable => "the registry cannot be reached and the plugin is not in the cache: check the address and that it is up, or fetch the plugin once where it is reachable (`xhost plugin inspect oci://…`)".to_string(),
            Failure::NotFound | Failure::Other => "check the reference and the registry".to_string(),
        };
        anyhow!("{}: {text}\n  {hint}", self.shown)
    }
}
