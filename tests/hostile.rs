//! The hostile-plugin suite: purpose-built plugins (`probe` in the least privileged
//! world, `exec-probe` running granted programs) attack the host, one attack per
//! project. Every attack must end blocked, with a clear error from a host that carries
//! on, nothing written outside the invocation's `/out`, and the previous `dist/`
//! intact. The suite prints its table (attack, layer, expected, observed) and writes it
//! to `target/hostile-report.md`; `docs/SECURITY.md` lists the same attacks.
//!
//! The probes report `blocked: …` when refused and `ESCAPED: …` when not, so a hole
//! can never pass for a refusal.

#[path = "hostile/attacks.rs"]
mod attacks;
#[path = "hostile/cache_poisoning.rs"]
mod cache_poisoning;
#[path = "hostile/partials.rs"]
mod partials;
#[path = "hostile/registries.rs"]
mod registries;
#[path = "hostile/remote_exec.rs"]
mod remote_exec;
mod support;
#[path = "hostile/tampering.rs"]
mod tampering;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use attacks::{Attack, Launch, attacks};
use support::{Project, Run, sha256, snapshot, test_plugin};
use tampering::tamperings;

/// Characters that display as something else: bidi controls, zero-width and other
/// format characters, line and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{feff}')
}

/// A secret in the environment of every attacked `xhost`; no plugin or program may see it.
const CANARY: &str = "xhost-canary-7f3a91";
/// Attacks run at once (each is a separate `xhost` process).
const WORKERS: usize = 3;

/// What an attack left behind.
struct Row {
    name: &'static str,
    layer: &'static str,
    expected: String,
    observed: String,
    failures: Vec<String>,
}

struct Scene {
    home: PathBuf,
    other: PathBuf,
    /// The tool caches shared between projects (`Launch::SharedToolCaches`), and a
    /// secret in another program's home there.
    shared_tools: PathBuf,
    shared_other: PathBuf,
    port: u16,
    outside_root: PathBuf,
    /// A file holding the canary, outside every project.
    secret: PathBuf,
    /// A P-256 signing key outside every project.
    key: PathBuf,
    /// A directory outside every project that stages may be granted (`grants.paths`),
    /// holding `lib.txt` and `escape`, a link to the secret.
    granted: PathBuf,
    /// The machine's host name, and the longest cgroup path xhost itself is in.
    hostname: String,
    cgroup: String,
}

#[test]
fn every_attack_is_blocked() {
    let scene = scene();
    let listener = TcpListener::bind(("127.0.0.1", scene.port)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let attacks = attacks();
    assert!(
        attacks.len() >= 25,
        "the suite must hold at least 25 attacks"
    );
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                while let Some(attack) = attacks.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let row = run_attack(attack, &scene);
                    rows.lock().unwrap().insert(attack.name, row);
                }
            });
        }
    });
    assert!(
        listener.accept().is_err(),
        "something reached the test's listener"
    );
    let rows = rows.into_inner().unwrap();
    let ordered: Vec<&Row> = attacks.iter().map(|a| &rows[a.name]).collect();
    report(
        &ordered,
        1,
        "hostile-report.md",
        "attacks not blocked as expected",
    );
}

/// Prints the table of `rows` (numbered from `first`), writes it to `target/<file>`,
/// and fails listing every row that did not end as expected.
fn report(rows: &[&Row], first: usize, file: &str, failure: &str) {
    let table = render(rows, first);
    println!("{table}");
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("..").join(file),
        &table,
    )
    .unwrap();
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| format!("{}:\n  {}", r.name, r.failures.join("\n  ")))
        .collect();
    assert!(failed.is_empty(), "{failure}:\n{}", failed.join("\n"));
}

#[test]
fn the_security_doc_lists_every_attack() {
    let doc = std::fs::read_to_string(support::workspace().join("docs/SECURITY.md")).unwrap();
    let missing: Vec<&str> = attacks()
        .iter()
        .map(|a| a.name)
        .chain(tamperings().iter().map(|t| t.name))
        .chain(cache_poisoning::poisonings().iter().map(|p| p.name))
        .chain(remote_exec::worker_attacks().iter().map(|a| a.name))
        .chain(partials::partial_attacks().iter().map(|a| a.name))
        .chain(registries::registry_attacks().iter().map(|a| a.name))
        .filter(|name| !doc.contains(name))
        .collect();
    assert!(missing.is_empty(), "docs/SECURITY.md lacks: {missing:#?}");
}

