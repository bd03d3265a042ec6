//! `xhost worker`: a bot of a REAPI execution service's Remote Workers API (BuildGrid's
//! Bots service). It opens a session offering this machine's platform, takes the
//! leases it is given one at a time, and runs each action ([`run_action`]) in the
//! sandbox a local build uses, from inputs fetched by digest; while one runs, it tells
//! the service it is alive. A result is written to the service's cache as a
//! remote-cache entry under the action key, signed with the worker's key when it has
//! one, and returned in the lease.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bazel_remote_apis::google::protobuf::Any;
use bazel_remote_apis::google::rpc::Status;
use prost::Message;

use super::bots::{
    BotSession, BotStatus, Bots, CreateBotSessionRequest, Device, KeyValue, Lease, LeaseState,
    UpdateBotSessionRequest, Worker,
};
use super::request::{self, Request};
use super::tree;
use crate::artifacts::Store;
use crate::cache::actions::Entry;
use crate::cache::remote::grpc::{GrpcCache, reapi};
use crate::cache::remote::{self, Remote};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::Overrides;
use crate::session::Session;

/// How long a call to the Bots service may wait for work (the service answers earlier
/// when it has some).
const POLL: Duration = Duration::from_secs(30);
/// The deadline for opening a session.
const OPEN: Duration = Duration::from_secs(3);
/// How often a worker says it is alive while an action runs.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// `google.rpc.Code`s a lease ends with.
const INVALID_ARGUMENT: i32 = 3;
const FAILED_PRECONDITION: i32 = 9;
const UNKNOWN: i32 = 2;

pub struct Options {
    /// The service, with the key that signs what the worker writes.
    pub settings: remote::Settings,
    /// The worker's own directory: its programs' caches, and each action's files.
    pub dir: PathBuf,
    /// The bot's id; unique among the service's workers.
    pub id: String,
    /// Stop after this many actions (tests, benchmarks); none: until interrupted.
    pub actions: Option<u64>,
}

