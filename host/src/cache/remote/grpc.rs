//! REAPI v2 over gRPC (`grpc://HOST:PORT/INSTANCE`, `grpcs://` for TLS), through the
//! `bazel-remote-apis` stubs: the Capabilities service checked once (SHA-256, and
//! whether the server takes updates), the ActionCache for entries, FindMissingBlobs
//! before any upload, and ByteStream for blob bytes both ways, streamed.
//!
//! An entry is an `ActionResult` whose output files are the entry's envelope
//! ([`ENTRY_PATH`]) and every output it names, so a server that checks that an
//! entry's blobs exist before serving it (BuildGrid does) keeps them together. The
//! action digest is the action key with the size of the key document it hashes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
pub use bazel_remote_apis::build::bazel::remote::execution::v2 as reapi;
use bazel_remote_apis::google::bytestream;
use reapi::action_cache_client::ActionCacheClient;
use reapi::capabilities_client::CapabilitiesClient;
use reapi::content_addressable_storage_client::ContentAddressableStorageClient;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::OnceCell;
use tonic::Code;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

use super::http::Answer;
use super::{ActionId, Upload};

/// The output file holding the entry's envelope.
pub const ENTRY_PATH: &str = ".xhost/entry";
/// Bytes per ByteStream message, under gRPC's 4 MiB default.
const CHUNK: usize = 1 << 20;
/// `DigestFunction.Value.SHA256`.
pub const SHA256: i32 = 1;

#[derive(Clone)]
pub struct GrpcCache {
    channel: Channel,
    instance: String,
    /// How long a unary call may take; streams are bounded by keep-alive pings instead,
    /// since a large blob may take longer.
    timeout: std::time::Duration,
    /// The `authorization` metadata of every call.
    authorization: Option<MetadataValue<Ascii>>,
    /// Whether the server takes updates, once its capabilities were asked for; a
    /// failure is kept too, so concurrent uploads do not each wait for it again.
    updates: std::sync::Arc<OnceCell<Result<bool, String>>>,
}

