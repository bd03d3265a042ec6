//! Remote execution: a stage invocation the action cache misses runs as a REAPI v2
//! action on an existing execution service (BuildGrid; Buildbarn and NativeLink speak
//! the same), taken by a worker running `xhost worker` ([`worker`]), which runs it in
//! the same sandbox a local build does.
//!
//! The action's input root holds the project's source tree (`project/`, exactly what
//! the key's source digest covers), the invocation's inputs by digest (`inputs/`), and
//! [`request::Request`] (stage, target, commit facts, overrides, and the key this build
//! computed). The worker resolves the configuration from that copy, computes the key
//! again and refuses to run when it differs (another xhost, another toolchain), so a
//! remote result is the result this machine would have made. It writes the result as
//! a remote-cache entry under that key and returns it in the action result; this side
//! reads it like any remote-cache entry (`crate::cache::remote`): strictly, signed by
//! a trusted key when `[remote_cache] trust` is set, each blob checked against its
//! digest.
//!
//! Only stages whose grants are the source, programs and logging run remotely: signing
//! keys never leave this machine, fetch stages and stages granted `net` or extra
//! `paths` run here. A service that fails is dropped with one warning and the build
//! goes on here; a stage that fails remotely runs again here, which says why.

pub mod bots;
pub mod request;
pub mod tree;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use prost::Message;
use serde_json::Value;

use crate::artifacts::{Record, Store};
use crate::cache::remote::grpc::{self, Blob, GrpcCache, reapi};
use crate::cache::remote::{self, ActionId, Entry, Expected, Remote};
use crate::config::Config;
use crate::plan::PlannedStage;
use crate::report::Lane;

/// The program an action's command names: what a standard REAPI worker would run.
pub const COMMAND: [&str; 3] = ["xhost", "run-action", request::FILE_NAME];

/// A stage invocation to run remotely.
pub struct Job<'a> {
    pub config: &'a Config,
    pub stage: &'a PlannedStage,
    pub lane: &'a Lane,
    pub inputs: &'a [&'a Record],
    pub key: &'a ActionId,
    pub key_parts: &'a Value,
    pub store: &'a Store,
    /// Where fetched blobs land first.
    pub scratch: &'a Path,
}

pub struct RemoteExec {
    remote: Remote,
    url: String,
    root: PathBuf,
    not_source: Vec<PathBuf>,
    /// The source tree's subtree, sent once per build.
    project: OnceLock<Result<reapi::Digest, String>>,
    /// Set once, with the reason, when the service failed.
    dropped: OnceLock<String>,
    executed: AtomicU64,
}

impl RemoteExec {
    /// Remote execution on the service at `settings.url` (grpc:// or grpcs://) for a
    /// build of the project at `root` publishing to `dist`; nothing is sent yet.
    pub fn open(settings: remote::Settings, root: &Path, dist: &Path) -> Result<Self> {
        if !settings.url.starts_with("grpc") {
            bail!(
                "--remote-exec {}: remote execution needs a REAPI server (grpc:// or grpcs://)",
                settings.url
            );
        }
        let settings = remote::Settings {
            read_only: true,
            ..settings
        };
        Ok(RemoteExec {
            url: settings.url.clone(),
            remote: Remote::open(settings)?,
            root: root.to_path_buf(),
            not_source: vec![dist.to_path_buf()],
            project: OnceLock::new(),
            dropped: OnceLock::new(),
            executed: AtomicU64::new(0),
        })
    }

    /// Whether `stage` may run remotely: its grants hold no secret and reach nothing
    /// outside its inputs and the source tree.
    pub fn takes(stage: &PlannedStage) -> bool {
        crate::caps::granted_by(&stage.config.grants)
            .all(|c| matches!(c.name(), "source" | "exec" | "log"))
    }

    /// Stage invocations that ran remotely so far.
    pub fn executed(&self) -> u64 {
        self.executed.load(Ordering::Relaxed)
    }

