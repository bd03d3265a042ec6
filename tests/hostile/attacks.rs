//! The build attacks: what each does, what stops it and what the error must say. A
//! table, so one file however long it grows (hence its length).

use std::path::Path;

use super::support::{self, Project};

/// One attack.
pub struct Attack {
    pub name: &'static str,
    /// What stops it.
    pub layer: &'static str,
    pub plugin: &'static str,
    /// Extra lines for the `[[stage]]` table (grants, limits).
    pub stage: &'static str,
    /// The `[stage.config]` table's lines; `{home}`, `{other}`, `{shared_other}`, `{src}` (the project
    /// as tools see it), `{checkout}` (where it is), `{port}`, `{outside}` and
    /// `{canary_pattern}` are filled in.
    pub config: &'static str,
    /// Text stderr must contain.
    pub expect: &'static [&'static str],
    /// How xhost is started: what it inherits from its parent.
    pub launch: Launch,
    /// Project-level tables (signing keys, provenance), with `{key}` filled in.
    pub project: &'static str,
    /// `[[stage]]` tables before and after the attack's, with `{probe_sha}` filled in.
    pub before: &'static str,
    pub after: &'static str,
    /// The stage the error must name.
    pub failing: &'static str,
    /// Done to the project after it is written, given the path nothing may write.
    pub prepare: Option<fn(&Project, &Path)>,
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
pub enum Launch {
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
    /// In a GitHub Actions job (`GITHUB_ACTIONS=true`), whose log reads workflow commands.
    GithubActions,
    /// With the machine's tool caches shared between projects (`XHOST_TOOL_CACHE_DIR`).
    SharedToolCaches,
}

pub const SH: &str = "grants = { exec = [\"sh\"], source = true }";

/// A signing key (`release`) outside the project, and provenance signed with it.
pub const RELEASE_KEY: &str = "[signing.keys.release]\nfile = \"{key}\"\n";
pub const PROVENANCE_BY_RELEASE_KEY: &str =
    "[signing.keys.release]\nfile = \"{key}\"\n\n[provenance]\nkey = \"release\"\n";

