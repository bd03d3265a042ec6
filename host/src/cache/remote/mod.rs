//! The remote cache: action-cache entries and their outputs shared by every machine
//! that builds the project, through a server speaking Bazel's HTTP cache protocol
//! ([`http`], `http(s)://`) or REAPI v2 over gRPC ([`grpc`], `grpc(s)://`).
//!
//! Local first, remote second. A local miss asks the server for the key's entry, reads
//! it strictly ([`entry`]: it is untrusted input), and fetches each output the store
//! lacks, checking digest and size as the bytes stream in; only when all are there is
//! it a hit, recorded locally as well. A stage that ran is written back after the
//! build records it: blobs the server lacks first, the entry last, so no entry names a
//! blob the server never got; the uploads run in the background and the build waits
//! for them at its end. In read-only mode (an untrusted build, like Bazel's
//! `--noremote_upload_local_results`) nothing is written.
//!
//! Plugins' descriptions are shared the same way ([`description`]), so a machine whose
//! stages all come from the server plans without compiling a plugin.
//!
//! A server that fails, or sends nothing for the timeout, is dropped for the rest of
//! the build with one warning: the build goes on locally and never fails for it.

mod credentials;
pub mod description;
mod entry;
mod envelope;
pub mod grpc;
mod http;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};

pub use super::actions::Entry;
use crate::artifacts::Store;
use crate::keys::{Key, KeyRing};
use crate::verify::public_keys::PublicKeys;
pub use credentials::Credentials;
pub use entry::Expected;
pub use http::Answer;
pub use settings::{Configured, DEFAULT_TIMEOUT_SECS, Settings, check_url};

/// What the remote cache did in one build.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub url: String,
    pub read_only: bool,
    /// Entries fetched and used.
    pub hits: u64,
    /// Entries written back.
    pub uploaded: u64,
    /// Blobs fetched, and their bytes.
    pub blobs_fetched: u64,
    pub bytes_fetched: u64,
    /// Plugin descriptions fetched whose envelope was sound.
    #[serde(skip_serializing_if = "is_zero")]
    pub descriptions_fetched: u64,
    /// Why the server was dropped, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<String>,
}

