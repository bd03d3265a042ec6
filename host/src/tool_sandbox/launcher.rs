//! `xhost __sandbox-exec POLICY PROGRAM ARGS…`: confine, then run PROGRAM as PID 1 of
//! a new PID namespace and exit as it exits. `--probe` runs this executable's own
//! `--check` through the whole sandbox, which tests from inside that it holds.

use std::ffi::OsString;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::ExitCode;

use rustix::process::{Signal, geteuid, getppid, set_parent_process_death_signal};

use super::{
    MESSAGE_PREFIX, Network, Policy, SETUP_FAILED, ToolLimits, egress, landlock_rules, namespaces,
    new_root, process_state, rlimits, seccomp,
};

/// Entry point; `args` are the arguments after the subcommand.
pub fn main(args: Vec<OsString>) -> ExitCode {
    match process_state::close_inherited().and_then(|()| run(args)) {
        Ok(code) => code,
        Err(why) => {
            eprintln!("{MESSAGE_PREFIX}{why}");
            ExitCode::from(SETUP_FAILED as u8)
        }
    }
}

fn run(args: Vec<OsString>) -> Result<ExitCode, String> {
    let mut args = args.into_iter();
    let first = args
        .next()
        .ok_or("usage: __sandbox-exec POLICY PROGRAM [ARGS…] | --probe")?;
    if first == "--probe" {
        return probe();
    }
    if first == "--check" {
        return check_inside();
    }
    let policy: Policy = serde_json::from_str(first.to_str().ok_or("policy is not UTF-8")?)
        .map_err(|e| format!("bad policy: {e}"))?;
    let program = args.next().ok_or("no program given")?;
    confine_and_run(&policy, program.into(), args.collect())
}

fn confine_and_run(
    policy: &Policy,
    program: PathBuf,
    args: Vec<OsString>,
) -> Result<ExitCode, String> {
    die_with_parent()?;
    let as_root = geteuid().is_root();
    namespaces::enter(policy.network == Network::Host)?;
    new_root::enter(policy)?;
    if let Network::Egress(routes) = &policy.network {
        // Bound before the program starts, so its first connection finds them.
        egress::start(routes)?;
    }
    namespaces::enter_pid()?;

    let mut command = std::process::Command::new(&program);
    command.args(&args).current_dir(&policy.cwd);
    let child_policy = policy.clone();
    // SAFETY: the launcher is single-threaded, so the forked child is an exact copy
    // with no locks held by other threads; allocating and formatting there is safe.
    #[allow(unsafe_code)]
    unsafe {
        command.pre_exec(move || {
            in_child(&child_policy, as_root).map_err(|why| {
                // Only the errno crosses back to the launcher; say why here.
                eprintln!("{MESSAGE_PREFIX}{why}");
                std::io::Error::other(why)
            })
        });
    }
    let status = command
        .status()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => ExitCode::from(code.clamp(0, 255) as u8),
        (None, Some(signal)) => die_by(signal),
        (None, None) => ExitCode::FAILURE,
    })
}

/// The program's last steps before exec, as PID 1 of the new namespace. The keyring
/// is joined as the final user, so the new keyring is that user's; seccomp comes
/// last, since it denies calls the steps before it make.
fn in_child(policy: &Policy, as_root: bool) -> Result<(), String> {
    set_parent_process_death_signal(Some(Signal::KILL)).map_err(|e| format!("prctl: {e}"))?;
    new_root::finish()?;
    rlimits::apply(&policy.limits)?;
    let mut also_read = vec![PathBuf::from("/proc")];
    if matches!(policy.network, Network::Egress(_)) {
        // The sandbox's own, written by `egress::start`: the allowed hosts only.
        also_read.extend(["/etc/hosts", "/etc/resolv.conf"].map(PathBuf::from));
    }
    landlock_rules::restrict(policy, &also_read)?;
    if as_root {
        namespaces::become_nobody().map_err(|e| format!("dropping root: {e}"))?;
        // Changing the user clears the parent-death signal; set it again.
        set_parent_process_death_signal(Some(Signal::KILL)).map_err(|e| format!("prctl: {e}"))?;
    }
    process_state::fresh_session_keyring()?;
    process_state::reset_signals()?;
    process_state::reset_process()?;
    // The standard library's own exec-error pipe is close-on-exec already.
    process_state::cloexec_inherited()?;
    seccomp::install()
}

