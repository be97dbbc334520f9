/* SPDX-License-Identifier: MIT */
/*
 * seccomp.c: the default filter.  Modelled on docker's default profile,
 * written as a deny list: everything is allowed except the calls below,
 * which fail with EPERM (clone3 with ENOSYS so that libc falls back to
 * clone, whose flags a filter can see).  A call guarded by a capability
 * is denied only when the container does not hold that capability, as
 * docker does (--cap-add SYS_ADMIN re-enables mount, unshare, setns...).
 *
 * The filter covers the native architecture and its compat one (x86 and
 * x32 on x86_64, arm on aarch64): a 64-bit process can still make 32-bit
 * calls (int 0x80), and those must meet the same rules.
 *
 * personality() needs "arg0 not in a set", which libseccomp 2.5 cannot
 * express with one comparison per argument, so it is a second, tiny
 * hand-written BPF filter stacked on the first.
 *
 * On kernels before 4.8 a ptrace()d process could change a system call
 * after seccomp had checked it, so there (as docker does) ptrace and
 * process_vm_readv/writev are denied too, unless the container holds
 * SYS_PTRACE.
 *
 * The filter for the default capabilities is compiled at build time
 * (helpers/gen/seccomp-gen.c writes build/seccomp-default.h with this
 * file's own rules): a start then loads ready BPF instead of spending
 * about a millisecond in libseccomp.  Any other capability set
 * (--cap-add, --cap-drop) is compiled at start, as before.
 */
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
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

struct deny_rule {
	const char *name;
	int cap, cap2;  /* allowed when the container holds cap (or cap2); ALWAYS: never */
};

static const struct deny_rule deny_rules[] = {
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
	/* other CAP_SYS_ADMIN calls docker keeps behind the capability */
	{ "quotactl", CAP_SYS_ADMIN, ALWAYS },
	{ "quotactl_fd", CAP_SYS_ADMIN, ALWAYS },
	{ "lookup_dcookie", CAP_SYS_ADMIN, ALWAYS },
	{ "fanotify_init", CAP_SYS_ADMIN, ALWAYS },
	{ "sethostname", CAP_SYS_ADMIN, ALWAYS },
	{ "setdomainname", CAP_SYS_ADMIN, ALWAYS },
	{ "bpf", CAP_SYS_ADMIN, CAP_BPF },
	{ "perf_event_open", CAP_SYS_ADMIN, CAP_PERFMON },
	/* the kernel itself */
	{ "init_module", CAP_SYS_MODULE, ALWAYS },
	{ "finit_module", CAP_SYS_MODULE, ALWAYS },
	{ "delete_module", CAP_SYS_MODULE, ALWAYS },
	{ "reboot", CAP_SYS_BOOT, ALWAYS },
	{ "kexec_load", ALWAYS, ALWAYS },
	{ "kexec_file_load", ALWAYS, ALWAYS },
	{ "swapon", ALWAYS, ALWAYS },
	{ "swapoff", ALWAYS, ALWAYS },
	{ "acct", CAP_SYS_PACCT, ALWAYS },
	{ "syslog", CAP_SYSLOG, ALWAYS },
	{ "iopl", CAP_SYS_RAWIO, ALWAYS },
	{ "ioperm", CAP_SYS_RAWIO, ALWAYS },
	{ "vhangup", CAP_SYS_TTY_CONFIG, ALWAYS },
	/* the clock is not namespaced */
	{ "settimeofday", CAP_SYS_TIME, ALWAYS },
	{ "stime", CAP_SYS_TIME, ALWAYS },
	{ "clock_settime", CAP_SYS_TIME, ALWAYS },
	{ "clock_settime64", CAP_SYS_TIME, ALWAYS },
	/* the kernel keyring is not namespaced */
	{ "keyctl", ALWAYS, ALWAYS },
	{ "add_key", ALWAYS, ALWAYS },
	{ "request_key", ALWAYS, ALWAYS },
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
	{ "migrate_pages", CAP_SYS_NICE, ALWAYS },
	{ "move_pages", CAP_SYS_NICE, ALWAYS },
	/* a large attack surface that bypasses this filter for its own ops
	 * (docker denies it since 25.0) */
	{ "io_uring_setup", ALWAYS, ALWAYS },
	{ "io_uring_enter", ALWAYS, ALWAYS },
	{ "io_uring_register", ALWAYS, ALWAYS },
	/* userfaultfd makes kernel races easy to win */
	{ "userfaultfd", ALWAYS, ALWAYS },
	/* obsolete or unimplemented, never needed */
	{ "uselib", ALWAYS, ALWAYS },
	{ "_sysctl", ALWAYS, ALWAYS },
	{ "ustat", ALWAYS, ALWAYS },
	{ "sysfs", ALWAYS, ALWAYS },
	{ "nfsservctl", ALWAYS, ALWAYS },
	{ "create_module", ALWAYS, ALWAYS },
	{ "get_kernel_syms", ALWAYS, ALWAYS },
	{ "query_module", ALWAYS, ALWAYS },
	{ "bdflush", ALWAYS, ALWAYS },
	{ "vm86", ALWAYS, ALWAYS },
	{ "vm86old", ALWAYS, ALWAYS },
};