#[test]
fn every_release_tampering_is_caught() {
    tampering::check_every_tampering(attacks::attacks().len() + 1);
}

#[test]
fn every_remote_cache_poisoning_is_refused() {
    cache_poisoning::check_every_poisoning(attacks().len() + tamperings().len() + 1);
}

#[test]
fn every_crafted_action_is_refused_by_the_worker() {
    remote_exec::check_every_worker_attack(
        attacks().len() + tamperings().len() + cache_poisoning::poisonings().len() + 1,
    );
}

#[test]
fn every_doctored_partial_is_refused_by_the_merge() {
    partials::check_every_partial_attack(
        attacks().len()
            + tamperings().len()
            + cache_poisoning::poisonings().len()
            + remote_exec::worker_attacks().len()
            + 1,
    );
}

#[test]
fn every_lying_registry_and_untrusted_publisher_is_refused() {
    registries::check_every_registry_attack(
        attacks().len()
            + tamperings().len()
            + cache_poisoning::poisonings().len()
            + remote_exec::worker_attacks().len()
            + partials::partial_attacks().len()
            + 1,
    );
}

/// `user:` and the canary in base64, as docker's config.json keeps a login.
fn base64_user_canary() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("user:{CANARY}"))
}

/// Secrets planted where attacks look for them.
fn scene() -> Scene {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    let _ = std::fs::remove_dir_all(&root);
    let home = root.join("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_ed25519"), CANARY).unwrap();
    // Registry credentials as `docker login` keeps them (user:canary, base64).
    std::fs::create_dir_all(home.join(".docker")).unwrap();
    let auth = base64_user_canary();
    std::fs::write(
        home.join(".docker/config.json"),
        format!("{{\"auths\":{{\"registry.example.com\":{{\"auth\":\"{auth}\"}}}}}}"),
    )
    .unwrap();
    // Another project's tool cache, in the cache every test shares.
    let other = xhost::cache_layout::CacheLayout::at(support::cache_dir())
        .projects()
        .join("0000000000000000/tools/sh/home/secret");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(&other, CANARY).unwrap();
    let shared_tools = root.join("shared-tools");
    let shared_other = shared_tools.join("go/home/secret");
    std::fs::create_dir_all(shared_other.parent().unwrap()).unwrap();
    std::fs::write(&shared_other, CANARY).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let outside_root = root.join("outside");
    std::fs::create_dir_all(&outside_root).unwrap();
    let secret = root.join("secret.txt");
    std::fs::write(&secret, format!("{CANARY}\n")).unwrap();
    let key = root.join("release.pem");
    support::run_script(
        &root,
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out release.pem 2>/dev/null",
    );
    let granted = root.join("granted");
    std::fs::create_dir_all(&granted).unwrap();
    std::fs::write(granted.join("lib.txt"), "a library\n").unwrap();
    std::os::unix::fs::symlink(&secret, granted.join("escape")).unwrap();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    // Where the machine shows none (every cgroup at `/`), a path nobody is in.
    let cgroup = std::fs::read_to_string("/proc/self/cgroup")
        .unwrap()
        .lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .max_by_key(|path| path.len())
        .filter(|path| path.len() > 1)
        .unwrap_or("/xhost-no-such-cgroup")
        .to_string();
    Scene {
        home,
        other,
        shared_tools,
        shared_other,
        port,
        outside_root,
        secret,
        key,
        granted,
        hostname,
        cgroup,
    }
}

/// Starts `xhost` in a session keyring holding `xhost-test-key` (the canary), as a
/// CI agent keeping credentials in the kernel keyring would.
const IN_SESSION_KEYRING: &str = r#"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
if libc.syscall(250, 1, b"xhost-hostile") < 0:  # KEYCTL_JOIN_SESSION_KEYRING
    sys.exit("joining a session keyring: " + os.strerror(ctypes.get_errno()))
