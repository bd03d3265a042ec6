//! Shared helpers for the integration tests: throwaway projects, running the real
//! `xhost` binary, the purpose-built test plugins, and independent checkers.

#![allow(dead_code)] // each test binary uses a different subset

pub mod exec_service;
pub mod registry;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The cache directory every test's `xhost` uses. Shared, so Go's per-project build
/// caches survive between runs of the same test.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("xhost-cache")
}

/// A test plugin component from `tests/plugins/<name>`, built on first use.
pub fn test_plugin(name: &str) -> PathBuf {
    static BUILT: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let names = ["probe", "exec-probe", "signer-probe"];
        let guests: Vec<_> = names
            .iter()
            .map(|n| xhost_build_support::Guest::new(format!("xhost-test-{n}")))
            .collect();
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let target_dir = xhost_build_support::guest_target_dir(tmp, &tmp.join("wasm-guests"));
        let paths = xhost_build_support::build(&workspace(), &target_dir, &guests)
            .unwrap_or_else(|e| panic!("{e}"));
        names.iter().map(|n| n.to_string()).zip(paths).collect()
    });
    built
        .get(name)
        .unwrap_or_else(|| panic!("no test plugin {name}"))
        .clone()
}

/// Hex SHA-256 of a file, for pinning plugins.
pub fn sha256(path: &Path) -> String {
    xhost::digest::sha256_file(path).unwrap().0
}

/// A checker `scripts/setup` builds (cosign): from PATH, else from where setup puts it.
pub fn dev_tool(name: &str) -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let tools = std::env::var_os("XHOST_DEV_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cache/xhost-dev"));
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .chain([tools.join("bin")])
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("these tests need {name}; run ./scripts/test, which builds it"))
}

/// A checker `scripts/setup` installs under its tools directory (`node/node_modules`,
/// `checkers/bin/check-jsonschema`).
pub fn dev_checker(dir: &str, program: &str) -> PathBuf {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let tools =
        std::env::var_os("XHOST_DEV_TOOLS").map_or(home.join(".cache/xhost-dev"), PathBuf::from);
    let path = tools.join(dir).join(program);
    assert!(
        path.exists(),
        "{} is missing; run ./scripts/test, which installs it",
        path.display()
    );
    path
}

/// The directory holding a Go ≥ 1.21 `go`: `$XHOST_TEST_GO_BIN`, else from PATH.
pub fn go_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XHOST_TEST_GO_BIN") {
        return PathBuf::from(dir);
    }
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("go").is_file());
    found.unwrap_or_else(|| {
        panic!("these tests need Go 1.21+ on PATH; run ./scripts/test, which installs it")
    })
}

/// A project directory for one test, recreated empty (stable path, so tool caches
/// keyed by project are warm on the next run).
pub struct Project {
    pub dir: PathBuf,
}