/* Before 4.8 seccomp ran before ptrace could rewrite the call: a tracer
 * could turn an allowed call into a denied one (docker's MinKernel 4.8). */
static const struct deny_rule old_kernel_rules[] = {
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
static const uint64_t clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	CLONE_NEWNET, CLONE_NEWCGROUP,
};
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static bool holds(uint64_t caps, int cap)
{
	return cap != ALWAYS && (caps & CAP_BIT(cap));
}

/* libseccomp knows syscalls by name per architecture; a name no
 * architecture of the filter has (or that this libseccomp predates) is
 * skipped, a name only some have is added where it exists. */
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

static int add_deny_list(scmp_filter_ctx ctx, uint64_t caps, const struct deny_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct deny_rule *d = &rules[i];
		int r;

		if (holds(caps, d->cap) || holds(caps, d->cap2))
			continue;
		r = add_rule(ctx, SCMP_ACT_ERRNO(EPERM), d->name, 0, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_deny_rules(scmp_filter_ctx ctx, uint64_t caps, bool old_kernel)
{
	int r = add_deny_list(ctx, caps, deny_rules, ARRAY_SIZE(deny_rules));

	if (r < 0 || !old_kernel)
		return r;
	return add_deny_list(ctx, caps, old_kernel_rules, ARRAY_SIZE(old_kernel_rules));
}

/* One rule per namespace flag: (flags & FLAG) == FLAG -> EPERM. */
static int add_flag_rules(scmp_filter_ctx ctx, const char *name, uint64_t extra_flag)
{
	for (size_t i = 0; i <= ARRAY_SIZE(clone_ns_flags); i++) {
		uint64_t f = i < ARRAY_SIZE(clone_ns_flags) ? clone_ns_flags[i] : extra_flag;
		struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, f, f);
		int r;

		if (!f)
			continue;
		r = add_rule(ctx, SCMP_ACT_ERRNO(EPERM), name, 1, &cmp);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_namespace_rules(scmp_filter_ctx ctx, uint64_t caps)
{
	int r;

	if (holds(caps, CAP_SYS_ADMIN))
		return 0;
	/* clone's flags are arg0 on every architecture we build for (x86,
	 * arm); s390 would need arg1. */
	r = add_flag_rules(ctx, "clone", 0);
	if (r < 0)
		return r;
	/* unshare() without namespace flags (CLONE_FILES, CLONE_FS) is fine */
	r = add_flag_rules(ctx, "unshare", CLONE_NEWTIME);
	if (r < 0)
		return r;
	/* clone3's flags are behind a pointer: ENOSYS makes glibc use clone */
	return add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
}

static int add_socket_rules(scmp_filter_ctx ctx)
{
	/* vsock talks to the hypervisor and is in no network namespace.
	 * (32-bit socketcall() hides its arguments; docker has the same gap.) */
	/* the kernel reads an int: compare the low 32 bits only, or 1<<32|40 slips past */
	struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff, AF_VSOCK);

	return add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "socket", 1, &cmp);
}

static int add_ioctl_rules(scmp_filter_ctx ctx)
{
	/* TIOCSTI pushes input into a terminal: with the host's terminal on
	 * stdout, into the shell that started the container.  TIOCLINUX
	 * pastes the console selection the same way.  (bubblewrap's users
	 * filter both; the kernel reads the command as an unsigned int.) */
	static const unsigned long cmds[] = { TIOCSTI, TIOCLINUX };

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		struct scmp_arg_cmp cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffff, cmds[i]);
		int r = add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &cmp);

		if (r < 0)
			return r;
	}
	return 0;
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

