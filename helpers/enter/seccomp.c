/* SPDX-License-Identifier: MIT */
/*
 * seccomp.c: the default filter.  An allow-list modelled on docker's
 * default profile (moby's profiles/seccomp/default.json): every system
 * call not listed fails with EPERM, so a call newer than this list (or
 * than the libseccomp ctr-enter is built with) never reaches the kernel.
 * clone3 fails with ENOSYS so that libc falls back to clone, whose flags a
 * filter can see.  A call guarded by a capability is allowed only when the
 * container holds that capability, as in docker (--cap-add SYS_ADMIN
 * allows mount, unshare, setns...).
 *
 * Where ctr differs from docker's list (docs/security.md says why):
 * statmount, listmount and mseal are not allowed; socket() refuses AF_ALG
 * and AF_VSOCK on the low 32 bits of the family (the kernel reads an int,
 * so 1<<32|40 must not pass); the 32-bit socketcall() multiplexer is
 * allowed for every call but SOCKET, whose family it hides; unshare() is
 * allowed without namespace flags (CLONE_FILES, CLONE_FS); ioctl's
 * TIOCSTI and TIOCLINUX are refused.
 *
 * The filter covers the native architecture and its compat one (x86 and
 * x32 on x86_64, arm on aarch64): a 64-bit process can still make 32-bit
 * calls (int 0x80), and those meet the same rules.
 *
 * "ioctl unless the command is TIOCSTI or TIOCLINUX" cannot be written
 * as libseccomp allow rules (one comparison per argument, and no rule may
 * repeat the default action), so it is a second, tiny hand-written BPF
 * filter stacked on the first.
 *
 * On kernels before 4.8 a ptrace()d process could change a system call
 * after seccomp had checked it, so there (as docker does) ptrace and
 * process_vm_readv/writev are allowed only with SYS_PTRACE.
 *
 * The filter for the default capabilities is compiled at build time
 * (helpers/enter/gen/seccomp-gen.c writes build/seccomp-default.h with this
 * file's own rules): a start then loads ready BPF instead of spending
 * about a millisecond in libseccomp.  Any other capability set
 * (--cap-add, --cap-drop) is compiled at start.
 */
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/net.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "security-int.h"
#include "security.h"
#include "util.h"

#ifdef CTR_SECCOMP_PRECOMPILED
#include "seccomp-default.h"
#endif

#define ALWAYS (-1)

/* Allowed whatever the capabilities: docker's list (the names of every
 * architecture; a name this libseccomp or an architecture does not know
 * is skipped, and that call then gets EPERM like any unlisted one). */
static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat",
	"capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
	"clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
	"clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close",
	"close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve",
	"execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
	"fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
	"fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat",
	"fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
	"futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents",
	"getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
	"getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
	"getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
	"getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
	"getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid",
	"gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
	"inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
	"io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
	"io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit",
	"ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat",
	"listen", "listxattr", "listxattrat", "llistxattr", "_llseek", "lremovexattr",
	"lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
	"membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat",
	"mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
	"mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
	"munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
	"_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
	"pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect",
	"poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
	"prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
	"pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
	"recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages",
	"removexattr", "removexattrat", "rename", "renameat", "renameat2",
	"restart_syscall", "riscv_hwprobe", "rmdir", "rseq", "rt_sigaction",
	"rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
	"sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
	"seccomp", "select", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
	"sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
	"setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
	"setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
	"setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
	"set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr",
	"setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
	"signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketpair", "splice",
	"stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
	"sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
	"timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
	"timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
	"truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
	"uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork",
	"vmsplice", "wait4", "waitid", "waitpid", "write", "writev", "arch_prctl",
	"modify_ldt", "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
	"breakpoint", "cacheflush", "set_tls",
};

struct cap_rule {
	const char *name;
	int cap, cap2;  /* allowed when the container holds cap (or cap2) */
};