secret = os.environ["XHOST_TEST_CANARY"].encode()
if libc.syscall(248, b"user", b"xhost-test-key", secret, len(secret), -3) < 0:  # add_key to @s
    sys.exit("adding the key: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
"#;

/// Starts `xhost` with SIGHUP and SIGUSR1 ignored and SIGUSR2 blocked.
const WITH_SIGNALS_IGNORED: &str = r#"
import os, signal, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
os.execvp(sys.argv[1], sys.argv[1:])
"#;

/// The program (and arguments) xhost is started through, for `launch`.
fn wrapper(launch: Launch, scene: &Scene) -> Vec<String> {
    let secret = scene.secret.display().to_string();
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
    match launch {
        Launch::Plain => strings(&["env"]),
        Launch::Descriptor => strings(&["bash", "-c", "exec 7<\"$0\"; exec \"$@\"", &secret]),
        Launch::SessionKey => strings(&["python3", "-c", IN_SESSION_KEYRING]),
        Launch::Stdin => strings(&["bash", "-c", "exec \"$@\" < \"$0\"", &secret]),
        // `script` gives xhost a pseudo-terminal; stdout and stderr both go through it.
        Launch::Terminal => strings(&[
            "bash",
            "-c",
            "exec script -qefc \"$(printf '%q ' \"$@\")\" /dev/null",
            "terminal",
        ]),
        Launch::Signals => strings(&["python3", "-c", WITH_SIGNALS_IGNORED]),
        Launch::Umask => strings(&["bash", "-c", "umask 000; exec \"$@\"", "umask"]),
        Launch::GithubActions => strings(&["env", "-u", "XHOST_PLAIN", "GITHUB_ACTIONS=true"]),
        Launch::SharedToolCaches => vec![
            "env".to_string(),
            format!(
                "{}={}",
                xhost::cache_layout::SHARED_TOOL_CACHES,
                scene.shared_tools.display()
            ),
        ],
    }
}

fn run_attack(attack: &Attack, scene: &Scene) -> Row {
    let slug: String = attack
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let project = Project::new(&format!("hostile-{}", &slug[..slug.len().min(60)]));
    let outside = scene.outside_root.join(&slug);
    let config = attack
        .config
        .replace("{hostname}", &scene.hostname)
        .replace("{cgroup}", &scene.cgroup)
        .replace("{home}", &scene.home.display().to_string())
        .replace("{other}", &scene.other.display().to_string())
        .replace("{shared_other}", &scene.shared_other.display().to_string())
        // Where a confined program sees the project, and where it really is.
        .replace("{src}", "/xhost/src")
        .replace("{checkout}", &project.dir.display().to_string())
        .replace("{port}", &scene.port.to_string())
        .replace("{outside}", &outside.display().to_string())
        .replace("{granted}", &scene.granted.display().to_string())
        // A pattern matching the canary without containing it, as the command line
        // is logged.
        .replace(
            "{canary_pattern}",
            &format!(
                "{}[{}]",
                &CANARY[..CANARY.len() - 1],
                &CANARY[CANARY.len() - 1..]
            ),
        );
    write_project(&project, attack, &config, scene);
    if let Some(prepare) = attack.prepare {
        prepare(&project, &outside);
    }
    let source_before = source_snapshot(&project);
    let dist_before = project.seed_dist();
    let rustup_home = std::env::var_os("RUSTUP_HOME").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".rustup"),
        PathBuf::from,
    );
    let mut run = project.xhost_via(
        &wrapper(attack.launch, scene),
        &["build", "."],
        &[
            ("HOME", scene.home.to_str().unwrap()),
            // The user's Rust toolchains stay where rustup put them.
            ("RUSTUP_HOME", rustup_home.to_str().unwrap()),
            ("XHOST_TEST_CANARY", CANARY),
            ("XHOST_REGISTRY_USERNAME", "user"),
            ("XHOST_REGISTRY_PASSWORD", CANARY),
            ("XHOST_REMOTE_CACHE_TOKEN", CANARY),
            // Plain lines even on a terminal, so the output can be read back.
            ("XHOST_PLAIN", "1"),
        ],
    );
    if attack.launch == Launch::Terminal {
        // The terminal carried both streams, with its line endings.
        run.stderr = std::mem::take(&mut run.stdout).replace('\r', "");
    }
    let mut failures = check(&run, attack);
    if snapshot(&project.dist()) != dist_before {
        failures.push("the previous dist/ changed".into());
    }
    if source_snapshot(&project) != source_before {
        failures.push("the source tree changed".into());
    }
    if outside.exists() {
        failures.push(format!("{} was written", outside.display()));
    }
    if run.stderr.contains(CANARY) || run.stdout.contains(CANARY) {
        failures.push("a secret reached the output".into());
    }
    Row {
        name: attack.name,
        layer: attack.layer,
        expected: attack.expect.join(" … "),
        observed: observed(&run, attack),
        failures,
    }
}