impl Project {
    pub fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("projects")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Project { dir }
    }

    /// A copy of `examples/<example>`, without any `dist/` of its own.
    pub fn from_example(name: &str, example: &str) -> Self {
        let project = Project::new(name);
        copy_tree(&workspace().join("examples").join(example), &project.dir);
        let _ = std::fs::remove_dir_all(project.dir.join("dist"));
        project
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Sets `targets = [...]` in its xhost.toml to `targets`.
    pub fn set_targets(&self, targets: &[&str]) -> &Self {
        let config = std::fs::read_to_string(self.path("xhost.toml")).unwrap();
        let start = config.find("targets = [").expect("a targets list");
        let end = start + config[start..].find(']').unwrap() + 1;
        let list: Vec<String> = targets.iter().map(|t| format!("\"{t}\"")).collect();
        self.write(
            "xhost.toml",
            format!(
                "{}targets = [{}]{}",
                &config[..start],
                list.join(", "),
                &config[end..]
            ),
        )
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    pub fn dist(&self) -> PathBuf {
        self.dir.join("dist")
    }

    /// Runs `xhost ARGS` with this project as the working directory.
    pub fn xhost(&self, args: &[&str]) -> Run {
        self.xhost_with(args, &[])
    }

    /// [`Project::xhost`] with extra environment variables.
    pub fn xhost_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xhost"));
        command.args(args).current_dir(&self.dir);
        user_env(&mut command);
        command.envs(env.iter().copied());
        Run::from(command.output().unwrap())
    }

    /// [`Project::xhost_with`] in an environment no build ran in before: the check that
    /// finds a release unchanged compares the environment, so this build is planned and
    /// each stage looked up in the action cache (what action-cache tests watch).
    pub fn xhost_planned(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let fresh = format!(
            "{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let mut env = env.to_vec();
        env.push(("XHOST_TEST_FRESH_ENVIRONMENT", &fresh));
        self.xhost_with(args, &env)
    }

    /// Runs `xhost ARGS` through `wrapper` (a program and its arguments, to which the
    /// xhost executable and `args` are appended), as a CI runner or script would.
    pub fn xhost_via(&self, wrapper: &[String], args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(&wrapper[0]);
        command
            .args(&wrapper[1..])
            .arg(env!("CARGO_BIN_EXE_xhost"))
            .args(args)
            .current_dir(&self.dir);
        user_env(&mut command);
        command.envs(env.iter().copied());
        Run::from(command.output().unwrap())
    }

    /// Puts a previous release in `dist/` (a manifest and a marker) to check it survives.
    pub fn seed_dist(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        self.write("dist/artifacts.json", "{\"schema\":\"previous\"}\n");
        self.write("dist/previous/marker.txt", "the previous release\n");
        snapshot(&self.dist())
    }
}

/// The programs' caches every test's projects share (`XHOST_TOOL_CACHE_DIR`), as one
/// team's CI runner would: Go compiles each target's standard library once for the
/// whole suite, not once per project. None for the hostile suite, which attacks the
/// per-project isolation that is the default.
pub fn shared_tool_caches() -> Option<PathBuf> {
    (env!("CARGO_CRATE_NAME") != "hostile")
        .then(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("xhost-tool-caches"))
}

/// Gives `command` the environment of a user of xhost: `xhost`, Go and the Python tools
/// (componentize-py) on PATH, the tests' cache (and shared tool caches, but in the
/// hostile suite), and none of cargo's build variables.
pub fn user_env(command: &mut Command) -> &mut Command {
    let xhost_dir = Path::new(env!("CARGO_BIN_EXE_xhost"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut path = vec![xhost_dir, go_bin_dir(), workspace().join(".venv/bin")];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    for var in xhost_build_support::OUTER_CARGO_ENV {
        command.env_remove(var);
    }
    match shared_tool_caches() {
        Some(dir) => command.env(xhost::cache_layout::SHARED_TOOL_CACHES, dir),
        None => command.env_remove(xhost::cache_layout::SHARED_TOOL_CACHES),
    };
    command
        .env("XHOST_CACHE_DIR", cache_dir())
        .env("PATH", std::env::join_paths(path).unwrap())
        .env_remove("SOURCE_DATE_EPOCH")
        // Tests of CI output set these themselves.
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("GITLAB_CI")
}

/// Checks that hello-go's release in `project`'s dist/ is whole: `sha256sum -c` of
/// its checksums, and its linux/amd64 binary runs.
pub fn check_hello_release(project: &Project) {
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );
    let binary = project.dist().join("hello_linux_amd64/hello");
    let hello = run_tool(binary.to_str().unwrap(), &[], &project.dir);
    assert!(hello.contains("Hello"), "{hello}");
}

/// Runs a shell script in `dir` as a user would; panics with its output if it fails.
pub fn run_script(dir: &Path, script: &str) -> String {
    let output = user_env(
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(dir),
    )
    .output()
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "script failed in {}:\n{script}\n---\n{text}",
        dir.display()
    );
    text
}

/// The outcome of one `xhost` run.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "xhost failed:\n{}\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts exit code 1 and that stderr contains every one of `needles`.
    pub fn assert_fails_with(&self, needles: &[&str]) -> &Self {
        assert_eq!(
            self.code,
            Some(1),
            "expected failure, got {:?}:\n{}\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        for needle in needles {
            assert!(
                self.stderr.contains(needle),
                "stderr lacks {needle:?}:\n{}",
                self.stderr
            );
        }
        self
    }
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

/// [`snapshot`] with `artifacts.json`'s `cache` section left out: the one part of a
/// release that tells how this build went rather than what it made.
pub fn release_snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = snapshot(dir);
    if let Some(bytes) = files.get_mut(Path::new("artifacts.json")) {
        let mut manifest: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        manifest.as_object_mut().unwrap().remove("cache");
        *bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    }
    files
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// Runs a checker: whether it passed, and what it said (stdout, then stderr).
pub fn run_checker(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

/// Runs a command and returns its stdout, failing the test if it fails.
pub fn run_tool(program: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs a wasip1 core module in wasmtime with `args`; returns (exit code, stdout).
pub fn run_wasip1(module: &Path, args: &[&str]) -> (i32, String) {
    use wasmtime::{Engine, Linker, Module, Store};
    use wasmtime_wasi::WasiCtxBuilder;
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

    let engine = Engine::default();
    let module = Module::from_file(&engine, module).unwrap();
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx).unwrap();
    let stdout = MemoryOutputPipe::new(1 << 20);
    let wasi = WasiCtxBuilder::new()
        .stdout(stdout.clone())
        .args(args)
        .build_p1();
    let mut store = Store::new(&engine, wasi);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .unwrap();
    let code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => exit.0,
            None => panic!("wasm trapped: {e:?}"),
        },
    };
    (
        code,
        String::from_utf8_lossy(&stdout.contents()).into_owned(),
    )
}