pub struct Remote {
    settings: Settings,
    /// When not empty, an entry must be signed by one of these.
    trusted: PublicKeys,
    /// Signs the entries written.
    signer: Option<Arc<Key>>,
    runtime: tokio::runtime::Runtime,
    server: Server,
    /// Set once, with the reason, when the server failed: no more requests.
    dropped: OnceLock<String>,
    uploads: Mutex<Vec<tokio::task::JoinHandle<Result<()>>>>,
    hits: AtomicU64,
    uploaded: std::sync::Arc<AtomicU64>,
    blobs_fetched: AtomicU64,
    bytes_fetched: AtomicU64,
    descriptions_fetched: AtomicU64,
    /// The components whose descriptions this build wrote back.
    descriptions_uploaded: Mutex<std::collections::HashSet<String>>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Remote {
    /// The remote cache of `settings`, with its trusted keys and signing key loaded;
    /// its server is not contacted yet.
    pub fn open(settings: Settings) -> Result<Self> {
        let trusted = PublicKeys::load(&settings.trust).context("[remote_cache] trust")?;
        let signer = match (&settings.sign, settings.read_only) {
            (Some(source), false) => Some(
                KeyRing::load([source])
                    .context(
                        "[remote_cache] sign: the key that signs what this build writes to the remote cache (without it, build with --remote-cache-read-only)",
                    )?
                    .subset(std::slice::from_ref(&source.id))
                    .into_values()
                    .next()
                    .context("[remote_cache] sign: the key did not load")?,
            ),
            _ => None,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("xhost-remote-cache")
            .enable_all()
            .build()
            .context("starting the remote cache's runtime")?;
        // A gRPC channel starts its connection task on the runtime it is made in.
        let server = {
            let _inside = runtime.enter();
            Server::new(&settings)?
        };
        Ok(Remote {
            settings,
            trusted,
            signer,
            runtime,
            server,
            dropped: OnceLock::new(),
            uploads: Mutex::default(),
            hits: AtomicU64::new(0),
            uploaded: std::sync::Arc::default(),
            blobs_fetched: AtomicU64::new(0),
            bytes_fetched: AtomicU64::new(0),
            descriptions_fetched: AtomicU64::new(0),
            descriptions_uploaded: Mutex::default(),
        })
    }

    /// The description of component `component` (SHA-256) as this xhost keeps it on
    /// the server, read strictly ([`description::decode`]); none when the server has
    /// none, refuses it, or failed.
    pub fn description(&self, component: &str) -> Option<serde_json::Value> {
        if self.dropped.get().is_some() {
            return None;
        }
        let key = description::key(component);
        let answer = self
            .runtime
            .block_on(self.server.get_entry(&key, description::MAX_BYTES));
        let refused = |why: String| {
            eprintln!(
                "xhost: warning: remote cache: refusing the description of plugin sha256:{component}: {why}; it is described here"
            );
            None
        };
        match answer {
            Ok(http::Answer::Got(bytes)) => {
                match description::decode(&bytes, &key, component, &self.trusted) {
                    Ok(info) => {
                        self.descriptions_fetched.fetch_add(1, Ordering::Relaxed);
                        Some(info)
                    }
                    Err(why) => refused(why),
                }
            }
            Ok(http::Answer::Missing) => None,
            Ok(http::Answer::Wrong(why)) => refused(why),
            Err(e) => {
                self.drop_server(&e);
                None
            }
        }
    }

    /// Writes the description `info` of component `component` back in the background,
    /// once a build, unless the build is read-only.
    pub fn upload_description(&self, component: &str, info: serde_json::Value) {
        if self.settings.read_only || self.dropped.get().is_some() {
            return;
        }
        let first = (self
            .descriptions_uploaded
            .lock()
            .expect("descriptions lock"))
        .insert(component.to_string());
        if !first {
            return;
        }
        let key = description::key(component);
        let upload = Upload {
            entry: description::encode(&key, component, info, self.signer.as_deref()),
            action: key,
            blobs: Vec::new(),
        };
        let server = self.server.clone();
        let task = self
            .runtime
            .spawn(async move { server.put(upload).await.map(drop) });
        self.uploads.lock().expect("uploads lock").push(task);
    }

    /// The entry for `expected.key` from the server, with every output it names in
    /// `store`; none on a miss, a refused entry, or a server that failed.
    pub fn fetch(&self, expected: &Expected, store: &Store, scratch: &Path) -> Option<Entry> {
        if self.dropped.get().is_some() {
            return None;
        }
        let fetched = self
            .runtime
            .block_on(self.fetch_async(expected, store, scratch));
        match fetched {
            Ok(Some(entry)) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(entry)
            }
            Ok(None) => None,
            Err(Failure::Refused(why)) => {
                eprintln!(
                    "xhost: warning: remote cache: refusing the entry for stage `{}` ({}): {why}; the stage runs here",
                    expected.stage,
                    expected.target.unwrap_or("release")
                );
                None
            }
            Err(Failure::Server(e)) => {
                self.drop_server(&e);
                None
            }
        }
    }

    async fn fetch_async(
        &self,
        expected: &Expected<'_>,
        store: &Store,
        scratch: &Path,
    ) -> Result<Option<Entry>, Failure> {
        let answer = self
            .server
            .get_entry(&expected.action, entry::MAX_BYTES)
            .await;
        self.complete(answer, expected, store, scratch).await
    }

    /// The entry whose envelope the server answered with, read strictly, with every
    /// output it names fetched into `store`; none when it or a blob is missing.
    async fn complete(
        &self,
        answer: Result<http::Answer<Vec<u8>>>,
        expected: &Expected<'_>,
        store: &Store,
        scratch: &Path,
    ) -> Result<Option<Entry>, Failure> {
        let bytes = match answer.map_err(Failure::Server)? {
            http::Answer::Got(bytes) => bytes,
            http::Answer::Missing => return Ok(None),
            http::Answer::Wrong(why) => return Err(Failure::Refused(why)),
        };
        let entry = entry::decode(&bytes, expected, &self.trusted).map_err(Failure::Refused)?;
        for output in &entry.outputs {
            if store.path(&output.sha256).is_file() {
                continue;
            }
            std::fs::create_dir_all(scratch).map_err(|e| Failure::Server(e.into()))?;
            let temp = tempfile::NamedTempFile::new_in(scratch)
                .map_err(|e| Failure::Server(e.into()))?
                .into_temp_path();
            match self
                .server
                .get_blob(&output.sha256, output.size, &temp)
                .await
                .map_err(Failure::Server)?
            {
                http::Answer::Got(()) => {}
                // An entry whose blob was evicted: a miss, not an attack.
                http::Answer::Missing => return Ok(None),
                http::Answer::Wrong(why) => return Err(Failure::Refused(why)),
            }
            self.blobs_fetched.fetch_add(1, Ordering::Relaxed);
            self.bytes_fetched.fetch_add(output.size, Ordering::Relaxed);
            // Checked as it streamed; the store checks again as it moves it in.
            let (sha256, _) = store
                .ingest(&temp)
                .map_err(|e| Failure::Server(e.context("storing a fetched blob")))?;
            if sha256 != output.sha256 {
                return Err(Failure::Refused(format!(
                    "blob {} changed while stored",
                    output.sha256
                )));
            }
        }
        Ok(Some(entry))
    }

    /// The entry an execution's `result` holds (remote execution), read and fetched like
    /// the remote cache's.
    pub async fn entry_of_result(
        &self,
        result: &grpc::reapi::ActionResult,
        expected: &Expected<'_>,
        store: &Store,
        scratch: &Path,
    ) -> Result<Option<Entry>, Failure> {
        let Server::Grpc(server) = &self.server else {
            return Err(Failure::Refused("not a REAPI server".into()));
        };
        let answer = server.entry_of(result, entry::MAX_BYTES).await;
        self.complete(answer, expected, store, scratch).await
    }

    /// Writes `entry`, made for `action`, now (a worker's result): the blobs, then the
    /// entry; returns the action result written.
    pub async fn put_now(
        &self,
        action: &ActionId,
        entry: &Entry,
        store: &Store,
    ) -> Result<grpc::reapi::ActionResult> {
        let Server::Grpc(server) = &self.server else {
            anyhow::bail!("a worker's results go to a REAPI server (grpc:// or grpcs://)");
        };
        server
            .put(self.upload_of(action, entry, store))
            .await?
            .context("the server takes no action-cache updates (allow-updates is off)")
    }

    /// The REAPI client, when the server speaks REAPI.
    pub fn grpc(&self) -> Option<&grpc::GrpcCache> {
        match &self.server {
            Server::Grpc(server) => Some(server),
            Server::Http(_) => None,
        }
    }

    /// The runtime this remote's calls run on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    fn upload_of(&self, action: &ActionId, entry: &Entry, store: &Store) -> Upload {
        Upload {
            action: action.clone(),
            entry: entry::encode(&action.hash, entry, self.signer.as_deref()),
            blobs: entry
                .outputs
                .iter()
                .map(|o| UploadBlob {
                    path: o.path.clone(),
                    sha256: o.sha256.clone(),
                    size: o.size,
                    executable: o.executable,
                    file: store.path(&o.sha256),
                })
                .collect(),
        }
    }

