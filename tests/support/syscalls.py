"""System calls a confined program must not be able to make, made for real.

Run inside the tool sandbox by the hostile suite: `python3 syscalls.py NAME`. Prints
`NAME: <outcome>` on stderr and exits 0 when the call got through (the attack
escaped), 1 when it was refused. x86-64 system call numbers.
"""
import ctypes
import os
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def call(number, *args):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *args)
    return result, os.strerror(ctypes.get_errno()) if result < 0 else "ok"


def io_uring():
    params = ctypes.create_string_buffer(120)
    return call(425, ctypes.c_uint(4), params)


def perf():
    # perf_event_attr: PERF_TYPE_SOFTWARE, CPU clock, user space only (what
    # perf_event_paranoid=2 allows an unprivileged process on itself).
    attr = bytearray(128)
    struct.pack_into("<IIQ", attr, 0, 1, 128, 0)
    struct.pack_into("<Q", attr, 40, 1 | 1 << 5 | 1 << 6)
    buf = ctypes.create_string_buffer(bytes(attr))
    return call(298, buf, ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_int(-1), ctypes.c_ulong(0))


def bpf():
    attr = ctypes.create_string_buffer(struct.pack("<IIII", 2, 4, 4, 1) + bytes(56))
    return call(321, ctypes.c_int(0), attr, ctypes.c_uint(72))


def userfaultfd():
    return call(323, ctypes.c_int(1 | os.O_CLOEXEC))  # UFFD_USER_MODE_ONLY


def ptrace():
    # PTRACE_ATTACH to the shell that started us (PID 1 of the sandbox, same user).
    result = call(101, ctypes.c_long(16), ctypes.c_long(os.getppid()), None, None)
    if result[0] == 0:
        os.waitpid(os.getppid(), os.WNOHANG)
        call(101, ctypes.c_long(17), ctypes.c_long(os.getppid()), None, None)
    return result


def user_namespace():
    return call(272, ctypes.c_int(0x10000000))  # unshare(CLONE_NEWUSER)


def reaped(result):
    """After a fork-like call: the child, if any, leaves at once; the parent waits."""
    if result[0] == 0:
        os._exit(0)
    if result[0] > 0:
        os.waitpid(result[0], 0)
    return result


def clone_user_namespace():
    # clone(CLONE_NEWUSER | SIGCHLD)
    return reaped(call(56, ctypes.c_ulong(0x10000000 | 17), None, None, None, None))


def clone3_user_namespace():
    # struct clone_args { flags = CLONE_NEWUSER, exit_signal = SIGCHLD, … }
    args = ctypes.create_string_buffer(struct.pack("<QQQQQQQ", 0x10000000, 0, 0, 0, 17, 0, 0) + bytes(32))
    return reaped(call(435, args, ctypes.c_size_t(88)))


def keyring():
    # The key the test put in the session keyring xhost was started in:
    # request_key("user", "xhost-test-key", NULL, 0), then KEYCTL_READ.
    key, why = call(249, b"user", b"xhost-test-key", None, ctypes.c_int(0))
    if key < 0:
        try:
            listed = open("/proc/keys").read()
        except OSError as e:
            listed = e.strerror
        return key, f"request_key: {why}; /proc/keys: {listed.strip()[:200]}"
    buf = ctypes.create_string_buffer(256)
    n, why = call(250, ctypes.c_int(11), ctypes.c_int(key), buf, ctypes.c_size_t(256))
    return n, f"read {buf.raw[:max(n, 0)]!r}" if n >= 0 else f"found the key, KEYCTL_READ: {why}"


def x32_keyctl():
    # keyctl(KEYCTL_GET_KEYRING_ID, session) through the x32 ABI's number.
    return call(0x40000000 | 250, ctypes.c_int(0), ctypes.c_int(-3), ctypes.c_int(0))


def terminal():
    # TIOCSTI on every standard stream and on /dev/tty: typing into xhost's terminal.
    outcomes = []
    got_through = -1
    fds = [0, 1, 2]
    try:
        fds.append(os.open("/dev/tty", os.O_RDWR))
    except OSError as e:
        outcomes.append(f"/dev/tty: {e.strerror}")
    for fd in fds:
        char = ctypes.c_char(b"x")
        result, why = call(16, ctypes.c_int(fd), ctypes.c_ulong(0x5412), ctypes.byref(char))
        outcomes.append(f"TIOCSTI on fd {fd}: {why}")
        if result == 0:
            got_through = 0
    return got_through, "; ".join(outcomes)


ATTACKS = {
    "io_uring_setup": io_uring,
    "perf_event_open": perf,
    "bpf": bpf,
    "userfaultfd": userfaultfd,
    "ptrace": ptrace,
    "unshare": user_namespace,
    "clone": clone_user_namespace,
    "clone3": clone3_user_namespace,
    "keyring": keyring,
    "x32": x32_keyctl,
    "terminal": terminal,
}

name = sys.argv[1]
result, outcome = ATTACKS[name]()
print(f"{name}: {outcome}", file=sys.stderr)
sys.exit(0 if result >= 0 else 1)