/// Checks `file` with pyspdxtools (SPDX's own validator); panics with its output if it
/// is not valid SPDX.
pub fn validate_spdx(file: &Path) {
    let pyspdxtools = workspace().join(".venv/bin/pyspdxtools");
    run_tool(
        pyspdxtools.to_str().unwrap(),
        &["-i", file.to_str().unwrap()],
        Path::new("."),
    );
}

/// Checks `file` with cyclonedx-python-lib's strict CycloneDX 1.6 JSON validator.
pub fn validate_cyclonedx(file: &Path) {
    const VALIDATE: &str = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())
print("valid" if errors is None else errors)
"#;
    let python = workspace().join(".venv/bin/python3");
    let verdict = run_tool(
        python.to_str().unwrap(),
        &["-c", VALIDATE, file.to_str().unwrap()],
        Path::new("."),
    );
    assert_eq!(verdict.trim(), "valid", "{}: {verdict}", file.display());
}

/// The platforms an OCI image index lists, as `os/architecture[/variant]`.
pub fn oci_platforms(index: &serde_json::Value) -> Vec<String> {
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let p = &m["platform"];
            let variant = p["variant"]
                .as_str()
                .map_or(String::new(), |v| format!("/{v}"));
            format!(
                "{}/{}{variant}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            )
        })
        .collect()
}

/// A remote cache server for one test, stopped when dropped: a Bazel HTTP cache
/// (Debian's nginx with WebDAV `PUT`, `scripts/cache-server-start`) or a REAPI server
/// (BuildGrid, `scripts/reapi-server-start`).
pub struct CacheServer {
    pub dir: tempfile::TempDir,
    /// Its URL (an HTTP one ends in `/`).
    pub url: String,
}

impl CacheServer {
    /// nginx as a Bazel HTTP cache.
    pub fn start() -> CacheServer {
        Self::start_with("cache-server-start", &[], |port| {
            format!("http://127.0.0.1:{port}/")
        })
    }

    /// nginx as a Bazel HTTP cache for the users of `htpasswd` only (basic auth).
    pub fn start_for_users(htpasswd: &Path) -> CacheServer {
        let file = htpasswd.to_str().unwrap();
        Self::start_with("cache-server-start", &["--htpasswd", file], |port| {
            format!("http://127.0.0.1:{port}/")
        })
    }

    /// nginx as a Bazel HTTP cache over HTTPS, with the certificate `test_ca` made
    /// in `secrets`, for the users of `htpasswd` only.
    pub fn start_tls(secrets: &Path, htpasswd: &Path) -> CacheServer {
        let (cert, key) = (secrets.join("server.pem"), secrets.join("server.key"));
        let args = [
            "--htpasswd",
            htpasswd.to_str().unwrap(),
            "--tls",
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
        ];
        Self::start_with("cache-server-start", &args, |port| {
            format!("https://127.0.0.1:{port}/")
        })
    }

    /// BuildGrid, instance `main`, over TLS only, with the certificate `test_ca` made
    /// in `secrets`.
    pub fn start_reapi_tls(secrets: &Path) -> CacheServer {
        let (cert, key) = (secrets.join("server.pem"), secrets.join("server.key"));
        let args = ["--tls", cert.to_str().unwrap(), key.to_str().unwrap()];
        Self::start_with("reapi-server-start", &args, |port| {
            format!("grpcs://127.0.0.1:{port}/main")
        })
    }

    /// BuildGrid, instance `main`.
    pub fn start_reapi() -> CacheServer {
        Self::start_with("reapi-server-start", &[], |port| {
            format!("grpc://127.0.0.1:{port}/main")
        })
    }

    fn start_with(script: &str, extra: &[&str], url: fn(u16) -> String) -> CacheServer {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let script = workspace().join("scripts").join(script);
        let port_text = port.to_string();
        let mut args = vec![dir.path().to_str().unwrap(), &port_text];
        args.extend(extra);
        run_tool(script.to_str().unwrap(), &args, Path::new("."));
        CacheServer {
            dir,
            url: url(port),
        }
    }