/// The launcher dies with the xhost thread that started it, so a killed build leaves
/// no programs behind.
fn die_with_parent() -> Result<(), String> {
    set_parent_process_death_signal(Some(Signal::KILL)).map_err(|e| format!("prctl: {e}"))?;
    // The parent may have died before the line above.
    if getppid().is_none() {
        return Err("xhost exited before the sandbox started".into());
    }
    Ok(())
}

/// Passes a child's death by signal on to whoever waits for the launcher.
fn die_by(signal: i32) -> ExitCode {
    if let Some(signal) = Signal::from_named_raw(signal) {
        let _ = rustix::process::kill_process(rustix::process::getpid(), signal);
    }
    ExitCode::from((128 + signal).clamp(0, 255) as u8)
}

/// Runs `--check` of this executable inside a sandbox that grants nothing but the
/// executable and the system directories.
fn probe() -> Result<ExitCode, String> {
    let me = std::env::current_exe().map_err(|e| format!("finding this executable: {e}"))?;
    let mut read_only = super::system_read_only();
    read_only.push(me.clone());
    let policy = Policy {
        read_only,
        read_write: super::system_read_write(),
        moved: Vec::new(),
        cwd: PathBuf::from("/"),
        network: Network::Isolated,
        limits: ToolLimits {
            cpu_secs: 10,
            file_size_bytes: 1 << 20,
            address_space_bytes: 1 << 32,
            // Counted per user: as `nobody`, other sandboxes' processes count too.
            processes: 1 << 20,
        },
    };
    let code = confine_and_run(
        &policy,
        me,
        vec![super::LAUNCHER_COMMAND.into(), "--check".into()],
    )?;
    Ok(code)
}

/// Inside the probe's sandbox: what must be true there.
fn check_inside() -> Result<ExitCode, String> {
    if rustix::process::getpid().as_raw_nonzero().get() != 1 {
        return Err("not PID 1 of a new PID namespace".into());
    }
    if geteuid().is_root() {
        return Err("still root inside the sandbox".into());
    }
    if std::path::Path::new("/etc/passwd").exists() {
        return Err("the sandbox root shows files it was not given (/etc/passwd)".into());
    }
    if std::fs::write("/dev/null", b"x").is_err() {
        return Err("/dev/null is not writable".into());
    }
    // Refused would mean a reachable loopback; without one the stack says unreachable.
    if let Err(e) = std::net::TcpStream::connect(("127.0.0.1", 1))
        && e.kind() == std::io::ErrorKind::ConnectionRefused
    {
        return Err("the host network is reachable".into());
    }
    check_process_state()?;
    Ok(ExitCode::SUCCESS)
}

/// The inherited state the launcher resets, seen from inside.
fn check_process_state() -> Result<(), String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("reading /proc/self/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    if field("Seccomp") != "2" {
        return Err("no seccomp filter is in force".into());
    }
    // This check is a Rust program, whose runtime ignores SIGPIPE as it starts.
    let sigpipe = 1u64 << (libc::SIGPIPE - 1);
    for (name, what, own) in [("SigBlk", "blocked", 0), ("SigIgn", "ignored", sigpipe)] {
        let set = u64::from_str_radix(&field(name), 16).unwrap_or(u64::MAX);
        if set & !own != 0 {
            return Err(format!("signals are {what} ({})", field(name)));
        }
    }
    if rustix::system::uname().nodename().to_bytes() != namespaces::HOSTNAME.as_bytes() {
        return Err("the host name is the runner's".into());
    }
    // What is left open: stdin/stdout/stderr, and the directory being listed.
    let open = std::fs::read_dir("/proc/self/fd")
        .map_err(|e| format!("listing /proc/self/fd: {e}"))?
        .count();
    if open > 4 {
        return Err(format!("{open} descriptors are open; 3 were expected"));
    }
    if std::path::Path::new("/proc/keys").exists() {
        return Err("/proc shows more than the sandbox's processes (/proc/keys)".into());
    }
    // unshare(0) changes nothing; only the filter makes it fail.
    // SAFETY: a plain system call with no flags and no pointers.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::syscall(libc::SYS_unshare, 0) };
    if rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM) {
        return Err("the seccomp filter lets unshare through".into());
    }
    Ok(())
}