/* Allowed only with a capability, as in docker. */
static const struct cap_rule cap_rules[] = {
	/* the mount API: remount the rootfs, reach the host's filesystems */
	{ "mount", CAP_SYS_ADMIN, ALWAYS },
	{ "umount", CAP_SYS_ADMIN, ALWAYS },
	{ "umount2", CAP_SYS_ADMIN, ALWAYS },
	{ "pivot_root", CAP_SYS_ADMIN, ALWAYS },
	{ "fsopen", CAP_SYS_ADMIN, ALWAYS },
	{ "fsconfig", CAP_SYS_ADMIN, ALWAYS },
	{ "fsmount", CAP_SYS_ADMIN, ALWAYS },
	{ "fspick", CAP_SYS_ADMIN, ALWAYS },
	{ "move_mount", CAP_SYS_ADMIN, ALWAYS },
	{ "open_tree", CAP_SYS_ADMIN, ALWAYS },
	{ "open_tree_attr", CAP_SYS_ADMIN, ALWAYS },
	{ "mount_setattr", CAP_SYS_ADMIN, ALWAYS },
	/* namespaces: a new user namespace hands out a full capability set */
	{ "setns", CAP_SYS_ADMIN, ALWAYS },
	/* other CAP_SYS_ADMIN calls */
	{ "quotactl", CAP_SYS_ADMIN, ALWAYS },
	{ "quotactl_fd", CAP_SYS_ADMIN, ALWAYS },
	{ "lookup_dcookie", CAP_SYS_ADMIN, ALWAYS },
	{ "fanotify_init", CAP_SYS_ADMIN, ALWAYS },
	{ "sethostname", CAP_SYS_ADMIN, ALWAYS },
	{ "setdomainname", CAP_SYS_ADMIN, ALWAYS },
	{ "lsm_get_self_attr", CAP_SYS_ADMIN, ALWAYS },
	{ "lsm_set_self_attr", CAP_SYS_ADMIN, ALWAYS },
	{ "lsm_list_modules", CAP_SYS_ADMIN, ALWAYS },
	{ "bpf", CAP_SYS_ADMIN, CAP_BPF },
	{ "perf_event_open", CAP_SYS_ADMIN, CAP_PERFMON },
	{ "syslog", CAP_SYS_ADMIN, CAP_SYSLOG },
	/* the kernel itself */
	{ "init_module", CAP_SYS_MODULE, ALWAYS },
	{ "finit_module", CAP_SYS_MODULE, ALWAYS },
	{ "delete_module", CAP_SYS_MODULE, ALWAYS },
	{ "reboot", CAP_SYS_BOOT, ALWAYS },
	{ "acct", CAP_SYS_PACCT, ALWAYS },
	{ "iopl", CAP_SYS_RAWIO, ALWAYS },
	{ "ioperm", CAP_SYS_RAWIO, ALWAYS },
	{ "vhangup", CAP_SYS_TTY_CONFIG, ALWAYS },
	{ "chroot", CAP_SYS_CHROOT, ALWAYS },
	/* the clock is not namespaced */
	{ "settimeofday", CAP_SYS_TIME, ALWAYS },
	{ "stime", CAP_SYS_TIME, ALWAYS },
	{ "clock_settime", CAP_SYS_TIME, ALWAYS },
	{ "clock_settime64", CAP_SYS_TIME, ALWAYS },
	/* file handles walk around the mount namespace (the "shocker" escape) */
	{ "open_by_handle_at", CAP_DAC_READ_SEARCH, ALWAYS },
	/* looking into other processes beyond ptrace's own checks */
	{ "kcmp", CAP_SYS_PTRACE, ALWAYS },
	{ "pidfd_getfd", CAP_SYS_PTRACE, ALWAYS },
	{ "process_madvise", CAP_SYS_PTRACE, ALWAYS },
	/* NUMA policy of memory shared with the host */
	{ "get_mempolicy", CAP_SYS_NICE, ALWAYS },
	{ "set_mempolicy", CAP_SYS_NICE, ALWAYS },
	{ "set_mempolicy_home_node", CAP_SYS_NICE, ALWAYS },
	{ "mbind", CAP_SYS_NICE, ALWAYS },
	/* Never allowed, as in docker (by not being listed): the keyring
	 * (not namespaced), kexec, swapon/swapoff, io_uring (it bypasses this
	 * filter for its own operations), userfaultfd, migrate_pages,
	 * move_pages, and the obsolete calls (uselib, _sysctl, ustat, sysfs,
	 * nfsservctl, vm86...).  Not yet allowed (newer than docker's list
	 * before 28.2, see docs/security.md): statmount, listmount, mseal,
	 * file_getattr, file_setattr. */
};

/* Before 4.8 seccomp ran before ptrace could rewrite the call: a tracer
 * could turn an allowed call into a denied one (docker's MinKernel 4.8). */
static const struct cap_rule ptrace_rules[] = {
	{ "ptrace", CAP_SYS_PTRACE, ALWAYS },
	{ "process_vm_readv", CAP_SYS_PTRACE, ALWAYS },
	{ "process_vm_writev", CAP_SYS_PTRACE, ALWAYS },
};

/* Whether a kernel of this release (uname -r) needs ptrace denied: before
 * 4.8, or unparsable. */
