//! The remote cache against a real server: Debian's nginx with WebDAV `PUT`, a Bazel
//! HTTP cache started on 127.0.0.1 by `scripts/cache-server-start`.
//!
//! "Machine A" builds with the shared test cache directory (`--no-cache`, so every
//! stage runs and is written back); "machine B" is another checkout path and an empty
//! cache directory of its own, so everything it reuses came from the server.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{CacheServer, Project, files, free_port, release_snapshot, run_tool};

const TARGETS: [&str; 4] = ["--target", "linux/amd64", "--target", "wasip1/wasm"];

/// Builds `project` with the remote cache at `url` and `extra` arguments; `cache` is
/// the machine's cache directory (the shared test one when none).
fn build(project: &Project, url: &str, cache: Option<&Path>, extra: &[&str]) -> support::Run {
    let mut args = vec!["build", ".", "--remote-cache", url];
    args.extend(TARGETS);
    args.extend(extra);
    let mut env = Vec::new();
    let cache_text;
    if let Some(dir) = cache {
        cache_text = dir.display().to_string();
        env.push(("XHOST_CACHE_DIR", cache_text.as_str()));
    }
    project.xhost_planned(&args, &env)
}

fn manifest(project: &Project) -> Value {
    serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap()).unwrap()
}

/// Machine A builds hello-go with every stage run and written back to `server`.
fn machine_a(name: &str, server: &CacheServer) -> Project {
    let project = Project::from_example(name, "hello-go");
    build(&project, &server.url, None, &["--no-cache"]).assert_ok();
    project
}

#[test]
fn a_second_machine_reuses_every_stage_from_an_http_cache() {
    second_machine(&CacheServer::start(), "remote-http");
}

#[test]
fn a_second_machine_reuses_every_stage_from_a_reapi_server() {
    second_machine(&CacheServer::start_reapi(), "remote-reapi");
}

/// Machine A builds and writes back to `server`; machine B, elsewhere with an empty
/// cache, then reuses every stage from it and publishes the same release.
fn second_machine(server: &CacheServer, name: &str) {
    let a = machine_a(&format!("{name}-a"), server);
    let uploaded = manifest(&a)["cache"]["remote"]["uploaded"].as_u64();
    assert_eq!(uploaded, Some(9), "{}", manifest(&a)["cache"]);
    // What is on the server is what A made: every blob the bytes its name says, the
    // entries among them for REAPI; the outputs at least, one per file of the release.
    assert!(server.check_blobs() >= 9);

    // Machine B: another checkout path, an empty cache directory.
    let b = Project::from_example(&format!("{name}-b/elsewhere"), "hello-go");
    let cache_b = tempfile::tempdir().unwrap();
    let run = build(&b, &server.url, Some(cache_b.path()), &[]);
    run.assert_ok();
    assert!(
        run.stderr
            .contains("(action cache: 9 hits (9 remote), 0 misses)"),
        "{}",
        run.stderr
    );
    let cache = &manifest(&b)["cache"];
    assert!(
        cache["stages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["result"] == "hit" && s["remote"] == true),
        "{cache}"
    );
    // B planned with the plugins' descriptions from the server, and compiled none.
    assert_eq!(cache["remote"]["descriptions_fetched"], 5, "{cache}");
    let compiled = files(&cache_b.path().join("compiled"));
    assert!(
        !compiled
            .iter()
            .any(|f| f.to_string_lossy().ends_with(".cwasm")),
        "{compiled:?}"
    );
    assert_eq!(release_snapshot(&b.dist()), release_snapshot(&a.dist()));
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &b.dist());
    let hello = run_tool(
        b.dist().join("hello_linux_amd64/hello").to_str().unwrap(),
        &[],
        &b.dir,
    );
    assert!(hello.contains("Hello"), "{hello}");

    let stats = b.xhost_with(
        &["cache", "stats"],
        &[("XHOST_CACHE_DIR", cache_b.path().to_str().unwrap())],
    );
    stats.assert_ok();
    assert!(
        stats
            .stdout
            .contains("9 hits (0 local, 9 remote), 0 misses; 0 entries written"),
        "{}",
        stats.stdout
    );

    // Kept locally: B's next build needs no server at all.
    let again = build(&b, "http://127.0.0.1:9/", Some(cache_b.path()), &[]);
    again.assert_ok();
    assert!(
        again.stderr.contains("(action cache: 9 hits, 0 misses)"),
        "{}",
        again.stderr
    );
    let stats = b.xhost_with(
        &["cache", "stats"],
        &[("XHOST_CACHE_DIR", cache_b.path().to_str().unwrap())],
    );
    assert!(
        stats.stdout.contains("18 hits (9 local, 9 remote)"),
        "{}",
        stats.stdout
    );
}

