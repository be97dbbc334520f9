/* SPDX-License-Identifier: MIT */
/*
 * bpf-devices.c: the device allow-list on cgroup v2.
 *
 * v2 has no devices controller: the kernel asks the BPF_PROG_TYPE_CGROUP_DEVICE
 * programs attached to the cgroup instead, at every mknod and every open of
 * a device node by a task in it.  The program here allows what v1's
 * devices.allow list allows (cg_dev_allow, shared with cgroup-v1.c) and
 * denies everything else, which the kernel turns into EPERM.  Without it a
 * container's root could mknod any device (c 1:11 kmsg, the host's disks)
 * and use it.
 *
 * It is a handful of instructions written out here (no clang, no libbpf):
 *
 *   r2 = ctx->access_type & 0xffff       BPF_DEVCG_DEV_CHAR or _BLOCK
 *   r4 = ctx->major
 *   r5 = ctx->minor
 *   per rule:  if r2 != TYPE goto next
 *              if r4 != MAJOR goto next
 *              if r5 != MINOR goto next   (left out for MINOR "*")
 *              r0 = 1; exit               allowed: read, write and mknod
 *   next: ...
 *   r0 = 0; exit                          denied
 *
 * Attached with BPF_F_ALLOW_MULTI: programs the host put on an ancestor
 * still run (all of them must allow).  The attachment holds the program;
 * it goes with the cgroup.
 */
#include <linux/bpf.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

struct prog {
	struct bpf_insn *insn;
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	p->insn[p->n++] = (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm,
	};
}

static void load_ctx(struct prog *p, uint8_t dst, int16_t field)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, field, 0);
}

static void ret(struct prog *p, int32_t v)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, v);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* One rule: compares that jump past it on a mismatch, then "allow". */
static void emit_rule(struct prog *p, const struct cg_dev *d)
{
	int32_t want[3] = { d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, d->major, d->minor };
	uint8_t reg[3] = { BPF_REG_2, BPF_REG_4, BPF_REG_5 };
	size_t checks = d->minor < 0 ? 2 : 3;

	for (size_t i = 0; i < checks; i++) {
		/* to the instruction after this rule's exit */
		int16_t skip = (int16_t)(checks - i - 1 + 2);

		emit(p, BPF_JMP | BPF_JNE | BPF_K, reg[i], 0, skip, want[i]);
	}
	ret(p, 1);
}

/* 3 loads and an AND, at most 5 per rule, 2 at the end */
static void build(struct prog *p)
{
	p->insn = xcalloc(4 + 5 * cg_dev_allow_n + 2, sizeof(*p->insn));
	p->n = 0;
	load_ctx(p, BPF_REG_2, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	load_ctx(p, BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx, major));
	load_ctx(p, BPF_REG_5, offsetof(struct bpf_cgroup_dev_ctx, minor));
	for (size_t i = 0; i < cg_dev_allow_n; i++)
		emit_rule(p, &cg_dev_allow[i]);
	ret(p, 0);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cg_v2_devices(struct ctr_cgroup *cg, const struct ctr_config *cfg)
{
	static const char license[] = "MIT";   /* no GPL-only helper is called */
	_cleanup_close_ int prog_fd = -1;
	_cleanup_free_ struct bpf_insn *insn = NULL;
	struct prog p;
	union bpf_attr attr;

	if (cfg->privileged)
		return 0;
	build(&p);
	insn = p.insn;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p.insn;
	attr.insn_cnt = (uint32_t)p.n;
	attr.license = (uint64_t)(uintptr_t)license;
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (prog_fd < 0)
		return ctr_fail(-errno, "cgroup v2: load the device filter (eBPF)");
	if (cg->provisioned) {
		/* A provisioned cgroup outlives the run: attach through a link,
		 * which the kernel detaches when its last fd (held by the
		 * supervisor, cg->dev_link) closes, even after a kill -9. */
		memset(&attr, 0, sizeof(attr));
		attr.link_create.prog_fd = (uint32_t)prog_fd;
		attr.link_create.target_fd = (uint32_t)cg->h[0].fd;
		attr.link_create.attach_type = BPF_CGROUP_DEVICE;
		cg->dev_link = sys_bpf(BPF_LINK_CREATE, &attr);
		if (cg->dev_link >= 0)
			return 0;
		if (errno != EINVAL)
			return ctr_fail(-errno, "cgroup v2: link the device filter to %s", cg->h[0].path);
		/* before Linux 5.7: attached until the cgroup goes */
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cg->h[0].fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return ctr_fail(-errno, "cgroup v2: attach the device filter to %s", cg->h[0].path);
	return 0;
}
