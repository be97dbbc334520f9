/* SPDX-License-Identifier: MIT */
/*
 * caps.c: capability names and trimming the five capability sets.
 *
 * capget/capset are used through the raw syscalls (version 3, two 32-bit
 * words): small enough that libcap is not worth the dependency.
 */
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "security-int.h"
#include "security.h"
#include "util.h"

static const char *const cap_names[] = {
	[CAP_CHOWN] = "CHOWN",
	[CAP_DAC_OVERRIDE] = "DAC_OVERRIDE",
	[CAP_DAC_READ_SEARCH] = "DAC_READ_SEARCH",
	[CAP_FOWNER] = "FOWNER",
	[CAP_FSETID] = "FSETID",
	[CAP_KILL] = "KILL",
	[CAP_SETGID] = "SETGID",
	[CAP_SETUID] = "SETUID",
	[CAP_SETPCAP] = "SETPCAP",
	[CAP_LINUX_IMMUTABLE] = "LINUX_IMMUTABLE",
	[CAP_NET_BIND_SERVICE] = "NET_BIND_SERVICE",
	[CAP_NET_BROADCAST] = "NET_BROADCAST",
	[CAP_NET_ADMIN] = "NET_ADMIN",
	[CAP_NET_RAW] = "NET_RAW",
	[CAP_IPC_LOCK] = "IPC_LOCK",
	[CAP_IPC_OWNER] = "IPC_OWNER",
	[CAP_SYS_MODULE] = "SYS_MODULE",
	[CAP_SYS_RAWIO] = "SYS_RAWIO",
	[CAP_SYS_CHROOT] = "SYS_CHROOT",
	[CAP_SYS_PTRACE] = "SYS_PTRACE",
	[CAP_SYS_PACCT] = "SYS_PACCT",
	[CAP_SYS_ADMIN] = "SYS_ADMIN",
	[CAP_SYS_BOOT] = "SYS_BOOT",
	[CAP_SYS_NICE] = "SYS_NICE",
	[CAP_SYS_RESOURCE] = "SYS_RESOURCE",
	[CAP_SYS_TIME] = "SYS_TIME",
	[CAP_SYS_TTY_CONFIG] = "SYS_TTY_CONFIG",
	[CAP_MKNOD] = "MKNOD",
	[CAP_LEASE] = "LEASE",
	[CAP_AUDIT_WRITE] = "AUDIT_WRITE",
	[CAP_AUDIT_CONTROL] = "AUDIT_CONTROL",
	[CAP_SETFCAP] = "SETFCAP",
	[CAP_MAC_OVERRIDE] = "MAC_OVERRIDE",
	[CAP_MAC_ADMIN] = "MAC_ADMIN",
	[CAP_SYSLOG] = "SYSLOG",
	[CAP_WAKE_ALARM] = "WAKE_ALARM",
	[CAP_BLOCK_SUSPEND] = "BLOCK_SUSPEND",
	[CAP_AUDIT_READ] = "AUDIT_READ",
	[CAP_PERFMON] = "PERFMON",
	[CAP_BPF] = "BPF",
	[CAP_CHECKPOINT_RESTORE] = "CHECKPOINT_RESTORE",
};

int caps_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	if (strcasecmp(name, "ALL") == 0)
		return 64;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (cap_names[i] && strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *caps_name(int cap)
{
	static char buf[ARRAY_SIZE(cap_names)][32];

	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names) || !cap_names[cap])
		return NULL;
	if (!buf[cap][0])
		snprintf(buf[cap], sizeof(buf[cap]), "CAP_%s", cap_names[cap]);
	return buf[cap];
}

uint64_t caps_default(void)
{
	static const int defaults[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
		CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
		CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
	};
	uint64_t set = 0;

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		set |= CAP_BIT(defaults[i]);
	return set;
}

int caps_last(void)
{
	static int last = -1;

	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last cap; this
	 * needs no /proc, so it works before and after pivot_root. */
	if (last < 0) {
		last = 0;
		while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
			last++;
	}
	return last;
}

struct capsets {
	uint64_t effective, permitted, inheritable;
};

static int caps_get(struct capsets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return ctr_fail(-errno, "read capabilities (capget)");
	s->effective = data[0].effective | (uint64_t)data[1].effective << 32;
	s->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
	s->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct capsets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)s->effective, .permitted = (uint32_t)s->permitted,
		  .inheritable = (uint32_t)s->inheritable },
		{ .effective = (uint32_t)(s->effective >> 32), .permitted = (uint32_t)(s->permitted >> 32),
		  .inheritable = (uint32_t)(s->inheritable >> 32) },
	};

	if (syscall(SYS_capset, &hdr, data) < 0)
		return ctr_fail(-errno, "set capabilities (capset)");
	return 0;
}

/* Drop every capability outside keep from the bounding set.  Needs
 * CAP_SETPCAP in the effective set. */
static int drop_bounding(uint64_t keep)
{
	int last = caps_last();

	for (int c = 0; c <= last; c++) {
		if (keep & CAP_BIT(c))
			continue;
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			const char *n = caps_name(c);

			if (n)
				return ctr_fail(-errno, "drop %s from the bounding set", n);
			return ctr_fail(-errno, "drop capability %d from the bounding set", c);
		}
	}
	return 0;
}

int caps_apply(uint64_t keep)
{
	bool root = geteuid() == 0;
	struct capsets cur, want;
	int r;

	r = caps_get(&cur);
	if (r < 0)
		return r;

	/* After setuid to a non-root uid with PR_SET_KEEPCAPS the permitted
	 * set survives but the effective one is empty: raise CAP_SETPCAP
	 * again for the bounding-set drops. */
	if (!(cur.effective & CAP_BIT(CAP_SETPCAP)) && (cur.permitted & CAP_BIT(CAP_SETPCAP))) {
		want = cur;
		want.effective |= CAP_BIT(CAP_SETPCAP);
		r = caps_set(&want);
		if (r < 0)
			return r;
		cur = want;
	}

	if (cur.effective & CAP_BIT(CAP_SETPCAP)) {
		r = drop_bounding(keep);
		if (r < 0)
			return r;
	} else if (cur.permitted != 0) {
		/* Holding capabilities but unable to trim the bounding set. */
		return ctr_failx(-EPERM, "drop capabilities: CAP_SETPCAP is not held");
	}
	/* else: a non-root uid that lost every capability at setuid.  The
	 * bounding set stays as it was; no_new_privs (always set with it)
	 * keeps exec from granting anything back. */

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return ctr_fail(-errno, "clear the ambient capabilities");

	/* Docker's rule: root keeps the set in permitted and effective, a
	 * non-root user gets no capabilities at all.  Inheritable is empty
	 * for both (docker since the CVE-2022-24769 fix). */
	want.inheritable = 0;
	want.permitted = root ? (keep & cur.permitted) : 0;
	want.effective = want.permitted;
	r = caps_set(&want);
	if (r < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return ctr_fail(-errno, "clear PR_SET_KEEPCAPS");
	return 0;
}

int caps_narrow(uint64_t keep)
{
	struct capsets cur;
	int r = caps_get(&cur);

	if (r < 0)
		return r;
	cur.permitted &= keep;
	cur.effective &= keep;
	cur.inheritable = 0;
	return caps_set(&cur);
}
