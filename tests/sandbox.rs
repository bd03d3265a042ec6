//! The sandbox's behaviour beyond the attack table of `hostile.rs`: what granted
//! programs get, the `net` grant, refusing to run programs unconfined, and a host that
//! carries on after every kind of plugin failure.
//!
//! The probe plugins report `blocked: …` when refused and `ESCAPED: …` when not, so a
//! hole can never pass for a refusal.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use support::{Project, sha256, snapshot, test_plugin};

/// A project running `plugin` (copied in and pinned) as its only stage, for linux/amd64.
fn project_with(name: &str, plugin: &str, stage_extra: &str) -> Project {
    let project = Project::new(name);
    let wasm = test_plugin(plugin);
    std::fs::copy(&wasm, project.path(&format!("{plugin}.wasm"))).unwrap();
    project.write("go.mod", "module example.com/victim\n\ngo 1.21\n");
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"victim\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n\
             [[stage]]\nname = \"probe\"\nplugin = \"{plugin}.wasm\"\nsha256 = \"{}\"\n{stage_extra}\n",
            sha256(&wasm)
        ),
    );
    project
}

/// Runs one probe `action` and checks the standard promises; returns stderr.
fn attack(plugin: &str, action: &str, stage_extra: &str, expected: &[&str]) -> String {
    attack_with(plugin, action, stage_extra, "", expected)
}

/// [`attack`] with extra lines for the stage's `config` table.
fn attack_with(
    plugin: &str,
    action: &str,
    stage_extra: &str,
    config_extra: &str,
    expected: &[&str],
) -> String {
    let project = project_with(
        &format!("attack-{plugin}-{action}"),
        plugin,
        &format!("{stage_extra}\n[stage.config]\naction = \"{action}\"\n{config_extra}\n"),
    );
    let before = project.seed_dist();
    let run = project.xhost(&["build", "."]);
    run.assert_fails_with(expected);
    assert!(
        !run.stderr.contains("ESCAPED"),
        "{action}: the sandbox let it through:\n{}",
        run.stderr
    );
    assert_eq!(
        snapshot(&project.dist()),
        before,
        "{action}: the previous dist/ changed"
    );
    run.stderr
}

#[test]
fn writing_into_the_inputs_is_blocked() {
    let project = project_with(
        "probe-write-in",
        "probe",
        "[stage.config]\naction = \"ok\"\n",
    );
    // A second stage consumes the first one's output and tries to change it.
    let toml = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let pin = toml
        .lines()
        .find(|l| l.starts_with("sha256"))
        .unwrap()
        .to_string();
    project.write(
        "xhost.toml",
        format!(
            "{toml}\n[[stage]]\nname = \"tamper\"\nplugin = \"probe.wasm\"\n{pin}\n[stage.config]\naction = \"write-in\"\n"
        ),
    );
    let before = project.seed_dist();
    let run = project.xhost(&["build", "."]);
    run.assert_fails_with(&["stage `tamper`", "blocked: writing into /in"]);
    assert!(!run.stderr.contains("ESCAPED"), "{}", run.stderr);
    assert_eq!(snapshot(&project.dist()), before);
}

#[test]
fn logs_are_sanitised_and_capped() {
    let stderr = attack("probe", "log-escapes", "", &["logged escapes and a flood"]);
    assert!(
        !stderr.contains('\u{1b}'),
        "a terminal escape got through:\n{stderr:?}"
    );
    assert!(stderr.contains("cleared screen"));
    assert!(
        stderr.contains("(ci command neutralised) ::add-mask::secret-value"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(ci command neutralised) ::set-env"),
        "{stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.trim_start().starts_with("::")),
        "a CI workflow command reached the output:\n{stderr}"
    );
    assert!(stderr.contains("more log lines dropped"), "{stderr}");
}

#[test]
fn importing_exec_without_a_grant_is_refused_before_running() {
    attack(
        "exec-probe",
        "env",
        "",
        &[
            "imports `xhost:plugin/exec`",
            "grants none",
            "grants = { exec = [\"go\"] }",
        ],
    );
}

#[test]
fn exec_runs_granted_programs_with_a_clean_private_environment() {
    let project = project_with(
        "exec-probe-env",
        "exec-probe",
        "grants = { exec = [\"sh\"], source = true }\n[stage.config]\naction = \"env\"\n",
    );
    let run = project.xhost(&["build", "."]);
    run.assert_ok();
    let env = std::fs::read_to_string(project.dist().join("victim_linux_amd64/env.txt")).unwrap();
    let vars: Vec<&str> = env.lines().filter(|l| l.contains('=')).collect();
    let get = |name: &str| {
        vars.iter()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} not set:\n{env}"))
    };
    // Its private directories and the project at fixed places, whichever checkout and
    // cache they are: the invocation's temporary directory, the tool's home.
    assert_eq!(get("HOME"), "/xhost/home", "{env}");
    assert_eq!(get("TMPDIR"), "/xhost/tmp", "{env}");
    // A system program stays where it is on every machine.
    assert_eq!(
        get("PATH"),
        Path::new("/bin/sh")
            .canonicalize()
            .unwrap()
            .parent()
            .unwrap()
            .to_str()
            .unwrap()
    );
    let cwd = env.lines().last().unwrap();
    assert_eq!(
        cwd, "/xhost/src",
        "working directory is not the source tree"
    );
    for inherited in ["XHOST_CACHE_DIR", "CARGO", "RUST_", "USER="] {
        assert!(
            !env.contains(inherited),
            "{inherited} leaked into the tool's environment:\n{env}"
        );
    }
}

