//! Process attributes a program would otherwise inherit from whoever started xhost:
//! open descriptors, the kernel session keyring, signal dispositions and mask, umask,
//! personality flags. Each is reset, not
//! trusted; the namespaces, new root, rlimits, Landlock and seccomp handle the rest
//! (see `docs/SECURITY.md`, "What a program inherits").
//!
//! These run in the launcher or in its forked child before `exec`; the launcher is
//! single-threaded, so plain calls are fine there.

use rustix::fs::Mode;

/// `keyctl(2)` operation joining a new anonymous session keyring (linux/keyctl.h).
const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;

/// The umask every program starts with: files it creates are not writable by others,
/// whatever the runner's umask (a `000` one would leave tool caches world-writable).
pub const UMASK: u32 = 0o022;

/// Closes every descriptor above stderr. The launcher calls this first: anything the
/// process that started xhost left open (a CI runner's sockets, a secret file) must
/// not reach the program.
pub fn close_inherited() -> Result<(), String> {
    close_range(0).map_err(|e| format!("closing inherited descriptors: {e}"))
}

/// Marks every descriptor above stderr close-on-exec, so no child process inherits
/// it. xhost calls this at start-up, before any other descriptor is opened, for the
/// ones it inherited (its own are opened close-on-exec by the standard library); the
/// sandboxed child calls it again just before `exec`.
pub fn cloexec_inherited() -> Result<(), String> {
    let why = |e: std::io::Error| format!("marking inherited descriptors close-on-exec: {e}");
    match close_range(libc::CLOSE_RANGE_CLOEXEC) {
        Ok(()) => Ok(()),
        // Kernels before 5.11: one descriptor at a time.
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EINVAL)) => {
            cloexec_each().map_err(why)
        }
        Err(e) => Err(why(e)),
    }
}

fn cloexec_each() -> std::io::Result<()> {
    let open: Vec<i32> = std::fs::read_dir("/proc/self/fd")?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in open {
        // SAFETY: F_SETFD on a number that may name nothing (the directory listing's
        // own descriptor, closed by now) fails with EBADF and changes nothing else.
        #[allow(unsafe_code)]
        unsafe {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
    Ok(())
}

fn close_range(flags: libc::c_uint) -> std::io::Result<()> {
    // SAFETY: close_range only acts on this process's descriptor table; descriptors
    // above 2 that Rust code still owns do not exist at the points this is called
    // (start-up, and the launcher before it opens anything), and CLOEXEC closes nothing.
    #[allow(unsafe_code)]
    let rc = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3 as libc::c_uint,
            libc::c_uint::MAX,
            flags,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Joins a new, empty session keyring, so keys the runner keeps in its session
/// keyring (CI credentials, say) are not possessed by the program. Where the kernel
/// or an outer sandbox refuses keyring calls altogether, they are unreachable anyway.
pub fn fresh_session_keyring() -> Result<(), String> {
    // SAFETY: a plain system call with a null name (an anonymous keyring).
    #[allow(unsafe_code)]
    let rc = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if rc >= 0 {
        return Ok(());
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::ENOSYS | libc::EPERM | libc::EACCES) => Ok(()),
        _ => Err(format!(
            "joining a new session keyring: {}",
            std::io::Error::last_os_error()
        )),
    }
}

/// Every signal back to its default action and none blocked: a runner that ignores
/// SIGTERM or SIGHUP (`nohup`, some CI agents) must not make programs unkillable
/// by the signals xhost or the kernel send.
pub fn reset_signals() -> Result<(), String> {
    // The kernel's `struct sigaction` with SIG_DFL, no flags and an empty mask is all
    // zeroes, whichever order an architecture puts its fields in (x86-64 has a
    // restorer field, arm64 none). The system call itself is used because the C
    // library refuses the real-time signals it reserves (32, 33), which a parent may
    // have set to ignored all the same.
    let default_action = [0u64; 4];
    for signal in 1..=libc::SIGRTMAX() {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP {
            continue;
        }
        // SAFETY: the action is a valid, zeroed kernel sigaction that outlives the
        // call; no old action is asked for.
        #[allow(unsafe_code)]
        let rc = unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                default_action.as_ptr(),
                std::ptr::null_mut::<libc::c_void>(),
                8usize,
            )
        };
        if rc != 0 {
            return Err(format!(
                "resetting signal {signal}: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    // SAFETY: an empty mask, no old mask asked for.
    #[allow(unsafe_code)]
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        if libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut()) != 0 {
            return Err(format!(
                "clearing the signal mask: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

/// The umask, and the default execution domain (no `setarch -R` turning address-space
/// randomisation off).
///
/// The program stays in the launcher's process group (which the host kills as a
/// whole) and so in xhost's session; the terminal of that session is out of its reach
/// all the same: no `/dev/tty` in the new root, no descriptor of it, `TIOCSTI` denied.
pub fn reset_process() -> Result<(), String> {
    rustix::process::umask(Mode::from_raw_mode(UMASK));
    // SAFETY: personality(PER_LINUX) only changes this process's execution domain.
    #[allow(unsafe_code)]
    if unsafe { libc::personality(0) } == -1 {
        return Err(format!(
            "resetting the personality: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}
