//! A test plugin in the least privileged world (`plugin`) that tries one way out of
//! its sandbox, chosen by the stage's `config.action`.
//!
//! Convention: an attempt the sandbox stops returns `failed("blocked: …")` with what
//! stopped it; an attempt that gets through returns `failed("ESCAPED: …")`, so a test
//! can never mistake a hole for a refusal. Actions the host must stop from outside
//! (endless loop, memory, bad artifacts) simply do the thing.

use serde::Deserialize;
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, log};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    action: String,
    #[serde(default)]
    port: u16,
    /// For `write`: the file under `/out`, its kind and its text.
    #[serde(default)]
    file: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    content: String,
    /// For `fail-with`: the error message.
    #[serde(default)]
    message: String,
    /// For `write`: the targets the file says it supersedes (`supersedes` metadata).
    #[serde(default)]
    supersedes: String,
}

struct Probe;

impl Stage for Probe {
    fn describe() -> PluginInfo {
        PluginInfo::per_target("probe", "0.0.0", "Sandbox test plugin")
            .consuming([ArtifactKind::Other])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        match config.action.as_str() {
            "ok" => ok(&job),
            "read-passwd" => read("/etc/passwd"),
            "read-parent" => read("/in/../../etc/passwd"),
            "read-src" => read("/src/go.mod"),
            "write-in" => write_in(),
            "socket" => socket(config.port),
            "name-lookup" => name_lookup(),
            "env-args" => env_args(),
            "endless-loop" => endless_loop(),
            "memory-bomb" => memory_bomb(),
            "artifact-outside" => Ok(vec![
                Artifact::output("x", ArtifactKind::Other, None).with_path("/etc/passwd"),
            ]),
            "artifact-parent" => Ok(vec![
                Artifact::output("x", ArtifactKind::Other, None).with_path("/out/../in/x"),
            ]),
            "symlink-out" => symlink_out(),
            "fail" => Err(StageError::failed("the probe was told to fail")),
            "panic" => panic!("the probe was told to panic"),
            "log-escapes" => log_escapes(),
            "disk-fill" => disk_fill(),
            "many-files" => many_files(),
            "sparse" => sparse(),
            "huge-list" => huge_list(),
            "trap-mid-write" => trap_mid_write(),
            "sleep-forever" => sleep_forever(),
            "write" => write(&config),
            "fail-with" => Err(StageError::failed(config.message)),
            "inherited" => inherited(),
            other => Err(StageError::InvalidConfig(format!(
                "unknown action `{other}`"
            ))),
        }
    }
}

trait WithPath {
    fn with_path(self, path: &str) -> Self;
}

impl WithPath for Artifact {
    fn with_path(mut self, path: &str) -> Self {
        self.path = path.into();
        self
    }
}

fn blocked(what: &str, why: impl std::fmt::Display) -> Result<Vec<Artifact>, StageError> {
    Err(StageError::failed(format!("blocked: {what}: {why}")))
}

fn escaped(what: &str) -> Result<Vec<Artifact>, StageError> {
    Err(StageError::failed(format!("ESCAPED: {what}")))
}

fn ok(job: &Job) -> Result<Vec<Artifact>, StageError> {
    log::info("probe: writing hello.txt");
    println!("probe stdout line");
    let inputs: Vec<&str> = job.inputs.iter().map(|a| a.path.as_str()).collect();
    xhost_plugin_sdk::files::write(
        "/out/hello.txt",
        format!("hello from the probe; inputs: {inputs:?}\n"),
    )?;
    Ok(vec![Artifact::output(
        "hello.txt",
        ArtifactKind::Other,
        job.target.clone(),
    )])
}

fn read(path: &str) -> Result<Vec<Artifact>, StageError> {
    match std::fs::read(path) {
        Ok(bytes) => escaped(&format!("read {} bytes of {path}", bytes.len())),
        Err(e) => blocked(&format!("reading {path}"), e),
    }
}