/// One runtime survives plugins that loop, blow memory, panic and fail, and then runs
/// a good plugin: a trap is the plugin's problem, never the host's.
#[test]
fn the_host_carries_on_after_every_kind_of_failure() {
    use xhost::config::{self, Overrides};
    use xhost::pipeline::Pipeline;
    use xhost::report::PlainReporter;

    let runtime = xhost::runtime::Runtime::new().unwrap();
    let reporter: Arc<dyn xhost::report::Reporter> =
        Arc::new(PlainReporter::new(xhost::report::Level::Error));
    let mut outcomes = Vec::new();
    for (action, limits) in [
        ("endless-loop", "limits = { time_secs = 1 }"),
        ("memory-bomb", "limits = { memory_mib = 32 }"),
        ("panic", ""),
        ("fail", ""),
        ("artifact-outside", ""),
        ("ok", ""),
    ] {
        let project = project_with(
            &format!("carry-on-{action}"),
            "probe",
            &format!("{limits}\n[stage.config]\naction = \"{action}\"\n"),
        );
        let config = config::load(&project.dir, &Overrides::default()).unwrap();
        let plan = xhost::plan::plan(config, &runtime, reporter.clone()).unwrap();
        let work = tempfile::tempdir().unwrap();
        let store = xhost::artifacts::Store::open(work.path().join("store")).unwrap();
        let result = Pipeline {
            plan: &plan,
            targets: &plan.config.targets,
            given: None,
            store: &store,
            work: work.path(),
            tools: xhost::cache_layout::ToolCaches::own(work.path().join("tools")),
            reporter: reporter.clone(),
            jobs: 1,
            seed: Vec::new(),
            shared: Vec::new(),
            cache: None,
            remote_exec: None,
            modules: None,
            lane_times: None,
        }
        .run();
        outcomes.push((
            action,
            result
                .map(|release| release.records.len())
                .map_err(|e| format!("{e:#}")),
        ));
    }
    for (action, outcome) in &outcomes[..5] {
        let error = outcome.as_ref().expect_err(action);
        assert!(error.contains("stage `probe`"), "{action}: {error}");
    }
    assert_eq!(
        outcomes[5].1,
        Ok(1),
        "a good plugin failed after the bad ones: {outcomes:?}"
    );
}

#[test]
fn granting_net_lets_programs_reach_the_network() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let project = project_with(
        "exec-probe-net",
        "exec-probe",
        &format!(
            "grants = {{ exec = [\"sh\"], source = true, net = true }}\n[stage.config]\n\
             action = \"script-returns\"\n\
             script = \"bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' && echo connected > $1\"\n\
             returns = [\"result\"]\n"
        ),
    );
    project.xhost(&["build", "."]).assert_ok();
    listener.set_nonblocking(true).unwrap();
    assert!(
        listener.accept().is_ok(),
        "the program did not reach the listener"
    );
    let result = std::fs::read_to_string(project.dist().join("victim_linux_amd64/result")).unwrap();
    assert_eq!(result, "connected\n");
    // What a program fetched is not in any action key: such a stage is never reused.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap())
            .unwrap();
    let probe = &manifest["cache"]["stages"][0];
    assert_eq!(probe["result"], "uncached", "{manifest}");
    assert_eq!(probe["why"], "granted the network", "{manifest}");
}

/// Runs `xhost ARGS` in a user namespace where no further namespaces may be created,
/// standing in for a kernel without them.
fn xhost_without_namespaces(project: &Project, args: &[&str]) -> support::Run {
    let mut command = std::process::Command::new("unshare");
    command
        .args(["--user", "--map-root-user", "sh", "-c"])
        .arg(
            "for n in user pid mnt net ipc; do echo 0 > /proc/sys/user/max_${n}_namespaces; done; exec \"$0\" \"$@\"",
        )
        .arg(env!("CARGO_BIN_EXE_xhost"))
        .args(args)
        .current_dir(&project.dir);
    support::user_env(&mut command);
    support::Run::from(command.output().unwrap())
}