/// The server's copy of the description of the plugin named `name`, and its payload.
fn description_on(server: &CacheServer, name: &str) -> (std::path::PathBuf, Value) {
    (server.entries().into_iter())
        .find(|(_, p)| p["info"]["name"] == name)
        .unwrap_or_else(|| panic!("no description of {name} on the server"))
}

#[test]
fn a_description_its_plugin_does_not_give_stops_the_stage() {
    // A server this build does not require signatures from: a description read from it
    // shapes the plan, and the plugin confirms it before its stage runs.
    let server = CacheServer::start();
    let a = machine_a("remote-description-a", &server);
    let (file, mut strip) = description_on(&server, "strip");
    assert_eq!(
        strip["info"]["consumes"],
        serde_json::json!(["binary"]),
        "{strip}"
    );
    // Stripping nothing: strip's stage would run over no inputs, its binaries unstripped.
    strip["info"]["consumes"] = serde_json::json!([]);
    support::write_entry(&file, &strip, None);

    let b = Project::from_example("remote-description-b/elsewhere", "hello-go");
    let cache_b = tempfile::tempdir().unwrap();
    let run = build(&b, &server.url, Some(cache_b.path()), &[]);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("stage `strip`")
            && run.stderr.contains("describes itself differently")
            && run.stderr.contains("the remote cache may be poisoned"),
        "{}",
        run.stderr
    );
    assert!(!b.dist().exists(), "a release was published");

    // What the plugin said is kept: the next build plans with it and builds A's release.
    let again = build(&b, &server.url, Some(cache_b.path()), &[]);
    again.assert_ok();
    assert_eq!(release_snapshot(&b.dist()), release_snapshot(&a.dist()));
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &b.dist());
}

#[test]
fn a_read_only_build_uploads_nothing() {
    let server = CacheServer::start();
    let project = Project::from_example("remote-read-only", "hello-go");
    let run = build(
        &project,
        &server.url,
        None,
        &["--no-cache", "--remote-cache-read-only"],
    );
    run.assert_ok();
    assert!(
        server.entries().is_empty(),
        "a read-only build wrote entries"
    );
    assert!(files(&server.data().join("cas")).is_empty());
    assert_eq!(manifest(&project)["cache"]["remote"]["read_only"], true);
}

#[test]
fn bad_blobs_and_misplaced_entries_are_refused_and_the_stage_runs_here() {
    let server = CacheServer::start();
    let a = machine_a("remote-poison-a", &server);
    let made = release_snapshot(&a.dist());
    // The linux binary's blob replaced by other bytes of the same size; the wasm
    // binary's by its bytes and more.
    let (_, linux) = server.entry("compile", "linux/amd64");
    let blob = server
        .data()
        .join("cas")
        .join(linux["outputs"][0]["sha256"].as_str().unwrap());
    let size = std::fs::metadata(&blob).unwrap().len() as usize;
    std::fs::write(&blob, vec![b'x'; size]).unwrap();
    let (_, wasm) = server.entry("compile", "wasip1/wasm");
    let blob = server
        .data()
        .join("cas")
        .join(wasm["outputs"][0]["sha256"].as_str().unwrap());
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes.extend_from_slice(b"trailing");
    std::fs::write(&blob, bytes).unwrap();
    // The linux archive's entry copied over the wasm SBOM's key.
    let (archive, _) = server.entry("archive", "linux/amd64");
    let (sbom, _) = server.entry("sbom", "wasip1/wasm");
    std::fs::copy(&archive, &sbom).unwrap();

    let b = Project::from_example("remote-poison-b", "hello-go");
    let cache_b = tempfile::tempdir().unwrap();
    let run = build(&b, &server.url, Some(cache_b.path()), &[]);
    run.assert_ok();
    for refused in [
        "refusing the entry for stage `compile` (linux/amd64)",
        "not the blob asked for",
        "refusing the entry for stage `compile` (wasip1/wasm)",
        "more than the",
        "refusing the entry for stage `sbom` (wasip1/wasm)",
        "the entry of another action",
    ] {
        assert!(run.stderr.contains(refused), "{refused}:\n{}", run.stderr);
    }
    // Those stages ran here; the release is the one A made, whole.
    assert_eq!(release_snapshot(&b.dist()), made);
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &b.dist());
}