    /// Runs `job` remotely; its entry, with every output in the store, or none (with a
    /// warning) when it must run here.
    pub fn run(&self, job: &Job) -> Option<Entry> {
        if self.dropped.get().is_some() {
            return None;
        }
        let target = job.lane.as_ref().map(ToString::to_string);
        let expected = Expected {
            action: job.key.clone(),
            stage: &job.stage.config.name,
            target: target.as_deref(),
        };
        let ran = self.remote.runtime().block_on(self.execute(job, &expected));
        match ran {
            Ok(entry) => {
                self.executed.fetch_add(1, Ordering::Relaxed);
                Some(entry)
            }
            Err(Failure::Stage(why)) => {
                eprintln!(
                    "xhost: warning: remote execution: stage `{}` ({}) did not run remotely: {why}; it runs here",
                    job.stage.config.name,
                    target.as_deref().unwrap_or("release")
                );
                None
            }
            Err(Failure::Service(e)) => {
                if self.dropped.set(format!("{e:#}")).is_ok() {
                    eprintln!(
                        "xhost: warning: remote execution on {}: {e:#}; building here",
                        self.url
                    );
                }
                None
            }
        }
    }

    fn server(&self) -> &GrpcCache {
        self.remote
            .grpc()
            .expect("checked to be a REAPI server when opened")
    }

    async fn execute(&self, job: &Job<'_>, expected: &Expected<'_>) -> Result<Entry, Failure> {
        let action = self.send_action(job).await.map_err(Failure::Service)?;
        let response = self.wait(&action).await?;
        let result = response
            .result
            .ok_or_else(|| Failure::Stage("the service returned no action result".into()))?;
        if result.exit_code != 0 {
            return Err(Failure::Stage(format!(
                "the worker's command exited with {}",
                result.exit_code
            )));
        }
        match self
            .remote
            .entry_of_result(&result, expected, job.store, job.scratch)
            .await
        {
            Ok(Some(entry)) => Ok(entry),
            Ok(None) => Err(Failure::Stage(
                "the result's outputs are no longer on the server".into(),
            )),
            Err(remote::Failure::Refused(why)) => {
                Err(Failure::Stage(format!("refusing its result: {why}")))
            }
            Err(remote::Failure::Server(e)) => Err(Failure::Service(e)),
        }
    }

    /// Sends the action and everything it names that the server lacks; returns its
    /// digest.
    async fn send_action(&self, job: &Job<'_>) -> Result<reapi::Digest> {
        let server = self.server();
        let project = self.project_tree().await?;
        let mut blobs = Vec::new();
        let mut root = tree::Dir::default();
        root.subtree(request::PROJECT_DIR, project);
        root.dir(request::INPUTS_DIR);
        for input in job.inputs {
            let path = format!("{}/{}", request::INPUTS_DIR, input.sha256);
            root.file(&path, grpc::digest(&input.sha256, input.size), false);
            blobs.push(Blob {
                sha256: input.sha256.clone(),
                size: input.size,
                bytes: grpc::Bytes::File(job.store.path(&input.sha256)),
            });
        }
        let resolved = &job.config.resolved_with;
        let request = request::Request::new(
            &job.stage.config.name,
            job.lane.as_ref().map(ToString::to_string),
            (&job.key.hash, job.key.size, job.key_parts),
            resolved.commit.as_ref().unwrap_or(&Default::default()),
            resolved,
            job.inputs,
        );
        let request = Blob::bytes(serde_json::to_vec(&request)?);
        root.file(
            request::FILE_NAME,
            grpc::digest(&request.sha256, request.size),
            false,
        );
        blobs.push(request);
        let input_root = root.encode(&mut blobs);
        let platform = platform();
        let command = Blob::bytes(
            reapi::Command {
                arguments: COMMAND.iter().map(ToString::to_string).collect(),
                ..Default::default()
            }
            .encode_to_vec(),
        );
        let action = Blob::bytes(
            reapi::Action {
                command_digest: Some(grpc::digest(&command.sha256, command.size)),
                input_root_digest: Some(input_root),
                platform: Some(platform),
                ..Default::default()
            }
            .encode_to_vec(),
        );
        let digest = grpc::digest(&action.sha256, action.size);
        blobs.push(command);
        blobs.push(action);
        server.upload_missing(blobs).await?;
        Ok(digest)
    }