/// Serves the service until interrupted (or after `options.actions` actions). A
/// service that goes away is waited for: the worker says so, and opens a new session
/// when it is back (after 1 s, then up to 30 s apart).
pub fn serve(session: &Session, options: &Options) -> Result<()> {
    let remote = Remote::open(options.settings.clone())?;
    let server = remote
        .grpc()
        .context("a worker serves a REAPI service (grpc:// or grpcs://)")?;
    let place = Place::at(&options.dir)?;
    let mut done = 0u64;
    let mut pause = Duration::from_secs(1);
    loop {
        match serve_session(session, &remote, server, options, &place, &mut done) {
            Ok(()) => return Ok(()),
            Err(_) if crate::interrupt::requested() => {
                eprintln!("xhost worker {}: stopped", options.id);
                return Ok(());
            }
            Err(e) => {
                eprintln!(
                    "xhost worker {}: warning: {e:#}; trying again in {} s",
                    options.id,
                    pause.as_secs()
                );
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// One bot session: opened, then leases taken and reported until interrupted, the
/// action count is reached, or the service fails.
fn serve_session(
    session: &Session,
    remote: &Remote,
    server: &GrpcCache,
    options: &Options,
    place: &Place,
    done: &mut u64,
) -> Result<()> {
    let mut bots = Bots::new(server.channel());
    let runtime = remote.runtime();
    // A short deadline: the session is opened at once, and the first update waits for work.
    let mut bot = runtime.block_on(bots.create(deadline(
        server,
        OPEN,
        CreateBotSessionRequest {
            parent: server.instance().to_string(),
            bot_session: Some(BotSession {
                bot_id: options.id.clone(),
                status: BotStatus::Ok as i32,
                worker: Some(worker(&options.id)),
                ..Default::default()
            }),
        },
    )))?;
    eprintln!(
        "xhost worker {}: serving {} as {}",
        options.id, options.settings.url, bot.name
    );
    loop {
        if crate::interrupt::requested() {
            eprintln!("xhost worker {}: stopped", options.id);
            return Ok(());
        }
        if options.actions.is_some_and(|n| *done >= n) {
            return Ok(());
        }
        let assigned = bot.leases.iter().position(|l| {
            l.state == LeaseState::Active as i32 || l.state == LeaseState::Pending as i32
        });
        if let Some(index) = assigned {
            bot.leases[index].state = LeaseState::Active as i32;
            let lease = bot.leases[index].clone();
            let outcome =
                run_with_heartbeats(session, remote, server, place, &lease, &mut bots, &mut bot)?;
            if let Some(lease) = bot.leases.iter_mut().find(|l| l.id == lease.id) {
                lease.state = LeaseState::Completed as i32;
                match outcome {
                    Ok(result) => {
                        lease.status = Some(Status::default());
                        lease.result = Some(Any {
                            type_url:
                                "type.googleapis.com/build.bazel.remote.execution.v2.ActionResult"
                                    .into(),
                            value: result.encode_to_vec(),
                        });
                    }
                    Err((code, message)) => {
                        eprintln!(
                            "xhost worker {}: lease {} failed: {message}",
                            options.id, lease.id
                        );
                        lease.status = Some(Status {
                            code,
                            message,
                            details: Vec::new(),
                        });
                    }
                }
            }
            *done += 1;
        }
        bot = runtime.block_on(until_interrupted(bots.update(polling(
            server,
            UpdateBotSessionRequest {
                name: bot.name.clone(),
                bot_session: Some(bot.clone()),
            },
        ))))?;
    }
}

/// Runs `lease`'s action on another thread, telling the service every [`HEARTBEAT`]
/// that the worker is alive.
fn run_with_heartbeats(
    session: &Session,
    remote: &Remote,
    server: &GrpcCache,
    place: &Place,
    lease: &Lease,
    bots: &mut Bots,
    bot: &mut BotSession,
) -> Result<Result<reapi::ActionResult, (i32, String)>> {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        scope.spawn(move || {
            let _ = sender.send(run_lease(session, remote, server, place, lease));
        });
        loop {
            match receiver.recv_timeout(HEARTBEAT) {
                Ok(outcome) => return Ok(outcome),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    let mut beat = bot.clone();
                    beat.leases.retain(|l| l.id == lease.id);
                    *bot = remote.runtime().block_on(bots.update(polling(
                        server,
                        UpdateBotSessionRequest {
                            name: beat.name.clone(),
                            bot_session: Some(beat),
                        },
                    )))?;
                    if !bot.leases.iter().any(|l| l.id == lease.id) {
                        // Cancelled: the result is not wanted, but the run goes on to its end.
                        bot.leases.push(lease.clone());
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    bail!("running lease {} ended without an outcome", lease.id)
                }
            }
        }
    })
}

/// Where a worker keeps things, under its directory.
pub struct Place {
    /// The action being run: its tree, store and invocation (emptied after each).
    pub work: PathBuf,
    /// Its programs' homes and caches (Go's build cache), kept between actions.
    pub tools: crate::cache_layout::ToolCaches,
    /// The blobs it fetched, kept between actions.
    pub blobs: tree::BlobCache,
}

impl Place {
    /// The places under `dir`, made once when the worker starts.
    pub fn at(dir: &Path) -> Result<Self> {
        crate::files::create_dir_all(dir)?;
        Ok(Place {
            work: dir.join("action"),
            tools: crate::cache_layout::ToolCaches::own(dir.join("tools")),
            blobs: tree::BlobCache::new(dir.join("blobs"))?,
        })
    }
}

/// The lease's action, run; or the status code and message it fails with.
fn run_lease(
    session: &Session,
    remote: &Remote,
    server: &GrpcCache,
    place: &Place,
    lease: &Lease,
) -> Result<reapi::ActionResult, (i32, String)> {
    let _ = std::fs::remove_dir_all(&place.work);
    let action = remote
        .runtime()
        .block_on(action_of(server, lease))
        .map_err(|e| (INVALID_ARGUMENT, format!("{e:#}")))?;
    let outcome = run_action(session, remote, server, &action, place);
    let _ = std::fs::remove_dir_all(&place.work);
    outcome
}

/// The action a lease's payload names: the action itself (BuildGrid) or its digest.
async fn action_of(server: &GrpcCache, lease: &Lease) -> Result<reapi::Action> {
    let payload = lease.payload.as_ref().context("the lease has no payload")?;
    if payload
        .type_url
        .ends_with("/build.bazel.remote.execution.v2.Action")
    {
        return Ok(reapi::Action::decode(payload.value.as_slice())?);
    }
    if payload
        .type_url
        .ends_with("/build.bazel.remote.execution.v2.Digest")
    {
        let digest = reapi::Digest::decode(payload.value.as_slice())?;
        return tree::fetch_message(server, &digest).await;
    }
    bail!(
        "the lease's payload is a `{}`, not an action",
        payload.type_url
    )
}

/// Runs one action: its files laid out under `work`, the configuration resolved from
/// that copy of the project, the key computed and checked against the client's, the
/// stage run, and its result written to the service.
pub fn run_action(
    session: &Session,
    remote: &Remote,
    server: &GrpcCache,
    action: &reapi::Action,
    place: &Place,
) -> Result<reapi::ActionResult, (i32, String)> {
    let work = place.work.as_path();
    let refuse = |e: anyhow::Error| (INVALID_ARGUMENT, format!("{e:#}"));
    let runtime = remote.runtime();
    let command_digest = action
        .command_digest
        .as_ref()
        .context("the action names no command")
        .map_err(refuse)?;
    let command: reapi::Command = runtime
        .block_on(tree::fetch_message(server, command_digest))
        .map_err(refuse)?;
    if command.arguments != super::COMMAND {
        return Err((
            INVALID_ARGUMENT,
            format!(
                "not an xhost action: the command is {:?}",
                command.arguments
            ),
        ));
    }
    let root = work.join("root");
    let started = Instant::now();
    crate::files::create_dir_all(work).map_err(refuse)?;
    let input_root = action
        .input_root_digest
        .as_ref()
        .context("the action has no input root")
        .map_err(refuse)?;
    runtime
        .block_on(tree::lay_out(
            server,
            &place.blobs,
            input_root,
            &root,
            &tree::Limits::default(),
        ))
        .context("laying out the action's inputs")
        .map_err(refuse)?;
    let request = read_request(&root).map_err(refuse)?;
    let mut times = Times {
        inputs: started.elapsed(),
        ..Times::default()
    };
    let (key, entry, store) = run_stage(session, &request, &root, work, &place.tools, &mut times)?;
    let written = Instant::now();
    let result = runtime
        .block_on(remote.put_now(&key, &entry, &store))
        .map_err(|e| (UNKNOWN, format!("writing the result: {e:#}")))?;
    eprintln!(
        "xhost worker: ran stage `{}` for {}: inputs {:.2} s, plan {:.2} s, run {:.2} s, result {:.2} s",
        request.stage,
        request.target.as_deref().unwrap_or("the release"),
        times.inputs.as_secs_f64(),
        times.plan.as_secs_f64(),
        times.run.as_secs_f64(),
        written.elapsed().as_secs_f64()
    );
    Ok(result)
}

/// Where an action's time went on the worker.
#[derive(Default)]
struct Times {
    /// Laying out its inputs.
    inputs: Duration,
    /// Resolving the configuration, planning the stage, checking the key.
    plan: Duration,
    run: Duration,
}

fn read_request(root: &Path) -> Result<Request> {
    let file = root.join(request::FILE_NAME);
    let meta = std::fs::symlink_metadata(&file)
        .with_context(|| format!("reading {}", request::FILE_NAME))?;
    if !meta.is_file() || meta.len() > request::MAX_BYTES {
        bail!(
            "{} is not a file of at most {} bytes",
            request::FILE_NAME,
            request::MAX_BYTES
        );
    }
    Request::read(&std::fs::read(&file)?).map_err(anyhow::Error::msg)
}

/// Resolves, plans and runs the request's stage; its key, entry, and the store holding
/// its outputs.
fn run_stage(
    session: &Session,
    request: &Request,
    root: &Path,
    work: &Path,
    tools: &crate::cache_layout::ToolCaches,
    times: &mut Times,
) -> Result<(remote::ActionId, Entry, Store), (i32, String)> {
    let refuse = |e: anyhow::Error| (INVALID_ARGUMENT, format!("{e:#}"));
    let planning = Instant::now();
    let project = root.join(request::PROJECT_DIR);
    let overrides = Overrides {
        targets: request
            .targets
            .iter()
            .map(|t| t.parse())
            .collect::<Result<_, String>>()
            .map_err(|e| (INVALID_ARGUMENT, e))?,
        snapshot: request.snapshot,
        allow_lower_tag: request.allow_lower_tag,
        commit: Some(request.commit()),
    };
    let mut config = crate::config::load(&project, &overrides).map_err(|e| {
        (
            INVALID_ARGUMENT,
            format!("the project's configuration: {e}"),
        )
    })?;
    // Only this stage is planned: the others' plugins, keys and programs are not this
    // worker's business.
    config.stages.retain(|s| s.name == request.stage);
    if config.stages.is_empty() {
        return Err((
            INVALID_ARGUMENT,
            format!("the project has no stage `{}`", request.stage),
        ));
    }
    config.provenance_key = None;
    let plan = session.plan(config).map_err(refuse)?;
    session
        .confine_programs(&plan)
        .map_err(|e| (FAILED_PRECONDITION, format!("{e:#}")))?;
    let stage = &plan.stages[0];
    let lane: crate::report::Lane = request
        .target
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| (INVALID_ARGUMENT, e))?;
    let store = Store::open(work.join("store")).map_err(refuse)?;
    let mut inputs = Vec::new();
    for input in &request.inputs {
        let file = root.join(request::INPUTS_DIR).join(&input.output.sha256);
        let (sha256, _) = store
            .ingest(&file)
            .with_context(|| format!("input `{}`", input.output.path))
            .map_err(refuse)?;
        if sha256 != input.output.sha256 {
            return Err((
                INVALID_ARGUMENT,
                format!(
                    "input `{}` is not the file its digest names",
                    input.output.path
                ),
            ));
        }
        let record = (input.output.clone())
            .into_record(&input.stage, &input.plugin, &input.plugin_digest)
            .map_err(refuse)?;
        inputs.push(record);
    }
    let inputs: Vec<&crate::artifacts::Record> = inputs.iter().collect();
    let keys = KeyContext::new(
        &plan.config,
        &project.join("dist"),
        session.cache().programs_file(),
        work.join("source-index"),
    );
    let (key, parts) = keys
        .key(&plan.config, stage, &lane, &inputs)
        .map_err(|why| match why {
            Uncacheable::Network => (
                INVALID_ARGUMENT,
                "the stage may reach the network".to_string(),
            ),
            Uncacheable::Unreadable(why) => (FAILED_PRECONDITION, why),
        })?;
    if key.hash != request.key {
        return Err((
            FAILED_PRECONDITION,
            format!(
                "this worker's key for stage `{}` differs from the client's in {}: a worker must run the same xhost, with the same programs, as the build that sends it work",
                request.stage,
                differing(&request.key_parts, &parts)
            ),
        ));
    }
    let env = crate::pipeline::invocation::Env {
        config: &plan.config,
        store: &store,
        dir: &work.join("invocation"),
        tools,
        reporter: session.reporter(),
        cache: None,
        fetched: None,
        remote_exec: None,
    };
    times.plan = planning.elapsed();
    let running = Instant::now();
    let ran = crate::pipeline::invocation::run(&env, stage, &lane, &inputs)
        .map_err(|e| (UNKNOWN, format!("{e:#}")))?;
    times.run = running.elapsed();
    let entry = Entry::made(&stage.config.name, &ran, &store);
    Ok((key, entry, store))
}

/// The parts of two keys' documents that differ, two levels deep (`programs.go`).
fn differing(theirs: &serde_json::Value, ours: &serde_json::Value) -> String {
    fn walk(
        path: &str,
        theirs: &serde_json::Value,
        ours: &serde_json::Value,
        depth: usize,
        out: &mut Vec<String>,
    ) {
        match (theirs.as_object(), ours.as_object()) {
            (Some(a), Some(b)) if depth < 2 => {
                let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
                names.sort();
                names.dedup();
                for name in names {
                    let (x, y) = (a.get(name), b.get(name));
                    if x == y {
                        continue;
                    }
                    let path = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    match (x, y) {
                        (Some(x), Some(y)) => walk(&path, x, y, depth + 1, out),
                        _ => out.push(path),
                    }
                }
            }
            _ => out.push(if path.is_empty() {
                "everything".into()
            } else {
                path.to_string()
            }),
        }
    }
    let mut out = Vec::new();
    walk("", theirs, ours, 0, &mut out);
    out.join(", ")
}

/// `call`, given up when the worker is asked to stop (a wait for work lasts up to
/// [`POLL`]).
async fn until_interrupted<T>(call: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    let asked = async {
        while !crate::interrupt::requested() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    futures_util::pin_mut!(call, asked);
    match futures_util::future::select(call, asked).await {
        futures_util::future::Either::Left((outcome, _)) => outcome,
        futures_util::future::Either::Right(_) => bail!("interrupted"),
    }
}

/// A call to the Bots service that may wait for work.
fn polling<T>(server: &GrpcCache, message: T) -> tonic::Request<T> {
    deadline(server, POLL, message)
}

/// A call to the Bots service given `time`.
fn deadline<T>(server: &GrpcCache, time: Duration, message: T) -> tonic::Request<T> {
    let mut request = server.call(message);
    request.set_timeout(time);
    request
}

/// What the worker offers: this machine's platform, one action at a time.
fn worker(id: &str) -> Worker {
    let platform = super::platform();
    Worker {
        devices: vec![Device {
            handle: id.into(),
            properties: platform
                .properties
                .iter()
                .map(|p| KeyValue::new(&p.name, &p.value))
                .collect(),
        }],
        properties: Vec::new(),
        configs: vec![KeyValue::new("capacity", "1")],
    }
}