static bool secfilter_kernel_is_old(const char *release)
{
	unsigned major, minor;

	/* a release that does not start with MAJOR.MINOR: assume the worst */
	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return true;
	return major < 4 || (major == 4 && minor < 8);
}

static bool running_kernel_is_old(void)
{
	struct utsname u;

	return uname(&u) < 0 || secfilter_kernel_is_old(u.release);
}

/* Namespace flags of clone(2) and unshare(2); CLONE_NEWTIME only exists
 * for unshare (clone's low byte is the exit signal). */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static bool holds(uint64_t caps, int cap)
{
	return cap != ALWAYS && (caps & CAP_BIT(cap));
}

/* libseccomp knows syscalls by name per architecture; a name no
 * architecture of the filter has (or that this libseccomp predates) is
 * skipped, a name only some have is added where it exists.  On 32-bit
 * x86 libseccomp also adds a rule for the multiplexer (socketcall, ipc). */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name,
		    unsigned n_args, const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	r = seccomp_rule_add_array(ctx, action, nr, n_args, args);
	if (r < 0)
		return ctr_fail(r, "seccomp: add the rule for %s", name);
	return 0;
}

static int allow(scmp_filter_ctx ctx, const char *name)
{
	return add_rule(ctx, SCMP_ACT_ALLOW, name, 0, NULL);
}

/* allow NAME when the low 32 bits of argument ARG, masked with MASK, are
 * VALUE (the kernel reads these arguments as int) */
static int allow_masked(scmp_filter_ctx ctx, const char *name, unsigned arg,
			uint32_t mask, uint32_t value)
{
	struct scmp_arg_cmp cmp = { arg, SCMP_CMP_MASKED_EQ, mask, value };

	return add_rule(ctx, SCMP_ACT_ALLOW, name, 1, &cmp);
}

static int allow_cap_rules(scmp_filter_ctx ctx, uint64_t caps, const struct cap_rule *rules, size_t n,
			   bool always)
{
	for (size_t i = 0; i < n; i++) {
		int r;

		if (!always && !holds(caps, rules[i].cap) && !holds(caps, rules[i].cap2))
			continue;
		r = allow(ctx, rules[i].name);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_plain_rules(scmp_filter_ctx ctx, uint64_t caps, bool old_kernel)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(allowed); i++)
		r = allow(ctx, allowed[i]);
	if (r >= 0)
		r = allow_cap_rules(ctx, caps, cap_rules, ARRAY_SIZE(cap_rules), false);
	if (r >= 0)
		r = allow_cap_rules(ctx, caps, ptrace_rules, ARRAY_SIZE(ptrace_rules), !old_kernel);
	return r;
}

static int add_namespace_rules(scmp_filter_ctx ctx, uint64_t caps)
{
	int r;

	if (holds(caps, CAP_SYS_ADMIN)) {
		r = allow(ctx, "clone");
		if (r >= 0)
			r = allow(ctx, "clone3");
		return r < 0 ? r : allow(ctx, "unshare");
	}
	/* clone's flags are arg0 on every architecture we build for (x86,
	 * arm); s390 would need arg1.  The kernel reads the low 32 bits. */
	r = allow_masked(ctx, "clone", 0, CLONE_NS_FLAGS, 0);
	/* unshare() without namespace flags (CLONE_FILES, CLONE_FS) is fine */
	if (r >= 0)
		r = allow_masked(ctx, "unshare", 0, CLONE_NS_FLAGS | CLONE_NEWTIME, 0);
	/* clone3's flags are behind a pointer: ENOSYS makes glibc use clone */
	if (r >= 0)
		r = add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	return r;
}

/*
 * socket(): every family below 64 (the kernel has fewer) but AF_ALG (38,
 * the kernel's crypto API, docker refuses it too) and AF_VSOCK (40, the
 * hypervisor's channel, in no network namespace).  Written as aligned
 * blocks of the family's low 32 bits: the kernel reads an int, so the
 * upper half must not count (1<<32|40 is AF_VSOCK to the kernel).
 * On 32-bit x86 the socketcall() multiplexer is allowed for its calls but
 * SOCKET, which the argument filter refuses (the family hides behind a
 * pointer there): 32-bit programs that make sockets through socketcall get
 * EPERM; the direct socket() call works.
 */