    /// Writes `entry`, made for `action`, back in the background: the blobs the
    /// server lacks, then the entry.
    pub fn upload(&self, action: &ActionId, entry: &Entry, store: &Store) {
        if self.settings.read_only || self.dropped.get().is_some() {
            return;
        }
        let upload = self.upload_of(action, entry, store);
        let server = self.server.clone();
        let uploaded = self.uploaded.clone();
        let task = self.runtime.spawn(async move {
            if server.put(upload).await? {
                uploaded.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        });
        self.uploads.lock().expect("uploads lock").push(task);
    }

    /// Waits for the uploads, and says what the remote cache did.
    pub fn finish(&self) -> Summary {
        let tasks = std::mem::take(&mut *self.uploads.lock().expect("uploads lock"));
        for task in tasks {
            match self.runtime.block_on(task) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self.drop_server(&e),
                Err(e) => self.drop_server(&anyhow::anyhow!("an upload failed: {e}")),
            }
        }
        Summary {
            url: self.settings.url.clone(),
            read_only: self.settings.read_only,
            hits: self.hits.load(Ordering::Relaxed),
            uploaded: self.uploaded.load(Ordering::Relaxed),
            blobs_fetched: self.blobs_fetched.load(Ordering::Relaxed),
            bytes_fetched: self.bytes_fetched.load(Ordering::Relaxed),
            descriptions_fetched: self.descriptions_fetched.load(Ordering::Relaxed),
            dropped: self.dropped.get().cloned(),
        }
    }