#[test]
fn a_server_that_hangs_or_is_gone_leaves_a_local_build() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().take(64) {
            open.push(stream);
        }
    });
    let project = Project::from_example("remote-hangs", "hello-go");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        format!("{config}\n[remote_cache]\nurl = \"http://127.0.0.1:{port}/\"\ntimeout_secs = 2\n"),
    );
    let cache = tempfile::tempdir().unwrap();
    let args: Vec<&str> = [&["build", "."][..], &TARGETS[..]].concat();
    let started = std::time::Instant::now();
    let run = project.xhost_planned(
        &args,
        &[("XHOST_CACHE_DIR", cache.path().to_str().unwrap())],
    );
    run.assert_ok();
    assert!(
        run.stderr
            .contains("xhost: warning: remote cache http://127.0.0.1:")
            && run.stderr.contains("building without it"),
        "{}",
        run.stderr
    );
    // Dropped once, not waited on for every stage.
    assert_eq!(run.stderr.matches("building without it").count(), 1);
    eprintln!("with a hanging server: {:?}", started.elapsed());
    // The same silence where a REAPI server should be (HTTP/2 never starts), on the
    // way back: every stage runs, and the write-back gives up.
    let url = format!("grpc://127.0.0.1:{port}/main");
    let run = project.xhost_planned(
        &[&args[..], &["--no-cache", "--remote-cache", &url]].concat(),
        &[],
    );
    run.assert_ok();
    assert_eq!(
        run.stderr.matches("building without it").count(),
        1,
        "{}",
        run.stderr
    );
    drop(held);

    // A server that is not there at all.
    let gone = Project::from_example("remote-gone", "hello-go");
    // (Every stage runs: nothing to look up, all to write back.)
    let url = format!("http://127.0.0.1:{}/", free_port());
    let run = build(&gone, &url, None, &["--no-cache"]);
    run.assert_ok();
    assert!(run.stderr.contains("building without it"), "{}", run.stderr);
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &gone.dist(),
    );
}

#[test]
fn bad_remote_cache_settings_are_clear_errors() {
    let project = Project::from_example("remote-bad-url", "hello-go");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        format!("{config}\n[remote_cache]\nurl = \"grpc//cache\"\n"),
    );
    project.xhost(&["build", "."]).assert_fails_with(&[
        "xhost.toml",
        "[remote_cache] url",
        "not an http:// or https://",
    ]);
    assert!(!project.dist().exists());
    project.write("xhost.toml", &config);
    let run = project.xhost_with(&["build", "."], &[("XHOST_REMOTE_CACHE", "ftp://x")]);
    run.assert_fails_with(&["XHOST_REMOTE_CACHE: `ftp://x` is not an http://"]);
    assert!(!project.dist().exists());
    for (section, expect) in [
        (
            "trust = [\"nope.pub\"]",
            "[remote_cache] trust: no public key file at",
        ),
        (
            "sign = \"nokey\"",
            "[remote_cache] sign: no key `nokey` is defined; add [signing.keys.nokey]",
        ),
    ] {
        project.write(
            "xhost.toml",
            format!("{config}\n[remote_cache]\nurl = \"http://127.0.0.1:9/\"\n{section}\n"),
        );
        project
            .xhost(&["build", "."])
            .assert_fails_with(&["xhost.toml", expect]);
    }
    // A signing key that is defined but not on this machine (a pull request's build):
    // an error that says how to build without it, before any stage runs.
    let missing = tempfile::tempdir().unwrap();
    let key = missing.path().join("cache.pem");
    project.write(
        "xhost.toml",
        format!(
            "{config}\n[signing.keys.cache]\nfile = \"{}\"\n\n[remote_cache]\nurl = \"http://127.0.0.1:9/\"\nsign = \"cache\"\n",
            key.display()
        ),
    );
    project
        .xhost(&["build", "."])
        .assert_fails_with(&["[remote_cache] sign", "--remote-cache-read-only"]);
    assert!(!project.dist().exists());
}