static int add_socket_rules(scmp_filter_ctx ctx)
{
	static const struct { uint32_t mask, value; } families[] = {
		{ ~0x1fu, 0 },  /* 0-31 */
		{ ~0x3u, 32 },  /* 32-35 */
		{ ~0x1u, 36 },  /* 36-37 */
		{ ~0x0u, 39 },  /* 39 */
		{ ~0x0u, 41 },  /* 41 */
		{ ~0x1u, 42 },  /* 42-43 */
		{ ~0x3u, 44 },  /* 44-47 */
		{ ~0xfu, 48 },  /* 48-63 */
	}, calls[] = {
		{ ~0x1u, SYS_BIND },     /* 2-3 */
		{ ~0x3u, SYS_LISTEN },   /* 4-7 */
		{ ~0x7u, SYS_SEND },     /* 8-15 */
		{ ~0x3u, SYS_RECVMSG },  /* 16-19: recvmsg accept4 recvmmsg sendmmsg */
		{ ~0x0u, SYS_SENDMMSG }, /* 20 */
	};
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(families); i++)
		r = allow_masked(ctx, "socket", 0, families[i].mask, families[i].value);
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(calls); i++)
		r = allow_masked(ctx, "socketcall", 0, calls[i].mask, calls[i].value);
	return r;
}

/* personality(): Linux, linux32, UNAME26 and the query, as docker */
static int add_personality_rules(scmp_filter_ctx ctx)
{
	static const uint32_t values[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(values); i++)
		r = allow_masked(ctx, "personality", 0, 0xffffffff, values[i]);
	return r;
}

static int add_compat_arches(scmp_filter_ctx ctx)
{
	static const struct { uint32_t native, compat; } pairs[] = {
		{ SCMP_ARCH_X86_64, SCMP_ARCH_X86 },
		{ SCMP_ARCH_X86_64, SCMP_ARCH_X32 },
		{ SCMP_ARCH_AARCH64, SCMP_ARCH_ARM },
	};
	uint32_t native = seccomp_arch_native();

	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		int r;

		if (pairs[i].native != native)
			continue;
		r = seccomp_arch_add(ctx, pairs[i].compat);
		if (r < 0 && r != -EEXIST)
			return ctr_fail(r, "seccomp: add the compat architecture");
	}
	return 0;
}

/* --- argument values: a second filter, hand-written ------------------ */

/*
 * Two refusals that libseccomp cannot write as allow rules (one comparison
 * per argument, and no rule may repeat the default action):
 *
 * - ioctl's TIOCSTI pushes input into a terminal: with the host's terminal
 *   on stdout, into the shell that started the container.  TIOCLINUX pastes
 *   the console selection the same way.  (bubblewrap's users filter both;
 *   the kernel reads the command as an unsigned int.)
 * - 32-bit x86's socketcall(SOCKET): the family hides behind a pointer, so
 *   AF_VSOCK and AF_ALG could not be told apart; libseccomp's rewrite of
 *   the socket() rules allows it.  Refused whatever the family.
 *
 * Per (arch, syscall): if arch and nr match, EPERM when the low 32 bits of
 * the argument are one of the values, else allow; nothing else is looked at.
 */
struct arg_deny {
	uint32_t scmp_arch;   /* 0: the native one */
	const char *name;
	unsigned arg;
	uint32_t values[2];
	size_t n_values;
};

static const struct arg_deny arg_denies[] = {
	{ 0, "ioctl", 1, { TIOCSTI, TIOCLINUX }, 2 },
	{ SCMP_ARCH_X86, "ioctl", 1, { TIOCSTI, TIOCLINUX }, 2 },
	{ SCMP_ARCH_X32, "ioctl", 1, { TIOCSTI, TIOCLINUX }, 2 },
	{ SCMP_ARCH_ARM, "ioctl", 1, { TIOCSTI, TIOCLINUX }, 2 },
	{ SCMP_ARCH_X86, "socketcall", 0, { SYS_SOCKET }, 1 },
};

/* The AUDIT_ARCH the kernel reports for a libseccomp arch of this filter
 * (0: not one of them); x32 reports AUDIT_ARCH_X86_64 with the x32 bit in nr. */
static uint32_t audit_arch(uint32_t scmp_arch)
{
	uint32_t native = seccomp_arch_native();

	if (scmp_arch == 0 || scmp_arch == native)
		return native;
	if (native == SCMP_ARCH_X86_64 && scmp_arch == SCMP_ARCH_X86)
		return AUDIT_ARCH_I386;
	if (native == SCMP_ARCH_X86_64 && scmp_arch == SCMP_ARCH_X32)
		return AUDIT_ARCH_X86_64;
	if (native == SCMP_ARCH_AARCH64 && scmp_arch == SCMP_ARCH_ARM)
		return AUDIT_ARCH_ARM;
	return 0;
}

static uint32_t arg_lo(unsigned arg)
{
	return (uint32_t)offsetof(struct seccomp_data, args[arg])
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		+ 4
#endif
		;
}

#define ARG_DENY_MAX_INSNS (ARRAY_SIZE(arg_denies) * 8 + 2)