    pub fn drop_server(&self, error: &anyhow::Error) {
        let mut why = format!("{error:#}");
        if why.contains("certificate") && why.contains("UnknownIssuer") {
            why.push_str(
                " (a server with a private CA: name its PEM file in [remote_cache] ca_file)",
            );
        }
        if self.dropped.set(why.clone()).is_ok() {
            eprintln!(
                "xhost: warning: remote cache {}: {why}; building without it",
                self.settings.url
            );
        }
    }
}

/// The action an entry is for: its key, and the size of the key document it hashes
/// (REAPI names an action by both).
#[derive(Debug, Clone)]
pub struct ActionId {
    pub hash: String,
    pub size: u64,
}

/// An entry to write back, with the blobs it names.
pub struct Upload {
    pub action: ActionId,
    /// The entry's envelope.
    pub entry: Vec<u8>,
    pub blobs: Vec<UploadBlob>,
}

pub struct UploadBlob {
    /// The output's path in the release.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub executable: bool,
    /// Its bytes, in the store.
    pub file: PathBuf,
}

/// The server, by protocol.
#[derive(Clone)]
enum Server {
    Http(http::HttpCache),
    Grpc(grpc::GrpcCache),
}

impl Server {
    fn new(settings: &Settings) -> Result<Self> {
        Ok(if settings.url.starts_with("grpc") {
            Server::Grpc(grpc::GrpcCache::new(settings)?)
        } else {
            Server::Http(http::HttpCache::new(settings)?)
        })
    }

    async fn get_entry(&self, action: &ActionId, limit: u64) -> Result<http::Answer<Vec<u8>>> {
        match self {
            Server::Http(s) => s.get_entry(&action.hash, limit).await,
            Server::Grpc(s) => s.get_entry(action, limit).await,
        }
    }

    async fn get_blob(&self, sha256: &str, size: u64, dest: &Path) -> Result<http::Answer<()>> {
        match self {
            Server::Http(s) => s.get_blob(sha256, size, dest).await,
            Server::Grpc(s) => s.get_blob(sha256, size, dest).await,
        }
    }

    /// False when the server takes no updates.
    async fn put(&self, upload: Upload) -> Result<bool> {
        match self {
            Server::Http(s) => s.put(upload).await,
            Server::Grpc(s) => Ok(s.put(upload).await?.is_some()),
        }
    }
}

pub enum Failure {
    /// The server did not answer as it should: drop it.
    Server(anyhow::Error),
    /// The server answered with something unusable: a miss, with a warning.
    Refused(String),
}