#[test]
fn a_server_that_goes_down_mid_build_leaves_a_local_build() {
    let server = CacheServer::start_reapi();
    // One stage, whose program runs long enough to stop the server under it: its
    // lookup found the server up, its write-back finds it gone.
    let seconds = format!("2.{}", std::process::id() % 1000);
    let project = support::sleeper("remote-down-mid-build", &seconds);
    let marker = format!("sleep {seconds}");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xhost"));
    command
        .args(["build", ".", "--remote-cache", &server.url])
        .current_dir(&project.dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    support::user_env(&mut command);
    command.env(
        "XHOST_TEST_FRESH_ENVIRONMENT",
        format!("down-{}", std::process::id()),
    );
    let child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !running(&marker) {
        assert!(
            std::time::Instant::now() < deadline,
            "the program never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    server.stop();
    let run = support::Run::from(child.wait_with_output().unwrap());
    run.assert_ok();
    assert!(run.stderr.contains("building without it"), "{}", run.stderr);
    assert!(project.dist().join("sleeper_linux_amd64/result").is_file());
}

/// Whether a process whose command line holds `text` is running.
fn running(text: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        std::fs::read(entry.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(text))
    })
}

#[test]
fn credentials_come_from_the_environment_and_are_never_shown() {
    let users = tempfile::tempdir().unwrap();
    let htpasswd = users.path().join("htpasswd");
    run_tool(
        "htpasswd",
        &["-bcm", htpasswd.to_str().unwrap(), "ci", "cache-s3cret-7"],
        users.path(),
    );
    let server = CacheServer::start_for_users(&htpasswd);
    let login = [
        ("XHOST_REMOTE_CACHE_USERNAME", "ci"),
        ("XHOST_REMOTE_CACHE_PASSWORD", "cache-s3cret-7"),
    ];
    let a = Project::from_example("remote-login-a", "hello-go");
    let mut args = vec!["build", ".", "--no-cache", "--remote-cache", &server.url];
    args.extend(TARGETS);
    let run = a.xhost_planned(&args, &login);
    run.assert_ok();
    assert_eq!(manifest(&a)["cache"]["remote"]["uploaded"], 9);

    // Without them: refused by the server, said once, built here.
    let b = Project::from_example("remote-login-b", "hello-go");
    let cache = tempfile::tempdir().unwrap();
    let run = build(&b, &server.url, Some(cache.path()), &[]);
    run.assert_ok();
    assert!(
        run.stderr.contains("401 Unauthorized")
            && run.stderr.contains("set XHOST_REMOTE_CACHE_USERNAME"),
        "{}",
        run.stderr
    );
    // With them: every stage from the server, and the password nowhere.
    let c = Project::from_example("remote-login-c", "hello-go");
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = ("XHOST_CACHE_DIR", cache.path().to_str().unwrap());
    let mut args = vec!["build", ".", "--remote-cache", &server.url];
    args.extend(TARGETS);
    let run = c.xhost_planned(&args, &[login[0], login[1], cache_dir]);
    run.assert_ok();
    assert!(run.stderr.contains("9 hits (9 remote)"), "{}", run.stderr);
    let recorded = std::fs::read_to_string(c.dist().join("artifacts.json")).unwrap();
    for text in [&run.stdout, &run.stderr, &recorded] {
        assert!(!text.contains("cache-s3cret-7"));
    }

    // Refused before any work: credentials in the URL, two kinds at once, or in the
    // clear to another machine.
    let with_userinfo = server.url.replace("http://", "http://ci:cache-s3cret-7@");
    let run = c.xhost_with(
        &["build", ".", "--remote-cache", &with_userinfo],
        &[cache_dir],
    );
    run.assert_fails_with(&["holds credentials", "XHOST_REMOTE_CACHE_USERNAME"]);
    assert!(!run.stderr.contains("cache-s3cret-7"), "{}", run.stderr);
    let run = c.xhost_with(
        &["build", ".", "--remote-cache", &server.url],
        &[login[0], login[1], ("XHOST_REMOTE_CACHE_TOKEN", "t")],
    );
    run.assert_fails_with(&["one kind of credentials"]);
    let run = c.xhost_with(
        &["build", ".", "--remote-cache", "http://cache.example.com/"],
        &login,
    );
    run.assert_fails_with(&["in the clear", "use https:// or grpcs://"]);
}

/// Gives `project` (whose xhost.toml was `config`) the test CA made in `secrets` as its
/// remote cache's `ca_file`.
fn trust_ca(project: &Project, secrets: &Path, config: &str) {
    std::fs::copy(secrets.join("ca.pem"), project.path("cache-ca.pem")).unwrap();
    project.write(
        "xhost.toml",
        format!("{config}\n[remote_cache]\nca_file = \"cache-ca.pem\"\n"),
    );
}

#[test]
fn over_grpcs_with_the_projects_ca() {
    let secrets = tempfile::tempdir().unwrap();
    support::test_ca(secrets.path());
    let server = CacheServer::start_reapi_tls(secrets.path());
    let project = Project::from_example("remote-grpcs", "hello-go");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let run = build(&project, &server.url, None, &["--no-cache"]);
    run.assert_ok();
    assert!(
        run.stderr.contains("UnknownIssuer") && run.stderr.contains("[remote_cache] ca_file"),
        "{}",
        run.stderr
    );
    trust_ca(&project, secrets.path(), &config);
    build(&project, &server.url, None, &["--no-cache"]).assert_ok();
    assert_eq!(manifest(&project)["cache"]["remote"]["uploaded"], 9);
    // Another machine reads it all back over TLS.
    let other = Project::from_example("remote-grpcs-b/elsewhere", "hello-go");
    trust_ca(&other, secrets.path(), &config);
    let cache = tempfile::tempdir().unwrap();
    let run = build(&other, &server.url, Some(cache.path()), &[]);
    run.assert_ok();
    assert!(
        run.stderr
            .contains("(action cache: 9 hits (9 remote), 0 misses)"),
        "{}",
        run.stderr
    );
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &other.dist(),
    );
}