pub fn attacks() -> Vec<Attack> {
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
        // The network allowed to named hosts only (`net = ["host", …]`).
        a(
            "tool connects to a host not in grants.net",
            "egress: only allowed names resolve (/etc/hosts), no name server",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, net = [\"allowed.invalid\"] }",
            "action = \"script\"\nscript = \"python3 -c \\\"import socket; socket.create_connection(('example.com', 443), timeout=5)\\\"\"",
            &["blocked: the script", "socket.gaierror"],
        ),
        a(
            "tool connects to an IP address not in grants.net",
            "egress: no route off the sandbox's loopback",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, net = [\"allowed.invalid\"] }",
            "action = \"script\"\nscript = \"bash -c 'exec 3<>/dev/tcp/1.1.1.1/443'\"",
            &["blocked: the script", "Network is unreachable"],
        ),
        a(
            "tool sends DNS queries to a resolver of its own",
            "egress: no route off the sandbox's loopback",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, net = [\"allowed.invalid\"] }",
            "action = \"script\"\nscript = \"python3 -c \\\"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'q', ('8.8.8.8', 53))\\\"\"",
            &["blocked: the script", "Network is unreachable"],
        ),
        a(
            "tool uses an allowed name's relay to reach a loopback service",
            "egress: xhost refuses names leading to loopback or link-local addresses",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, net = [\"localhost:{port}\"] }",
            "action = \"script\"\nscript = \"bash -c 'exec 3<>/dev/tcp/127.0.0.2/{port} && echo hello >&3 && read -t 5 line <&3'\"",
            &["blocked: the script", "which a host name may not lead to"],
        ),
        a(
            "tool connects to an allowed host's address on another port",
            "Landlock: TCP connect to the allowed ports only",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, net = [\"127.0.0.1:1\"] }",
            "action = \"script\"\nscript = \"bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}'\"",
            &["blocked: the script", "Permission denied"],
        ),
        // Directories outside the project granted read-only (`grants.paths`).
        a(
            "tool writes into a directory granted read-only (grants.paths)",
            "tool sandbox: granted paths bound read-only",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, paths = [\"{granted}\"] }",
            "action = \"script\"\nscript = \"echo pwned >> {granted}/lib.txt || echo pwned > {granted}/new.txt\"",
            &["blocked: the script", "Read-only file system"],
        ),
        a(
            "tool follows a link in a granted directory to a secret outside it",
            "tool sandbox: only the granted directory is bound; links resolve inside the new root",
            "exec-probe",
            "grants = { exec = [\"sh\"], source = true, paths = [\"{granted}\"] }",
            "action = \"script\"\nscript = \"cat {granted}/escape\"",
            &["blocked: the script", "No such file"],
        ),
        a(
            "tool reads a directory granted to another stage only",
            "grants: paths are per stage",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat {granted}/lib.txt\"",
            &["blocked: the script", "No such file"],
        )
        .after_stage(
            "[[stage]]\nname = \"other\"\nplugin = \"probe.wasm\"\nsha256 = \"{probe_sha}\"\ngrants = { paths = [\"{granted}\"] }\n[stage.config]\naction = \"write\"\nfile = \"other.txt\"\nkind = \"binary\"\ncontent = \"other\"\n",
        ),
        a(
            "grants.paths names the directory holding a signing key",
            "plan: granted paths may not hold a key file",
            "exec-probe",
            "grants = { exec = [\"sh\"], paths = [\"{key_dir}\"] }",
            "action = \"script\"\nscript = \"cat {granted}/../release.pem\"",
            &["grants.paths", "holds the signing key file", "only xhost may read"],
        )
        .in_project(RELEASE_KEY),
        a(
            "grants.paths names xhost's cache (other projects' tool caches)",
            "plan: granted paths may not hold the cache",
            "exec-probe",
            "grants = { exec = [\"sh\"], paths = [\"{cache}\"] }",
            "action = \"script\"\nscript = \"cat {other}\"",
            &["grants.paths", "holds xhost's cache", "no stage may read"],
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
            "plugin has the host attest an SLSA provenance statement",
            "signing: attest refuses SLSA provenance, which only xhost attests",
            "signer-probe",
            "grants = { signing = [\"release\"] }",
            "granted = \"release\"\naction = \"attest-provenance\"",
            &[
                "blocked: attesting a provenance statement",
                "SLSA provenance, which only xhost itself attests",
            ],
        )
        .in_project(RELEASE_KEY),
        a(
            "plugin hides a provenance predicate type behind an SBOM's in one statement",
            "signing: attest reads statements strictly (each field once, nothing else)",
            "signer-probe",
            "grants = { signing = [\"release\"] }",
            "granted = \"release\"\naction = \"attest-twice\"",
            &[
                "blocked: attesting a statement with two predicate types",
                "duplicate field `predicateType`",
            ],
        )
        .in_project(RELEASE_KEY),
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
        a(
            "a stage's output supersedes artifacts it did not consume",
            "pipeline: only consumed artifacts can be superseded (as only they can be replaced)",
            "probe",
            "",
            "action = \"write\"\nfile = \"universal\"\nkind = \"binary\"\ncontent = \"evil\"\nsupersedes = \"linux/amd64\"",
            &["superseding the binary artifacts of linux/amd64, but it consumed none"],
        )
        .after_stage(
            "[[stage]]\nname = \"maker\"\nplugin = \"probe.wasm\"\nsha256 = \"{probe_sha}\"\n[stage.config]\naction = \"write\"\nfile = \"victim\"\nkind = \"binary\"\ncontent = \"genuine\"\n",
        ),
        // Templates: rendered by the host from xhost.toml, before any plugin runs.
        a(
            "a config template reads a secret from xhost's environment (.Env)",
            "templates: .Env holds only what [template] env lists",
            "probe",
            "",
            "action = \"write\"\nfile = \"leak.txt\"\ncontent = \"{{ .Env.XHOST_TEST_CANARY }}\"",
            &["stage `attack` config.content", "add \"XHOST_TEST_CANARY\" to `[template] env`"],
        ),
        a(
            "a config template the engine would never finish reading (an unclosed action)",
            "templates: unclosed actions refused before the engine, whose lexer loops on them; a deadline besides",
            "probe",
            "",
            "action = \"write\"\nfile = \"x.txt\"\ncontent = \"{{ .Os \"",
            &["stage `attack` config.content", "is not closed by `}}`"],
        ),
        a(
            "a config template that makes the engine panic (a printf width)",
            "templates: rendered on a guarded thread; a panic is an error",
            "probe",
            "",
            "action = \"write\"\nfile = \"x.txt\"\ncontent = '{{ printf \"%0999999999d\" 1 }}'",
            &["stage `attack` config", "the template engine failed on this template"],
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
        a(
            "a repository whose config runs a program when git lists the commits for the release notes",
            "xhost lists commits with git rev-list, plumbing that shows no signatures",
            "probe",
            "",
            "action = \"fail-with\"\nmessage = \"the build went on\"",
            &["the build went on"],
        )
        .in_project("[changelog]\n")
        .prepared(hostile_repository),
        // Module proxies: reached by fetch stages only.
        a(
            "go without net points GOPROXY at a module proxy",
            "network namespace and Landlock: no connection without grants.net; Go's GOPROXY=off is only the default",
            "exec-probe",
            "grants = { exec = [\"go\"], source = true }",
            "action = \"run\"\nprogram = \"go\"\nargs = [\"mod\", \"download\", \"example.com/evil@v1.0.0\"]\nenv = { GOPROXY = \"http://127.0.0.1:{port}\", GOFLAGS = \"-mod=mod\" }",
            &["blocked: running go", "dial tcp 127.0.0.1:"],
        ),
        // Registry credentials (`xhost publish`): the host's alone.
        a(
            "tool reads the registry and remote cache credentials (~/.docker/config.json, XHOST_REGISTRY_PASSWORD, XHOST_REMOTE_CACHE_TOKEN)",
            "tool sandbox: new root (the home is not there), environment cleared; plugins get no environment",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"echo ${XHOST_REGISTRY_PASSWORD:-unset} ${XHOST_REMOTE_CACHE_TOKEN:-unset}; cat {home}/.docker/config.json\"",
            &["blocked: the script: exit Some(1)", "unset", "No such file"],
        ),
        a(
            "tool looks for the checkout at its real path (to learn it, or write into it)",
            "tool sandbox: the project is at /xhost/src, its real path has no name inside",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"ls {checkout}/xhost.toml || touch {checkout}/planted\"",
            &["blocked: the script", "No such file"],
        ),
        // On GitHub Actions xhost writes workflow commands itself (groups, annotations).
        a(
            "plugin floods the log with workflow commands on GitHub Actions",
            "log sanitizer; the host's own commands carry plugin text only escaped",
            "probe",
            "",
            "action = \"log-escapes\"",
            &["::group::linux/amd64", "(ci command neutralised) ::add-mask::secret-value"],
        )
        .launched(Launch::GithubActions),
        // Rust: a crate's build script is the project's code, run by cargo.
        a(
            "a crate's build script (build.rs) reaches for the network while cargo compiles",
            "network namespace and Landlock: a compile stage has no network; cargo runs offline",
            "exec-probe",
            "grants = { exec = [\"cargo\"], source = true }",
            "action = \"run\"\nprogram = \"cargo\"\nargs = [\"build\", \"--offline\", \"--locked\"]\n# port {port}",
            &["blocked: running cargo", "blocked: no network for build scripts"],
        )
        .prepared(networked_build_script),
        a(
            "plugin names its own program as cgo's C compiler (CC)",
            "exec environment allow-list: CC and CXX are `zig cc -target TRIPLE` and nothing else",
            "exec-probe",
            SH,
            "action = \"run\"\nprogram = \"sh\"\nargs = [\"-c\", \"true\"]\nenv = { CC = \"zig cc -target x86_64-linux-musl -fplugin={src}/evil.so\" }",
            &["env-denied: environment variable CC=`zig cc -target x86_64-linux-musl -fplugin=/xhost/src/evil.so` has a value xhost does not accept"],
        ),
        a(
            "plugin points rustc at a linker of its own (RUSTFLAGS=-C linker=…)",
            "exec environment allow-list: RUSTFLAGS holds codegen settings only",
            "exec-probe",
            SH,
            "action = \"run\"\nprogram = \"sh\"\nargs = [\"-c\", \"true\"]\nenv = { RUSTFLAGS = \"-C linker={src}/evil\" }",
            &["env-denied: RUSTFLAGS entry `-C linker=/xhost/src/evil` is not allowed"],
        ),
        Attack {
            failing: "packages",
            ..a(
                "a package's contents name a link in the project to a host file (/etc/shadow)",
                "WASI: links under /src resolve only inside the source tree",
                "probe",
                "",
                "action = \"ok\"",
                &["contents[0].src `leak`: cannot read it from the project"],
            )
            .after_stage(
                "[[stage]]\nname = \"packages\"\nplugin = \"builtin:package\"\ngrants = { source = true }\n[stage.config]\nmaintainer = \"Mallory <mallory@example.com>\"\ncontents = [{ src = \"leak\", dst = \"/etc/leak\" }]\n",
            )
            .prepared(link_to_a_host_file)
        },
        a(
            "with tool caches shared between projects, a tool reads another program's shared home",
            "tool sandbox: only the program's own directory of the shared tool caches is mounted",
            "exec-probe",
            SH,
            "action = \"script\"\nscript = \"cat {shared_other}\"",
            &["blocked: the script", "No such file"],
        )
        .launched(Launch::SharedToolCaches),
    ]
}

/// A link in the project to a file of the host's that only root reads.
pub fn link_to_a_host_file(project: &Project, _outside: &Path) {
    std::os::unix::fs::symlink("/etc/shadow", project.path("leak")).unwrap();
}

/// Makes the project also a Rust package whose build script tries the test's listener
/// (its port read from xhost.toml) and a registry host's name, failing either way and
/// saying which.
pub fn networked_build_script(project: &Project, _outside: &Path) {
    project.write(
        "Cargo.toml",
        "[package]\nname = \"victim\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    project.write(
        "Cargo.lock",
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"victim\"\nversion = \"1.0.0\"\n",
    );
    project.write("src/main.rs", "fn main() {}\n");
    project.write(
        "build.rs",
        r##"use std::net::{TcpStream, ToSocketAddrs};

fn main() {
    let config = std::fs::read_to_string("xhost.toml").unwrap();
    let port: u16 = config
        .lines()
        .find_map(|l| l.strip_prefix("# port "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let local = TcpStream::connect(("127.0.0.1", port));
    let named = ("index.crates.io", 443).to_socket_addrs();
    match (local, named) {
        (Err(a), Err(b)) => panic!("blocked: no network for build scripts: {a}; {b}"),
        (a, b) => panic!("ESCAPED: connected {}, looked up {}", a.is_ok(), b.is_ok()),
    }
}
"##,
    );
}

/// Makes the project a git repository whose HEAD carries a (made-up) signature and
/// whose config has `git log` verify it with a "gpg" that writes `outside`.
pub fn hostile_repository(project: &Project, outside: &Path) {
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
