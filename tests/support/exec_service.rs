//! A remote-execution service for the tests: PostgreSQL, BuildGrid with its Execution
//! and Bots services (both started on 127.0.0.1 by `scripts/`), and `xhost worker`s,
//! each with a cache directory of its own; stopped, workers first, on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{free_port, run_tool, user_env, workspace};

/// PostgreSQL, BuildGrid with execution, and workers; stopped (workers first) on drop.
pub struct Service {
    port: u16,
    pub url: String,
    postgres: tempfile::TempDir,
    server: tempfile::TempDir,
    workers: Vec<Worker>,
}

pub struct Worker {
    child: Child,
    log: PathBuf,
    /// Its own cache directory: another machine's.
    _cache: tempfile::TempDir,
}

impl Service {
    /// The service's places, nothing started yet.
    pub fn new() -> Service {
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

    pub fn start() -> Service {
        let mut service = Service::new();
        service.start_servers();
        service
    }

    /// PostgreSQL, then BuildGrid on the service's port.
    pub fn start_servers(&mut self) -> &mut Self {
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
    pub fn worker(&mut self, id: &str, path_first: Option<&Path>) -> &mut Self {
        self.worker_with(id, path_first, &[])
    }

    /// Starts a worker named `id`, with `path_first` ahead of the usual PATH and `extra`
    /// arguments.
    pub fn worker_with(
        &mut self,
        id: &str,
        path_first: Option<&Path>,
        extra: &[&str],
    ) -> &mut Self {
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
            .args(extra)
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

    /// Sends worker `index` SIGTERM; whether it exited within five seconds.
    pub fn terminate(&mut self, index: usize) -> bool {
        let child = &mut self.workers[index].child;
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..50 {
            if child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    }

    /// Whether worker `index` is still running.
    pub fn worker_alive(&mut self, index: usize) -> bool {
        self.workers[index].child.try_wait().unwrap().is_none()
    }

    /// Waits until worker `index` has a session.
    pub fn wait_serving(&self, index: usize) {
        for _ in 0..600 {
            if self.log(index).contains(": serving ") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("worker {index} never served: {}", self.log(index));
    }

    pub fn log(&self, index: usize) -> String {
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
