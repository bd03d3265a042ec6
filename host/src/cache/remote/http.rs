//! Bazel's HTTP cache protocol: `GET`/`PUT` of `<base>/ac/<key>` (action entries) and
//! `<base>/cas/<sha256>` (blobs), `HEAD` to ask whether a blob is there, 404 for a miss.
//! Any server speaking it works: nginx with WebDAV `PUT`, bazel-remote, a CDN bucket.
//!
//! Bodies stream: a fetched blob goes to a file as it arrives, hashed on the way and
//! cut off past its expected size; an uploaded one is read from the store in chunks.

use std::path::Path;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// What the server answered, when it answered.
pub enum Answer<T> {
    Got(T),
    /// It does not have it.
    Missing,
    /// Other bytes than asked for, or more of them than allowed.
    Wrong(String),
}

#[derive(Clone)]
pub struct HttpCache {
    client: reqwest::Client,
    /// The URL without a trailing `/`.
    base: String,
}

impl HttpCache {
    /// A client for the cache at `base`, giving up on a connection after `timeout`
    /// and on a response that sends nothing for `timeout`.
    pub fn new(settings: &super::Settings) -> Result<Self> {
        let (base, timeout) = (&settings.url, settings.timeout);
        // ring for TLS, as `xhost publish` uses (see `crate::publish::registry`).
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(credentials) = &settings.credentials {
            let mut value = reqwest::header::HeaderValue::from_str(&credentials.header())
                .context("the remote cache credentials are not valid in an HTTP header")?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let mut client = reqwest::Client::builder().default_headers(headers);
        if let Some(pem) = &settings.ca {
            for certificate in reqwest::Certificate::from_pem_bundle(pem)
                .context("[remote_cache] ca_file holds no PEM certificate")?
            {
                client = client.add_root_certificate(certificate);
            }
        }
        let client = client
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .user_agent(concat!("xhost/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("setting up the HTTP client")?;
        Ok(HttpCache {
            client,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// The entry under `key`; one over `limit` bytes is not read past it.
    pub async fn get_entry(&self, key: &str, limit: u64) -> Result<Answer<Vec<u8>>> {
        let url = format!("{}/ac/{key}", self.base);
        let Some(mut response) = self.get(&url).await? else {
            return Ok(Answer::Missing);
        };
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.context(url.clone())? {
            body.extend_from_slice(&chunk);
            if body.len() as u64 > limit {
                return Ok(Answer::Wrong(format!(
                    "{url}: the entry is larger than {limit} bytes"
                )));
            }
        }
        Ok(Answer::Got(body))
    }

    /// Fetches blob `sha256` of `size` bytes into `dest`. An error is the server's
    /// failure; other bytes than asked for are [`Answer::Wrong`].
    pub async fn get_blob(&self, sha256: &str, size: u64, dest: &Path) -> Result<Answer<()>> {
        let url = format!("{}/cas/{sha256}", self.base);
        let Some(mut response) = self.get(&url).await? else {
            return Ok(Answer::Missing);
        };
        let mut file = tokio::fs::File::create(dest)
            .await
            .with_context(|| format!("creating {}", dest.display()))?;
        let mut hasher = Sha256::new();
        let mut got = 0u64;
        while let Some(chunk) = response.chunk().await.context(url.clone())? {
            got += chunk.len() as u64;
            if got > size {
                return Ok(Answer::Wrong(format!(
                    "{url}: the server sent more than the {size} bytes the entry names"
                )));
            }
            hasher.update(&chunk);
            file.write_all(&chunk)
                .await
                .with_context(|| format!("writing {}", dest.display()))?;
        }
        file.flush().await?;
        let digest = crate::digest::hex(&hasher.finalize());
        if got != size || digest != sha256 {
            return Ok(Answer::Wrong(format!(
                "{url}: the server sent {got} bytes with digest {digest}, not the blob asked for"
            )));
        }
        Ok(Answer::Got(()))
    }

    /// Whether the server has blob `sha256`.
    async fn has_blob(&self, sha256: &str) -> Result<bool> {
        let url = format!("{}/cas/{sha256}", self.base);
        let response = self.client.head(&url).send().await.context(url.clone())?;
        Ok(response.status().is_success())
    }

    /// Writes an entry back: the blobs the server lacks, then the entry (under the
    /// action's hash).
    pub async fn put(&self, upload: super::Upload) -> Result<bool> {
        for blob in &upload.blobs {
            if !self.has_blob(&blob.sha256).await? {
                self.put_blob(&blob.sha256, &blob.file).await?;
            }
        }
        self.put_entry(&upload.action.hash, upload.entry).await?;
        Ok(true)
    }

    /// Uploads the file `path` as blob `sha256`.
    async fn put_blob(&self, sha256: &str, path: &Path) -> Result<()> {
        let url = format!("{}/cas/{sha256}", self.base);
        let file = tokio::fs::File::open(path)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        let size = file.metadata().await?.len();
        let chunks = futures_util::stream::unfold(file, |mut file| async move {
            use tokio::io::AsyncReadExt;
            let mut buffer = vec![0u8; 256 << 10];
            match file.read(&mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok::<_, std::io::Error>(buffer), file))
                }
                Err(e) => Some((Err(e), file)),
            }
        });
        self.send(&url, reqwest::Body::wrap_stream(chunks), size)
            .await
    }

    /// Uploads `bytes` as the entry under `key`.
    async fn put_entry(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let url = format!("{}/ac/{key}", self.base);
        let size = bytes.len() as u64;
        self.send(&url, reqwest::Body::from(bytes), size).await
    }

    async fn get(&self, url: &str) -> Result<Option<reqwest::Response>> {
        let response = self.client.get(url).send().await.context(url.to_string())?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => Ok(Some(response)),
            status => bail!("{url}: {status}{}", credentials_hint(status)),
        }
    }

    async fn send(&self, url: &str, body: reqwest::Body, size: u64) -> Result<()> {
        let response = self
            .client
            .put(url)
            .header(reqwest::header::CONTENT_LENGTH, size)
            .body(body)
            .send()
            .await
            .context(url.to_string())?;
        let status = response.status();
        if !status.is_success() {
            bail!("{url}: {status}{}", credentials_hint(status));
        }
        Ok(())
    }
}

/// What to do about a refusal for want of credentials.
fn credentials_hint(status: reqwest::StatusCode) -> &'static str {
    match status {
        reqwest::StatusCode::UNAUTHORIZED | reqwest::StatusCode::FORBIDDEN => {
            " (set XHOST_REMOTE_CACHE_USERNAME and XHOST_REMOTE_CACHE_PASSWORD, or XHOST_REMOTE_CACHE_TOKEN, to credentials the server takes)"
        }
        _ => "",
    }
}