/*   per entry:  A = arch; if A != ARCH skip
 *               A = nr;   if A != NR skip
 *               A = low 32 bits of the argument
 *               if A == VALUE goto deny (per value)
 *               allow
 *   allow
 *   deny: EPERM */
static int load_arg_filter(void)
{
	struct sock_filter f[ARG_DENY_MAX_INSNS];
	size_t n = 0, to_deny[ARG_DENY_MAX_INSNS], n_deny = 0;
	struct sock_fprog prog;

	for (size_t i = 0; i < ARRAY_SIZE(arg_denies); i++) {
		const struct arg_deny *d = &arg_denies[i];
		uint32_t arch = audit_arch(d->scmp_arch);
		int nr = arch ? seccomp_syscall_resolve_name_arch(d->scmp_arch ? d->scmp_arch : arch, d->name) : -1;
		uint8_t len = (uint8_t)(6 + d->n_values);   /* this block */

		if (nr < 0)
			continue;
		f[n] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
		f[n + 1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, (uint8_t)(len - 2));
		f[n + 2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		f[n + 3] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, (uint8_t)(len - 4));
		f[n + 4] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg_lo(d->arg));
		n += 5;
		for (size_t v = 0; v < d->n_values; v++) {
			to_deny[n_deny++] = n;
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, d->values[v], 0, 0);
		}
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	if (n == 0)
		return 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < n_deny; i++)
		f[to_deny[i]].jt = (uint8_t)(n - to_deny[i] - 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));

	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return ctr_fail(-errno, "seccomp: load the argument filter");
	return 0;
}

/* --- the main filter ------------------------------------------------- */

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int build_filter(uint64_t caps, bool old_kernel, scmp_filter_ctx *out)
{
	_cleanup_(release_ctx) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx)
		return ctr_failx(-ENOMEM, "seccomp: create the filter");
	/* A binary tree of syscall numbers instead of a list: the kernel runs
	 * the filter for every syscall of the container, and once per syscall
	 * number when it is loaded (to build its allow cache). */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return ctr_fail(r, "seccomp: ask for a binary-tree filter");
	r = add_compat_arches(ctx);
	if (r >= 0)
		r = add_plain_rules(ctx, caps, old_kernel);
	if (r >= 0)
		r = add_namespace_rules(ctx, caps);
	if (r >= 0)
		r = add_socket_rules(ctx);
	if (r >= 0)
		r = add_personality_rules(ctx);
	if (r < 0)
		return r;
	*out = ctr_steal_ptr(&ctx);
	return 0;
}

#ifdef CTR_SECCOMP_PRECOMPILED
/* The default filter, built at build time (no_new_privs is already set). */
static int load_precompiled(void)
{
	struct sock_fprog prog = {
		.len = (unsigned short)ARRAY_SIZE(ctr_default_filter),
		.filter = (struct sock_filter *)ctr_default_filter,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return ctr_fail(-errno, "seccomp: load the filter");
	return 0;
}
#endif

int secfilter_load(uint64_t caps)
{
	_cleanup_(release_ctx) scmp_filter_ctx ctx = NULL;
	bool old_kernel = running_kernel_is_old();
	int r;

#ifdef CTR_SECCOMP_PRECOMPILED
	/* the embedded filter is the one for kernels >= 4.8 */
	if (caps == CTR_DEFAULT_FILTER_CAPS && seccomp_arch_native() == CTR_DEFAULT_FILTER_ARCH &&
	    !old_kernel) {
		r = load_precompiled();
		return r < 0 ? r : load_arg_filter();
	}
#endif
	r = build_filter(caps, old_kernel, &ctx);
	if (r < 0)
		return r;
	r = seccomp_load(ctx);
	if (r < 0)
		return ctr_fail(r, "seccomp: load the filter");
	return load_arg_filter();
}

int secfilter_export_bpf(uint64_t caps, int fd)
{
	_cleanup_(release_ctx) scmp_filter_ctx ctx = NULL;
	int r = build_filter(caps, false, &ctx);

	if (r < 0)
		return r;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return ctr_fail(r, "seccomp: export the filter");
	return 0;
}

int secfilter_export(uint64_t caps, const char *release, int fd)
{
	_cleanup_(release_ctx) scmp_filter_ctx ctx = NULL;
	int r = build_filter(caps, release ? secfilter_kernel_is_old(release) : running_kernel_is_old(),
			     &ctx);

	if (r < 0)
		return r;
	r = seccomp_export_pfc(ctx, fd);
	if (r < 0)
		return ctr_fail(r, "seccomp: export the filter");
	return 0;
}