impl GrpcCache {
    /// A client for `url`; nothing is sent until the first call.
    pub fn new(settings: &super::Settings) -> Result<Self> {
        let (url, timeout) = (settings.url.as_str(), settings.timeout);
        let (scheme, rest) = if let Some(rest) = url.strip_prefix("grpc://") {
            ("http", rest)
        } else if let Some(rest) = url.strip_prefix("grpcs://") {
            ("https", rest)
        } else {
            bail!("`{url}` is not a grpc:// or grpcs:// URL");
        };
        let (address, instance) = rest.split_once('/').unwrap_or((rest, ""));
        let mut endpoint = Endpoint::from_shared(format!("{scheme}://{address}"))
            .with_context(|| format!("`{url}`"))?
            .connect_timeout(timeout)
            .http2_keep_alive_interval(timeout)
            .keep_alive_timeout(timeout);
        if scheme == "https" {
            let mut tls = ClientTlsConfig::new().with_native_roots();
            if let Some(pem) = &settings.ca {
                tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(pem));
            }
            endpoint = endpoint.tls_config(tls).context("setting up TLS")?;
        }
        Ok(GrpcCache {
            channel: endpoint.connect_lazy(),
            instance: instance.trim_end_matches('/').to_string(),
            timeout,
            authorization: (settings.credentials.as_ref())
                .map(|c| c.header().parse())
                .transpose()
                .context("the remote cache credentials are not valid in gRPC metadata")?,
            updates: std::sync::Arc::default(),
        })
    }

    /// Whether the server takes updates; an error when it does not speak SHA-256.
    /// Asked once.
    async fn capabilities(&self) -> Result<bool> {
        let asked = self
            .updates
            .get_or_init(|| async { self.ask_capabilities().await.map_err(|e| format!("{e:#}")) })
            .await;
        asked.clone().map_err(anyhow::Error::msg)
    }

    async fn ask_capabilities(&self) -> Result<bool> {
        let capabilities = CapabilitiesClient::new(self.channel.clone())
            .get_capabilities(self.unary(reapi::GetCapabilitiesRequest {
                instance_name: self.instance.clone(),
            }))
            .await
            .map_err(|status| {
                let hint = match status.code() {
                    Code::Unauthenticated | Code::PermissionDenied => {
                        " (set XHOST_REMOTE_CACHE_TOKEN, or XHOST_REMOTE_CACHE_USERNAME and XHOST_REMOTE_CACHE_PASSWORD, to credentials the server takes)"
                    }
                    _ => "",
                };
                anyhow::Error::new(status).context(format!("GetCapabilities{hint}"))
            })?
            .into_inner();
        let cache = capabilities
            .cache_capabilities
            .context("the server has no cache (no cache capabilities)")?;
        if !cache.digest_functions.contains(&SHA256) {
            bail!("the server does not take SHA-256 digests");
        }
        Ok(cache
            .action_cache_update_capabilities
            .is_some_and(|u| u.update_enabled))
    }

    /// The envelope of the entry for `action`, if at most `limit` bytes.
    pub async fn get_entry(&self, action: &ActionId, limit: u64) -> Result<Answer<Vec<u8>>> {
        self.capabilities().await?;
        let result = ActionCacheClient::new(self.channel.clone())
            .get_action_result(self.unary(reapi::GetActionResultRequest {
                instance_name: self.instance.clone(),
                action_digest: Some(digest(&action.hash, action.size)),
                digest_function: SHA256,
                ..Default::default()
            }))
            .await;
        let result = match result {
            Ok(response) => response.into_inner(),
            Err(status) if status.code() == Code::NotFound => return Ok(Answer::Missing),
            Err(status) => return Err(status).context("GetActionResult"),
        };
        self.entry_of(&result, limit).await
    }

    /// The envelope of the entry `result` holds, if at most `limit` bytes.
    pub async fn entry_of(
        &self,
        result: &reapi::ActionResult,
        limit: u64,
    ) -> Result<Answer<Vec<u8>>> {
        let Some(entry) = result.output_files.iter().find(|f| f.path == ENTRY_PATH) else {
            return Ok(Answer::Wrong(
                "the action result holds no xhost entry".into(),
            ));
        };
        let Some(digest) = &entry.digest else {
            return Ok(Answer::Wrong("the entry has no digest".into()));
        };
        self.read_bytes(digest, limit).await
    }

    /// Blob `digest`'s bytes, if at most `limit`.
    pub async fn read_bytes(&self, digest: &reapi::Digest, limit: u64) -> Result<Answer<Vec<u8>>> {
        let size = u64::try_from(digest.size_bytes).unwrap_or(u64::MAX);
        if size > limit {
            return Ok(Answer::Wrong(format!(
                "blob {} is larger than {limit} bytes",
                digest.hash
            )));
        }
        let mut bytes = Vec::new();
        match self.read(&digest.hash, size, &mut bytes).await? {
            Answer::Got(()) => Ok(Answer::Got(bytes)),
            Answer::Missing => Ok(Answer::Missing),
            Answer::Wrong(why) => Ok(Answer::Wrong(why)),
        }
    }

    /// Fetches blob `sha256` of `size` bytes into `dest`.
    pub async fn get_blob(&self, sha256: &str, size: u64, dest: &Path) -> Result<Answer<()>> {
        let mut file = tokio::fs::File::create(dest)
            .await
            .with_context(|| format!("creating {}", dest.display()))?;
        let answer = self.read(sha256, size, &mut file).await?;
        file.flush().await?;
        Ok(answer)
    }

    /// Streams blob `sha256` into `sink`, hashing it and stopping past `size` bytes.
    async fn read(
        &self,
        sha256: &str,
        size: u64,
        sink: &mut (impl tokio::io::AsyncWrite + Unpin),
    ) -> Result<Answer<()>> {
        let resource = self.resource(&format!("blobs/{sha256}/{size}"));
        let stream = bytestream::byte_stream_client::ByteStreamClient::new(self.channel.clone())
            .read(self.call(bytestream::ReadRequest {
                resource_name: resource.clone(),
                read_offset: 0,
                read_limit: 0,
            }))
            .await;
        let mut stream = match stream {
            Ok(response) => response.into_inner(),
            Err(status) if status.code() == Code::NotFound => return Ok(Answer::Missing),
            Err(status) => return Err(status).with_context(|| format!("Read {resource}")),
        };
        let mut hasher = Sha256::new();
        let mut got = 0u64;
        loop {
            let message = match stream.message().await {
                Ok(Some(message)) => message,
                Ok(None) => break,
                Err(status) if status.code() == Code::NotFound => return Ok(Answer::Missing),
                Err(status) => return Err(status).with_context(|| format!("Read {resource}")),
            };
            got += message.data.len() as u64;
            if got > size {
                return Ok(Answer::Wrong(format!(
                    "{resource}: the server sent more than the {size} bytes the entry names"
                )));
            }
            hasher.update(&message.data);
            sink.write_all(&message.data).await?;
        }
        let digest = crate::digest::hex(&hasher.finalize());
        if got != size || digest != sha256 {
            return Ok(Answer::Wrong(format!(
                "{resource}: the server sent {got} bytes with digest {digest}, not the blob asked for"
            )));
        }
        Ok(Answer::Got(()))
    }

    /// Writes an entry back: the blobs the server lacks (FindMissingBlobs), then the
    /// action result, which it returns. A server that takes no updates gets nothing.
    pub async fn put(&self, upload: Upload) -> Result<Option<reapi::ActionResult>> {
        if !self.capabilities().await? {
            return Ok(None);
        }
        let entry_sha256 = crate::digest::sha256_hex(&upload.entry);
        let entry_size = upload.entry.len() as u64;
        let mut output_files = vec![reapi::OutputFile {
            path: ENTRY_PATH.into(),
            digest: Some(digest(&entry_sha256, entry_size)),
            ..Default::default()
        }];
        output_files.extend(upload.blobs.iter().map(|b| reapi::OutputFile {
            path: b.path.clone(),
            digest: Some(digest(&b.sha256, b.size)),
            is_executable: b.executable,
            ..Default::default()
        }));
        let mut blobs = vec![Blob::bytes(upload.entry)];
        blobs.extend(upload.blobs.into_iter().map(|b| Blob {
            sha256: b.sha256,
            size: b.size,
            bytes: Bytes::File(b.file),
        }));
        self.upload_missing(blobs).await?;
        let action_result = reapi::ActionResult {
            output_files,
            ..Default::default()
        };
        ActionCacheClient::new(self.channel.clone())
            .update_action_result(self.unary(reapi::UpdateActionResultRequest {
                instance_name: self.instance.clone(),
                action_digest: Some(digest(&upload.action.hash, upload.action.size)),
                action_result: Some(action_result.clone()),
                digest_function: SHA256,
                ..Default::default()
            }))
            .await
            .context("UpdateActionResult")?;
        Ok(Some(action_result))
    }

    /// Sends the blobs the server lacks (FindMissingBlobs first), each streamed.
    pub async fn upload_missing(&self, blobs: Vec<Blob>) -> Result<()> {
        let mut wanted: Vec<reapi::Digest> =
            blobs.iter().map(|b| digest(&b.sha256, b.size)).collect();
        wanted.sort_by(|a, b| a.hash.cmp(&b.hash));
        wanted.dedup_by(|a, b| a.hash == b.hash);
        let missing = ContentAddressableStorageClient::new(self.channel.clone())
            .find_missing_blobs(self.unary(reapi::FindMissingBlobsRequest {
                instance_name: self.instance.clone(),
                blob_digests: wanted,
                digest_function: SHA256,
            }))
            .await
            .context("FindMissingBlobs")?
            .into_inner()
            .missing_blob_digests;
        let mut missing: std::collections::HashSet<String> =
            missing.into_iter().map(|d| d.hash).collect();
        for blob in blobs {
            // Once each, however many paths share the bytes.
            if !missing.remove(&blob.sha256) {
                continue;
            }
            match blob.bytes {
                Bytes::Memory(bytes) => {
                    let chunks: Vec<Vec<u8>> = bytes.chunks(CHUNK).map(<[u8]>::to_vec).collect();
                    self.write(&blob.sha256, blob.size, futures_util::stream::iter(chunks))
                        .await?;
                }
                Bytes::File(path) => {
                    let file = tokio::fs::File::open(&path)
                        .await
                        .with_context(|| format!("opening {}", path.display()))?;
                    self.write(&blob.sha256, blob.size, file_chunks(file))
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Streams `chunks` as blob `sha256` of `size` bytes.
    async fn write(
        &self,
        sha256: &str,
        size: u64,
        chunks: impl futures_util::Stream<Item = Vec<u8>> + Send + 'static,
    ) -> Result<()> {
        use futures_util::StreamExt;
        let resource = self.resource(&format!("uploads/{}/blobs/{sha256}/{size}", uuid()));
        let mut offset = 0i64;
        let mut first = Some(resource.clone());
        let requests = chunks
            .chain(futures_util::stream::once(async { Vec::new() }))
            .map(move |data| {
                let finish = data.is_empty();
                let request = bytestream::WriteRequest {
                    resource_name: first.take().unwrap_or_default(),
                    write_offset: offset,
                    finish_write: finish,
                    data,
                };
                offset += request.data.len() as i64;
                request
            });
        let committed = bytestream::byte_stream_client::ByteStreamClient::new(self.channel.clone())
            .write(self.call(requests))
            .await
            .with_context(|| format!("Write {resource}"))?
            .into_inner()
            .committed_size;
        if committed != size as i64 {
            bail!("Write {resource}: the server committed {committed} bytes");
        }
        Ok(())
    }

    /// The connection to the server (for the Execution and Bots services).
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// The REAPI instance name.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The timeout of a unary call.
    pub fn timeout(&self) -> std::time::Duration {
        self.timeout
    }

    /// `message` as a call that gives up after the timeout.
    pub fn unary<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = self.call(message);
        request.set_timeout(self.timeout);
        request
    }

    /// `message` as a call, with the credentials.
    pub fn call<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(authorization) = &self.authorization {
            request
                .metadata_mut()
                .insert("authorization", authorization.clone());
        }
        request
    }

    /// A resource name under the instance (`INSTANCE/rest`, or `rest` for the
    /// default instance).
    fn resource(&self, rest: &str) -> String {
        if self.instance.is_empty() {
            rest.to_string()
        } else {
            format!("{}/{rest}", self.instance)
        }
    }
}

/// A blob to send, with where its bytes are.
pub struct Blob {
    pub sha256: String,
    pub size: u64,
    pub bytes: Bytes,
}

pub enum Bytes {
    Memory(Vec<u8>),
    File(PathBuf),
}

impl Blob {
    pub fn bytes(bytes: Vec<u8>) -> Self {
        Blob {
            sha256: crate::digest::sha256_hex(&bytes),
            size: bytes.len() as u64,
            bytes: Bytes::Memory(bytes),
        }
    }
}

/// A REAPI digest.
pub fn digest(hash: &str, size: u64) -> reapi::Digest {
    reapi::Digest {
        hash: hash.to_string(),
        size_bytes: size as i64,
    }
}

/// A file's bytes in ByteStream-sized chunks.
fn file_chunks(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = Vec<u8>> + Send + 'static {
    futures_util::stream::unfold(Some(file), |file| async move {
        use tokio::io::AsyncReadExt;
        let mut file = file?;
        let mut buffer = vec![0u8; CHUNK];
        match file.read(&mut buffer).await {
            Ok(0) | Err(_) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((buffer, Some(file)))
            }
        }
    })
}

/// A random version-4 UUID, as ByteStream upload names want.
fn uuid() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut random) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut random, &mut bytes);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = crate::digest::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