fn write_project(project: &Project, attack: &Attack, config: &str, scene: &Scene) {
    for plugin in ["probe", "exec-probe", "signer-probe"] {
        std::fs::copy(test_plugin(plugin), project.path(&format!("{plugin}.wasm"))).unwrap();
    }
    let wasm = test_plugin(attack.plugin);
    let file = format!("{}.wasm", attack.plugin);
    project.write("go.mod", "module example.com/victim\n\ngo 1.21\n");
    project.write("main.go", "package main\n\nfunc main() {}\n");
    project.write("syscalls.py", include_str!("support/syscalls.py"));
    let fill = |text: &str| {
        text.replace("{key}", &scene.key.display().to_string())
            .replace("{probe_sha}", &sha256(&test_plugin("probe")))
            .replace("{granted}", &scene.granted.display().to_string())
            .replace(
                "{key_dir}",
                &scene.key.parent().unwrap().display().to_string(),
            )
            .replace("{cache}", &support::cache_dir().display().to_string())
            .replace("{port}", &scene.port.to_string())
    };
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"victim\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n{}\n{}\n\
             [[stage]]\nname = \"attack\"\nplugin = \"{file}\"\nsha256 = \"{}\"\n{}\n\n[stage.config]\n{config}\n\n{}",
            fill(attack.project),
            fill(attack.before),
            sha256(&wasm),
            fill(attack.stage),
            fill(attack.after),
        ),
    );
}

/// The standing promises: a clean failure naming the stage, with the expected text.
fn check(run: &Run, attack: &Attack) -> Vec<String> {
    let mut failures = Vec::new();
    if run.code != Some(1) {
        failures.push(format!("exit code {:?}, expected 1", run.code));
    }
    if !run.stderr.contains(&format!("stage `{}`", attack.failing)) {
        failures.push(format!(
            "the error does not name stage `{}`",
            attack.failing
        ));
    }
    // Whatever a plugin or program said, nothing reaches the terminal raw.
    if let Some(c) = (run.stderr.chars().chain(run.stdout.chars()))
        .find(|c| (c.is_control() && *c != '\n') || is_invisible(*c))
    {
        failures.push(format!("the output holds {c:?} raw"));
    }
    // The only workflow commands are the host's own: groups, and annotations whose
    // plugin text is escaped into one line.
    let host_commands = [
        "::group::",
        "::endgroup::",
        "::error title=",
        "::warning title=",
    ];
    if let Some(line) = (run.stderr.lines().chain(run.stdout.lines()))
        .map(str::trim_start)
        .find(|l| {
            (l.starts_with("::") || l.starts_with("##["))
                && !host_commands.iter().any(|c| l.starts_with(c))
        })
    {
        failures.push(format!("a workflow command reached the log: {line}"));
    }
    if run.stderr.contains("ESCAPED") {
        failures.push("the probe got through".into());
    }
    for needle in attack.expect {
        if !run.stderr.contains(needle) {
            failures.push(format!("stderr lacks {needle:?}"));
        }
    }
    if !failures.is_empty() {
        failures.push(format!("stderr was:\n{}", run.stderr));
    }
    failures
}

/// The line of stderr showing the expected outcome, shortened for the table.
/// The line of `stderr` saying why (the one holding `expect`, else the first error
/// line), cut for a table.
fn why(stderr: &str, expect: &str) -> String {
    stderr
        .lines()
        .find(|l| l.contains(expect))
        .or_else(|| stderr.lines().find(|l| l.starts_with("error:")))
        .unwrap_or("")
        .trim()
        .chars()
        .take(120)
        .collect()
}

fn observed(run: &Run, attack: &Attack) -> String {
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(attack.expect[0]))
        .or_else(|| run.stderr.lines().find(|l| l.starts_with("error:")))
        .unwrap_or("(no error)")
        .trim();
    let start = line.find(attack.expect[0]).unwrap_or(0);
    let shown: String = line[start..].chars().take(110).collect();
    format!("exit {:?}: {}", run.code, shown.replace('|', "\\|"))
}

fn source_snapshot(project: &Project) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = snapshot(&project.dir);
    files.retain(|path, _| !path.starts_with("dist"));
    files
}

/// The table of `rows`, numbered from `first`.
fn render(rows: &[&Row], first: usize) -> String {
    let mut table = String::from(
        "| # | attack | stopped by | expected | observed | result |\n|---|---|---|---|---|---|\n",
    );
    for (i, row) in rows.iter().enumerate() {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            first + i,
            row.name,
            row.layer,
            row.expected.replace('|', "\\|"),
            row.observed,
            if row.failures.is_empty() {
                "blocked"
            } else {
                "**FAILED**"
            }
        ));
    }
    table
}