#[test]
fn over_https_with_the_projects_ca() {
    let secrets = tempfile::tempdir().unwrap();
    support::test_ca(secrets.path());
    let htpasswd = secrets.path().join("htpasswd");
    run_tool(
        "htpasswd",
        &["-bcm", htpasswd.to_str().unwrap(), "ci", "tls-s3cret"],
        secrets.path(),
    );
    let server = CacheServer::start_tls(secrets.path(), &htpasswd);
    let login = [
        ("XHOST_REMOTE_CACHE_USERNAME", "ci"),
        ("XHOST_REMOTE_CACHE_PASSWORD", "tls-s3cret"),
    ];
    let project = Project::from_example("remote-tls", "hello-go");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let mut args = vec!["build", ".", "--no-cache", "--remote-cache", &server.url];
    args.extend(TARGETS);
    // Without the CA the certificate is not trusted: one warning saying what to do.
    let run = project.xhost_planned(&args, &login);
    run.assert_ok();
    assert!(
        run.stderr.contains("[remote_cache] ca_file") && run.stderr.contains("building without it"),
        "{}",
        run.stderr
    );
    trust_ca(&project, secrets.path(), &config);
    let run = project.xhost_planned(&args, &login);
    run.assert_ok();
    assert_eq!(
        manifest(&project)["cache"]["remote"]["uploaded"],
        9,
        "{}",
        run.stderr
    );
    // What went over TLS is on the server, byte for byte.
    assert!(server.check_blobs() >= 9);
}