    /// Checks, with `sha256sum`, that every blob the server keeps on disk is the bytes
    /// its name says; returns how many there are. (nginx keeps `cas/<sha256>`,
    /// BuildGrid `cas/objects/<first two hex digits>/<the rest>` in its storage.)
    pub fn check_blobs(&self) -> usize {
        let cas = if self.url.starts_with("http") {
            self.data().join("cas")
        } else {
            self.dir.path().join("cas/cas/objects")
        };
        let mut listing = String::new();
        let blobs = files(&cas);
        for blob in &blobs {
            let name: String = blob
                .strip_prefix(&cas)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('/', "");
            listing.push_str(&format!("{name}  {}\n", blob.display()));
        }
        std::fs::write(self.dir.path().join("blobs.sha256"), listing).unwrap();
        run_tool(
            "sha256sum",
            &["--quiet", "-c", "blobs.sha256"],
            self.dir.path(),
        );
        blobs.len()
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The entries on the server (their envelopes' payloads).
    pub fn entries(&self) -> Vec<(PathBuf, serde_json::Value)> {
        files(&self.data().join("ac"))
            .into_iter()
            .map(|f| {
                let entry = entry_payload(&f);
                (f, entry)
            })
            .collect()
    }

    /// The server's entry for `stage` on `target`.
    pub fn entry(&self, stage: &str, target: &str) -> (PathBuf, serde_json::Value) {
        self.entries()
            .into_iter()
            .find(|(_, e)| {
                e["stage"] == stage && e["outputs"][0]["target"].as_str() == Some(target)
            })
            .unwrap_or_else(|| panic!("no {stage} entry for {target} on the server"))
    }

    pub fn stop(&self) {
        let script = workspace().join("scripts/server-stop");
        run_tool(
            script.to_str().unwrap(),
            &[self.dir.path().to_str().unwrap()],
            Path::new("."),
        );
    }
}

impl Drop for CacheServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every file under `dir`, at any depth.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// The payload of the remote cache entry in `file` (a DSSE envelope).
pub fn entry_payload(file: &Path) -> serde_json::Value {
    use base64::Engine;
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// Rewrites the entry in `file` with `payload`, keeping its signatures when
/// `signatures` is none.
pub fn write_entry(
    file: &Path,
    payload: &serde_json::Value,
    signatures: Option<serde_json::Value>,
) {
    use base64::Engine;
    let mut envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    envelope["payload"] = base64::engine::general_purpose::STANDARD
        .encode(serde_json::to_vec(payload).unwrap())
        .into();
    if let Some(signatures) = signatures {
        envelope["signatures"] = signatures;
    }
    std::fs::write(file, serde_json::to_vec(&envelope).unwrap()).unwrap();
}

/// A project of one linux/amd64 stage whose program sleeps `seconds` (`sleep`'s
/// argument, so a fraction can mark it among running processes), then writes the time.
pub fn sleeper(name: &str, seconds: &str) -> Project {
    let project = Project::new(name);
    let wasm = test_plugin("exec-probe");
    std::fs::copy(&wasm, project.path("exec-probe.wasm")).unwrap();
    project.write("go.mod", "module example.com/sleeper\n\ngo 1.21\n");
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"sleeper\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n\
             [[stage]]\nname = \"sleep\"\nplugin = \"exec-probe.wasm\"\nsha256 = \"{}\"\n\
             grants = {{ exec = [\"sh\"], source = true }}\n\n[stage.config]\naction = \"script-returns\"\n\
             script = \"sleep {seconds}; date +%s%N > $1\"\nreturns = [\"result\"]\n",
            sha256(&wasm)
        ),
    );
    project
}

/// A test CA and a certificate it issued for 127.0.0.1, made with openssl in `dir`.
pub fn test_ca(dir: &Path) {
    run_script(
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
            -days 2 -subj /CN=xhost-test-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
         openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
            -subj /CN=127.0.0.1 2>/dev/null
         printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > server.ext
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
            -extfile server.ext 2>/dev/null",
    );
}

/// A Mach-O binary as `builtin:strip` leaves it: no defined symbols but
/// `__mh_execute_header` and those its indirect symbol table names (`llvm-nm`,
/// `llvm-objdump`), and for arm64, which macOS runs only signed, its ad-hoc
/// signature's page hashes right by a reader that shares nothing with xhost's signer.
pub fn check_macho_stripped(file: &Path) {
    let path = file.to_str().unwrap();
    let defined = run_tool("llvm-nm", &["--defined-only", path], Path::new("."));
    let indirect = run_tool(
        "llvm-objdump",
        &["--macho", "--indirect-symbols", path],
        Path::new("."),
    );
    let named: Vec<&str> = indirect.split_whitespace().collect();
    for line in defined.lines() {
        let symbol = line.rsplit(' ').next().unwrap();
        assert!(
            symbol == "__mh_execute_header" || named.contains(&symbol),
            "{}: {symbol} kept",
            file.display()
        );
    }
    if path.contains("arm64") {
        let checked = run_tool(
            "python3",
            &["-c", include_str!("macho_signature.py"), path],
            Path::new("."),
        );
        assert_eq!(checked.trim(), "ok", "{}", file.display());
    }
}