/* --- personality: a second filter, hand-written --------------------- */

#define MAX_PERS_ARCHES 4

struct pers_arch {
	uint32_t audit_arch;
	uint32_t nr;
};

static size_t personality_arches(struct pers_arch *out)
{
	uint32_t native = seccomp_arch_native();
	size_t n = 0;
	int nr;

	nr = seccomp_syscall_resolve_name_arch(native, "personality");
	if (nr >= 0)
		out[n++] = (struct pers_arch){ native, (uint32_t)nr };
	if (native == SCMP_ARCH_X86_64) {
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "personality");
		if (nr >= 0)
			out[n++] = (struct pers_arch){ AUDIT_ARCH_I386, (uint32_t)nr };
		/* x32 reports AUDIT_ARCH_X86_64 with the x32 bit in nr */
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X32, "personality");
		if (nr >= 0)
			out[n++] = (struct pers_arch){ AUDIT_ARCH_X86_64, (uint32_t)nr };
	} else if (native == SCMP_ARCH_AARCH64) {
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_ARM, "personality");
		if (nr >= 0)
			out[n++] = (struct pers_arch){ AUDIT_ARCH_ARM, (uint32_t)nr };
	}
	return n;
}

/*
 *   A = arch; for each (arch, nr): if A == arch && nr == NR goto check
 *   allow
 * check:
 *   A = low 32 bits of arg0 (the kernel reads an unsigned int)
 *   if A in {0, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query} allow
 *   EPERM
 */
static int load_personality_filter(void)
{
	static const uint32_t allowed[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
	struct pers_arch arches[MAX_PERS_ARCHES];
	size_t n_arches = personality_arches(arches);
	struct sock_filter f[4 * MAX_PERS_ARCHES + ARRAY_SIZE(allowed) + 8];
	size_t n = 0, check, jumps[MAX_PERS_ARCHES];
	const uint32_t arg0_lo = offsetof(struct seccomp_data, args[0])
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		+ 4
#endif
		;
	struct sock_fprog prog;

	if (n_arches == 0)
		return 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < n_arches; i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arches[i].audit_arch, 0, 3);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		jumps[i] = n;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arches[i].nr, 0, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	check = n;
	for (size_t i = 0; i < n_arches; i++)
		f[jumps[i]].jt = (uint8_t)(check - jumps[i] - 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0_lo);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		/* jump to the final "allow", past the remaining checks and EPERM */
		uint8_t to_allow = (uint8_t)(ARRAY_SIZE(allowed) - i);

		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[i], to_allow, 0);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return ctr_fail(-errno, "seccomp: load the personality filter");
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
	_cleanup_(release_ctx) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
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
		r = add_deny_rules(ctx, caps, old_kernel);
	if (r >= 0)
		r = add_namespace_rules(ctx, caps);
	if (r >= 0)
		r = add_socket_rules(ctx);
	if (r >= 0)
		r = add_ioctl_rules(ctx);
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
		return r < 0 ? r : load_personality_filter();
	}
#endif
	r = build_filter(caps, old_kernel, &ctx);
	if (r < 0)
		return r;
	r = seccomp_load(ctx);
	if (r < 0)
		return ctr_fail(r, "seccomp: load the filter");
	return load_personality_filter();
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
