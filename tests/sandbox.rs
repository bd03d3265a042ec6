//! The sandbox, attacked by purpose-built plugins. Each attack must end in a clear
//! error from a host that carries on, with the previous `dist/` untouched.
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
        &format!("{plugin}-{action}"),
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
fn reading_outside_the_mounts_is_blocked() {
    attack(
        "probe",
        "read-passwd",
        "",
        &["blocked: reading /etc/passwd"],
    );
    attack(
        "probe",
        "read-parent",
        "",
        &["blocked: reading /in/../../etc/passwd"],
    );
    // No `source` grant: /src does not exist for this plugin.
    attack("probe", "read-src", "", &["blocked: reading /src/go.mod"]);
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
fn sockets_and_name_lookup_are_blocked() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    attack_with(
        "probe",
        "socket",
        "",
        &format!("port = {port}"),
        &["blocked:", "access-denied"],
    );
    assert!(
        listener.accept().is_err(),
        "the plugin reached the listener"
    );
    attack(
        "probe",
        "name-lookup",
        "",
        &["blocked: resolving localhost"],
    );
}

#[test]
fn no_environment_arguments_or_stdin() {
    attack(
        "probe",
        "env-args",
        "",
        &["blocked: environment, arguments and stdin: all empty"],
    );
}

#[test]
fn an_endless_loop_is_stopped_by_the_deadline() {
    attack(
        "probe",
        "endless-loop",
        "limits = { time_secs = 1 }",
        &[
            "stage `probe`",
            "ran longer than its time limit of 1 s",
            "limits.time_secs",
        ],
    );
}

#[test]
fn allocating_past_the_memory_limit_is_stopped() {
    attack(
        "probe",
        "memory-bomb",
        "limits = { memory_mib = 64 }",
        &["over its limit of 64 MiB", "limits.memory_mib"],
    );
}

#[test]
fn artifacts_must_be_files_under_out() {
    attack(
        "probe",
        "artifact-outside",
        "",
        &["`/etc/passwd`, which is not under /out"],
    );
    attack(
        "probe",
        "artifact-parent",
        "",
        &["`/out/../in/x` is not a plain relative path under /out"],
    );
    let stderr = attack("probe", "symlink-out", "", &["/out/passwd"]);
    assert!(!stderr.contains("root:x:0:0"), "{stderr}");
}

#[test]
fn a_panicking_plugin_is_reported_with_its_output() {
    attack(
        "probe",
        "panic",
        "",
        &["the plugin crashed", "the probe was told to panic"],
    );
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
fn exec_refuses_ungranted_programs_escaping_paths_and_bad_variables() {
    let grant = "grants = { exec = [\"sh\"], source = true }";
    attack(
        "exec-probe",
        "ungranted",
        grant,
        &["blocked: running curl: not-granted", "grants.exec"],
    );
    attack(
        "exec-probe",
        "path-program",
        grant,
        &["blocked: running /bin/sh by path: not-granted"],
    );
    attack(
        "exec-probe",
        "output-escape",
        grant,
        &["bad-argument: path `../../escape` leaves /out"],
    );
    attack(
        "exec-probe",
        "output-absolute",
        grant,
        &["bad-argument: path `/tmp/escape` is not under /out"],
    );
    attack(
        "exec-probe",
        "text-path",
        grant,
        &["bad-argument: text argument `/etc/passwd` holds an absolute path"],
    );
    attack(
        "exec-probe",
        "text-flag-path",
        grant,
        &["bad-argument: text argument `-o=/tmp/x`"],
    );
    attack(
        "exec-probe",
        "source-escape",
        grant,
        &["bad-argument: path `../../etc/passwd` leaves /src"],
    );
    attack(
        "exec-probe",
        "env-ld-preload",
        grant,
        &["env-denied: environment variable `LD_PRELOAD` may not be set"],
    );
    attack(
        "exec-probe",
        "env-path",
        grant,
        &["env-denied: environment variable `PATH` may not be set"],
    );
    attack(
        "exec-probe",
        "env-goflags",
        grant,
        &["env-denied: GOFLAGS entry `-toolexec=evil` is not allowed"],
    );
    attack(
        "exec-probe",
        "timeout",
        &format!("{grant}\nlimits = {{ exec_time_secs = 1 }}"),
        &["timed-out: `sh` ran longer than 1 s and was killed"],
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
    let cache = support::cache_dir()
        .canonicalize()
        .unwrap_or(support::cache_dir());
    let get = |name: &str| {
        vars.iter()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} not set:\n{env}"))
    };
    assert!(
        Path::new(get("HOME")).starts_with(&cache),
        "HOME outside the cache: {env}"
    );
    assert!(
        get("TMPDIR").contains("/work/"),
        "TMPDIR is not the invocation's: {env}"
    );
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
        Path::new(cwd),
        project.dir.canonicalize().unwrap(),
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
            store: &store,
            work: work.path(),
            tool_state: work.path().join("tools"),
            reporter: reporter.clone(),
            jobs: 1,
            seed: Vec::new(),
        }
        .run();
        outcomes.push((
            action,
            result
                .map(|records| records.len())
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