#[test]
fn without_a_tool_sandbox_programs_are_refused_unless_allowed() {
    let project = project_with(
        "exec-probe-unconfined",
        "exec-probe",
        "grants = { exec = [\"sh\"], source = true }\n[stage.config]\naction = \"env\"\n",
    );
    let before = project.seed_dist();
    let refused = xhost_without_namespaces(&project, &["build", "."]);
    refused.assert_fails_with(&[
        "stage `probe` runs native programs (sh), which xhost will not run unconfined",
        "cannot create mount/PID/IPC/UTS/cgroup/network namespaces",
        "--allow-unsandboxed-tools",
    ]);
    assert_eq!(
        snapshot(&project.dist()),
        before,
        "the previous dist/ changed"
    );

    let allowed = xhost_without_namespaces(&project, &["build", ".", "--allow-unsandboxed-tools"]);
    allowed.assert_ok();
    assert!(
        allowed.stderr.contains("NATIVE PROGRAMS RUN UNCONFINED"),
        "{}",
        allowed.stderr
    );
    assert_eq!(unsandboxed_mark(&project), serde_json::Value::Bool(true));

    project.xhost(&["build", "."]).assert_ok();
    assert_eq!(unsandboxed_mark(&project), serde_json::Value::Bool(false));
}

fn unsandboxed_mark(project: &Project) -> serde_json::Value {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap())
            .unwrap();
    manifest["xhost"]["unsandboxed_tools"].clone()
}

/// The probe checks from inside the sandbox that it holds (PID 1, not root, no
/// `/etc/passwd`, no network). As root the tests also run it as an unprivileged user,
/// which takes the user-namespace path.
#[test]
fn the_sandbox_probe_passes_for_root_and_unprivileged_users() {
    let xhost = env!("CARGO_BIN_EXE_xhost");
    let probe = |command: &mut std::process::Command| {
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "probe failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    probe(std::process::Command::new(xhost).args(["__sandbox-exec", "--probe"]));
    if rustix::process::geteuid().is_root() {
        probe(std::process::Command::new("setpriv").args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            xhost,
            "__sandbox-exec",
            "--probe",
        ]));
    }
}

/// What xhost's parent left open is not passed on to the programs xhost starts itself:
/// `git` (reading the commit) sees only stdin, stdout and stderr, though xhost was
/// started with descriptor 7 open on a file.
#[test]
fn xhost_passes_no_inherited_descriptor_to_its_own_children() {
    let project = project_with("fd-hygiene", "probe", "");
    let fake = project.path("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    let record = project.path("git-saw.txt");
    let real_git = String::from_utf8(
        std::process::Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::write(
        fake.join("git"),
        format!(
            "#!/bin/sh\nls /proc/self/fd > {}\nexec {} \"$@\"\n",
            record.display(),
            real_git.trim()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(fake.join("git"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        fake.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = project.xhost_via(
        &[
            "bash".into(),
            "-c".into(),
            "exec 7<\"$0\"; exec \"$@\"".into(),
            project.path("go.mod").display().to_string(),
        ],
        &["check", "."],
        &[("PATH", &path)],
    );
    run.assert_ok();
    let seen = std::fs::read_to_string(&record).expect("xhost did not run git");
    let fds: Vec<&str> = seen.split_whitespace().collect();
    // 0–2, and the directory `ls` itself opened to list them.
    assert_eq!(fds, ["0", "1", "2", "3"], "git saw descriptors {fds:?}");
}

#[test]
fn net_as_a_list_of_hosts_reaches_those_only() {
    let allowed = TcpListener::bind("127.0.0.1:0").unwrap();
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    other.set_nonblocking(true).unwrap();
    let (port, other_port) = (
        allowed.local_addr().unwrap().port(),
        other.local_addr().unwrap().port(),
    );
    // Answers one line with another, as a server the stage is allowed to reach.
    let server = std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        let (stream, _) = allowed.accept().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(&stream)
            .read_line(&mut line)
            .unwrap();
        (&stream)
            .write_all(format!("pong to {line}").as_bytes())
            .unwrap();
    });
    let script = format!(
        r#"bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}; echo ping >&3; read line <&3; echo "$line" > "$0"; (exec 4<>/dev/tcp/127.0.0.1/{other_port}) 2>> "$0" || echo refused >> "$0"' "$1""#
    );
    let project = project_with(
        "exec-probe-net-hosts",
        "exec-probe",
        &format!(
            "grants = {{ exec = [\"sh\"], source = true, net = [\"127.0.0.1:{port}\"] }}\n[stage.config]\n\
             action = \"script-returns\"\nscript = '''{script}'''\nreturns = [\"result\"]\n"
        ),
    );
    project.xhost(&["build", "."]).assert_ok();
    server.join().unwrap();
    let result = std::fs::read_to_string(project.dist().join("victim_linux_amd64/result")).unwrap();
    assert!(result.starts_with("pong to ping\n"), "{result}");
    assert!(result.ends_with("refused\n"), "{result}");
    assert!(other.accept().is_err(), "the other port was reached");
    let check = project.xhost(&["check", "."]);
    assert!(
        check
            .stdout
            .contains(&format!("net 127.0.0.1:{port} (relayed by xhost)")),
        "{}",
        check.stdout
    );
}