fn write_in() -> Result<Vec<Artifact>, StageError> {
    if std::fs::write("/in/planted", "x").is_ok() {
        return escaped("created /in/planted");
    }
    let inputs: Vec<_> = std::fs::read_dir("/in")
        .map_err(|e| StageError::failed(format!("listing /in: {e}")))?
        .filter_map(Result::ok)
        .collect();
    for entry in inputs {
        let path = entry.path();
        if path.is_file() && std::fs::OpenOptions::new().append(true).open(&path).is_ok() {
            return escaped(&format!("opened input {} for writing", path.display()));
        }
    }
    match std::fs::remove_dir_all("/in") {
        Ok(()) => escaped("removed /in"),
        Err(e) => blocked("writing into /in", e),
    }
}

fn socket(port: u16) -> Result<Vec<Artifact>, StageError> {
    use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
    let network = wasip2::sockets::instance_network::instance_network();
    let socket = match wasip2::sockets::tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4)
    {
        Ok(socket) => socket,
        Err(e) => return blocked("creating a TCP socket", format!("{e:?}")),
    };
    let address = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port,
        address: (127, 0, 0, 1),
    });
    if let Err(e) = socket.start_connect(&network, address) {
        return blocked(&format!("connecting to 127.0.0.1:{port}"), format!("{e:?}"));
    }
    socket.subscribe().block();
    match socket.finish_connect() {
        Ok(_) => escaped(&format!("connected to 127.0.0.1:{port}")),
        Err(e) => blocked(&format!("connecting to 127.0.0.1:{port}"), format!("{e:?}")),
    }
}

fn name_lookup() -> Result<Vec<Artifact>, StageError> {
    let network = wasip2::sockets::instance_network::instance_network();
    match wasip2::sockets::ip_name_lookup::resolve_addresses(&network, "localhost") {
        Ok(stream) => {
            stream.subscribe().block();
            match stream.resolve_next_address() {
                Ok(Some(_)) => escaped("resolved localhost"),
                Ok(None) => blocked("resolving localhost", "no addresses"),
                Err(e) => blocked("resolving localhost", format!("{e:?}")),
            }
        }
        Err(e) => blocked("resolving localhost", format!("{e:?}")),
    }
}

fn env_args() -> Result<Vec<Artifact>, StageError> {
    let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    let args: Vec<String> = std::env::args().collect();
    let mut stdin = String::new();
    let read = std::io::Read::read_to_string(&mut std::io::stdin(), &mut stdin);
    if !vars.is_empty() || !args.is_empty() || !stdin.is_empty() {
        return escaped(&format!("env {vars:?}, args {args:?}, stdin {stdin:?}"));
    }
    blocked(
        "environment, arguments and stdin",
        format!("all empty (stdin read: {read:?})"),
    )
}

/// Writes one file of the configured name, kind and content and returns it: how a
/// plugin publishes whatever it likes (a replacement, a forged envelope, a name).
fn write(config: &Config) -> Result<Vec<Artifact>, StageError> {
    let kind = match config.kind.as_str() {
        "binary" => ArtifactKind::Binary,
        "archive" => ArtifactKind::Archive,
        "checksum" => ArtifactKind::Checksum,
        "signature" => ArtifactKind::Signature,
        "provenance" => ArtifactKind::Provenance,
        _ => ArtifactKind::Other,
    };
    let path = format!("/out/{}", config.file);
    std::fs::write(&path, &config.content)
        .map_err(|e| StageError::failed(format!("writing {path}: {e}")))?;
    let artifact = Artifact::output(&config.file, kind, None);
    if config.supersedes.is_empty() {
        return Ok(vec![artifact]);
    }
    Ok(vec![
        artifact.with_meta("supersedes", config.supersedes.as_str()),
    ])
}

/// Everything a plugin could have inherited from the host process, looked for with
/// the WASI interfaces themselves: preopens beyond its mounts, a working directory,
/// a terminal on any standard stream, environment, arguments.
fn inherited() -> Result<Vec<Artifact>, StageError> {
    let preopens: Vec<String> = wasip2::filesystem::preopens::get_directories()
        .into_iter()
        .map(|(_, path)| path)
        .collect();
    let cwd = wasip2::cli::environment::initial_cwd();
    let terminals = [
        wasip2::cli::terminal_stdin::get_terminal_stdin().is_some(),
        wasip2::cli::terminal_stdout::get_terminal_stdout().is_some(),
        wasip2::cli::terminal_stderr::get_terminal_stderr().is_some(),
    ];
    let env = wasip2::cli::environment::get_environment();
    let args = wasip2::cli::environment::get_arguments();
    let mut sorted = preopens.clone();
    sorted.sort();
    if sorted != ["/in", "/out"]
        || cwd.is_some()
        || terminals.contains(&true)
        || !env.is_empty()
        || !args.is_empty()
    {
        return escaped(&format!(
            "inherited preopens {preopens:?}, cwd {cwd:?}, terminals {terminals:?}, env {env:?}, args {args:?}"
        ));
    }
    blocked(
        "looking for inherited state",
        format!(
            "preopens {preopens:?} only, no working directory, no terminal, no environment or arguments"
        ),
    )
}

