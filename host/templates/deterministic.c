// Preloaded into the build tool (componentize-py / wizer) so that the WASI guest it
// pre-initialises sees constant randomness, clocks, file times and inode numbers:
// those values otherwise end up in the heap snapshot. Only for building.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif
#define EPOCH 1000000000

__attribute__((constructor)) static void hide(void) { unsetenv("LD_PRELOAD"); } /* not in the guest's env */

/* Randomness: wasmtime seeds WASI random from getrandom (libc, or syscall() from the getrandom crate). */
static void fill(void *buf, size_t len) { unsigned char *b = buf; for (size_t i = 0; i < len; i++) b[i] = (unsigned char)(i * 131 + 7); }
ssize_t getrandom(void *buf, size_t len, unsigned int flags) { fill(buf, len); return (ssize_t)len; }
int getentropy(void *buf, size_t len) { fill(buf, len); return 0; }
long syscall(long n, ...) {
  va_list ap; va_start(ap, n); long a[6]; for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long); va_end(ap);
  if (n == SYS_getrandom) { fill((void *)a[0], (size_t)a[1]); return a[1]; }
  static long (*real)(long, ...); if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Clocks: WASI wall and monotonic clocks come from clock_gettime. */
int clock_gettime(clockid_t id, struct timespec *ts) { ts->tv_sec = EPOCH; ts->tv_nsec = 0; return 0; }
int gettimeofday(struct timeval *tv, void *tz) { tv->tv_sec = EPOCH; tv->tv_usec = 0; return 0; }
time_t time(time_t *t) { if (t) *t = EPOCH; return EPOCH; }

/* File times and identity (WASI filestat times, inode = hash of dev and ino). */
static void fix(struct statx *st) {
  struct statx_timestamp t = { .tv_sec = EPOCH };
  st->stx_atime = st->stx_mtime = st->stx_ctime = st->stx_btime = t;
  st->stx_ino = 1; st->stx_dev_major = st->stx_dev_minor = 0;
}
int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *st) {
  static int (*real)(int, const char *, int, unsigned int, struct statx *);
  if (!real) real = (int (*)(int, const char *, int, unsigned int, struct statx *))dlsym(RTLD_NEXT, "statx");
  int r = real(dirfd, path, flags, mask, st);
  if (r == 0) fix(st);
  return r;
}

/* componentize-py's path lookups (cap-std via rustix) issue statx as raw syscalls, which
   no preload sees: trap those with seccomp, made from its own code only, and answer them. */
static long (*real_syscall)(long, ...);
static uintptr_t lo, hi;
static void on_sigsys(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx; int saved = errno; long a[5], r;
#if defined(__x86_64__)
  greg_t *g = uc->uc_mcontext.gregs; a[0] = g[REG_RDI]; a[1] = g[REG_RSI]; a[2] = g[REG_RDX]; a[3] = g[REG_R10]; a[4] = g[REG_R8];
#else
  for (int i = 0; i < 5; i++) a[i] = uc->uc_mcontext.regs[i];
#endif
  r = real_syscall(SYS_statx, a[0], a[1], a[2], a[3], a[4]); /* from libc: not trapped */
  if (r == 0) fix((struct statx *)a[4]); else r = -errno;
#if defined(__x86_64__)
  g[REG_RAX] = r;
#else
  uc->uc_mcontext.regs[0] = r;
#endif
  errno = saved;
}
static int find(struct dl_phdr_info *info, size_t size, void *data) {
  if (!strstr(info->dlpi_name, (const char *)data)) return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    if (p->p_type == PT_LOAD && (p->p_flags & PF_X)) { lo = info->dlpi_addr + p->p_vaddr; hi = lo + p->p_memsz; return 1; }
  }
  return 0;
}
static void trap_raw_statx(const char *object) {
  if (!dl_iterate_phdr(find, (void *)object) || (lo >> 32) != ((hi - 1) >> 32)) return;
  real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO | SA_RESTART };
  sigaction(SIGSYS, &sa, 0);
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_statx, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
  };
  struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  real_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
}
void *dlopen(const char *file, int mode) {
  static void *(*real)(const char *, int);
  if (!real) real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
  void *h = real(file, mode);
  static int done;
  if (h && file && !done && strstr(file, "componentize_py")) { done = 1; trap_raw_statx("componentize_py"); }
  return h;
}