    /// The source tree's subtree, its blobs sent the first time it is asked for.
    async fn project_tree(&self) -> Result<reapi::Digest> {
        if let Some(done) = self.project.get() {
            return done.clone().map_err(anyhow::Error::msg);
        }
        let sent = async {
            let mut blobs = Vec::new();
            let digest = tree::source(&self.root, &self.not_source, &mut blobs)
                .context("listing the source tree")?;
            self.server().upload_missing(blobs).await?;
            Ok::<_, anyhow::Error>(digest)
        }
        .await
        .map_err(|e| format!("{e:#}"));
        // Two targets may have sent it at once; either's digest is the same.
        let _ = self.project.set(sent.clone());
        sent.map_err(anyhow::Error::msg)
    }

    /// Executes `action` and waits for its response.
    async fn wait(&self, action: &reapi::Digest) -> Result<reapi::ExecuteResponse, Failure> {
        use reapi::execution_client::ExecutionClient;
        let server = self.server();
        let mut client = ExecutionClient::new(server.channel());
        let mut stream = client
            .execute(server.call(reapi::ExecuteRequest {
                instance_name: server.instance().to_string(),
                action_digest: Some(action.clone()),
                digest_function: grpc::SHA256,
                ..Default::default()
            }))
            .await
            .context("Execute")
            .map_err(Failure::Service)?
            .into_inner();
        let mut name = String::new();
        loop {
            let operation = match stream.message().await {
                Ok(Some(operation)) => operation,
                // The service may end a stream before the operation is done: ask again.
                Ok(None) if !name.is_empty() => {
                    stream = client
                        .wait_execution(
                            server.call(reapi::WaitExecutionRequest { name: name.clone() }),
                        )
                        .await
                        .context("WaitExecution")
                        .map_err(Failure::Service)?
                        .into_inner();
                    continue;
                }
                Ok(None) => {
                    return Err(Failure::Service(anyhow::anyhow!(
                        "Execute: the stream ended before naming the operation"
                    )));
                }
                Err(status) => {
                    return Err(Failure::Service(
                        anyhow::Error::new(status).context("Execute"),
                    ));
                }
            };
            name = operation.name.clone();
            if !operation.done {
                continue;
            }
            use bazel_remote_apis::google::longrunning::operation::Result as Outcome;
            return match operation.result {
                Some(Outcome::Response(any)) => {
                    let response = reapi::ExecuteResponse::decode(any.value.as_slice())
                        .map_err(|e| Failure::Stage(format!("decoding the response: {e}")))?;
                    match &response.status {
                        Some(status) if status.code != 0 => {
                            Err(Failure::Stage(status.message.clone()))
                        }
                        _ => Ok(response),
                    }
                }
                Some(Outcome::Error(status)) => Err(Failure::Stage(format!(
                    "the operation failed (code {}): {}",
                    status.code, status.message
                ))),
                None => Err(Failure::Stage("the operation ended with no result".into())),
            };
        }
    }
}

/// The platform an action asks for, and a worker offers: this machine's OS and
/// architecture (the worker must also have the same programs, which the key checks).
pub fn platform() -> reapi::Platform {
    reapi::Platform {
        properties: vec![
            reapi::platform::Property {
                name: "ISA".into(),
                value: std::env::consts::ARCH.into(),
            },
            reapi::platform::Property {
                name: "OSFamily".into(),
                value: std::env::consts::OS.into(),
            },
        ],
    }
}

enum Failure {
    /// The service failed: drop it for the rest of the build.
    Service(anyhow::Error),
    /// This invocation could not run remotely: run it here.
    Stage(String),
}