fn endless_loop() -> Result<Vec<Artifact>, StageError> {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

fn memory_bomb() -> Result<Vec<Artifact>, StageError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 64 << 20]);
        if hoard.len() > 64 {
            return escaped("allocated 4 GiB");
        }
    }
}

fn symlink_out() -> Result<Vec<Artifact>, StageError> {
    // Whether WASI lets the link be made or not, the host must never follow it.
    let out = wasip2::filesystem::preopens::get_directories()
        .into_iter()
        .find(|(_, path)| path == "/out")
        .map(|(dir, _)| dir)
        .ok_or_else(|| StageError::failed("no /out preopen"))?;
    let absolute = out.symlink_at("/etc/passwd", "passwd");
    let relative = out.symlink_at("../../../../../../etc/passwd", "passwd");
    log::info(&format!(
        "probe: symlink attempts: {absolute:?}, {relative:?}"
    ));
    Ok(vec![Artifact::output("passwd", ArtifactKind::Other, None)])
}

fn log_escapes() -> Result<Vec<Artifact>, StageError> {
    log::warn("\u{1b}[2J\u{1b}]0;pwned\u{7}cleared screen");
    log::warn("::add-mask::secret-value");
    log::warn("::set-env name=PATH::/tmp/evil");
    eprintln!("\u{1b}[31mred on stderr\u{1b}[0m");
    for i in 0..20_000 {
        log::debug(&format!("flood {i}"));
    }
    Err(StageError::failed("logged escapes and a flood"))
}

fn disk_fill() -> Result<Vec<Artifact>, StageError> {
    use std::io::Write;
    let chunk = vec![7u8; 1 << 20];
    let mut file =
        std::fs::File::create("/out/fill").map_err(|e| StageError::failed(e.to_string()))?;
    for written in 1..=(64 << 10) {
        if let Err(e) = file.write_all(&chunk) {
            return blocked(&format!("writing /out/fill after {written} MiB"), e);
        }
    }
    escaped("wrote 64 GiB to /out/fill")
}

fn many_files() -> Result<Vec<Artifact>, StageError> {
    for i in 0..1_000_000 {
        if let Err(e) = std::fs::write(format!("/out/f{i}"), "") {
            return blocked(&format!("creating file {i} in /out"), e);
        }
    }
    escaped("created a million files in /out")
}

fn sparse() -> Result<Vec<Artifact>, StageError> {
    use std::io::{Seek, SeekFrom, Write};
    let mut file =
        std::fs::File::create("/out/sparse").map_err(|e| StageError::failed(e.to_string()))?;
    let made = file
        .seek(SeekFrom::Start(10 << 30))
        .and_then(|_| file.write_all(b"!"));
    if let Err(e) = made {
        return blocked("making a 10 GiB sparse file", e);
    }
    Ok(vec![Artifact::output("sparse", ArtifactKind::Other, None)])
}

fn huge_list() -> Result<Vec<Artifact>, StageError> {
    xhost_plugin_sdk::files::write("/out/one", "1")?;
    let one = Artifact::output("one", ArtifactKind::Other, None);
    Ok(vec![one; 200_000])
}

fn trap_mid_write() -> Result<Vec<Artifact>, StageError> {
    use std::io::Write;
    let mut file =
        std::fs::File::create("/out/partial").map_err(|e| StageError::failed(e.to_string()))?;
    let _ = file.write_all(&[1u8; 100_000]);
    core::arch::wasm32::unreachable()
}

fn sleep_forever() -> Result<Vec<Artifact>, StageError> {
    std::thread::sleep(std::time::Duration::from_secs(1 << 30));
    escaped("slept and returned")
}

xhost_plugin_sdk::export_plugin!(Probe);
