/* SPDX-License-Identifier: MIT */
/*
 * floor.c: what each kernel step of a container start costs on this host,
 * alone (bench/start.sh prints it beside the start-to-exit table).  Every
 * step runs RUNS times in a fresh child; the median wall time is printed as
 * "step<TAB>microseconds".  Root only; nothing is left behind (the mounts
 * die with the children's mount namespaces, the cgroup dirs are removed).
 *
 *   floor ROOTFS SCRATCH CGROUP_DIR [CGROUP_V1_DIR...]
 *
 * ROOTFS: an image (the overlay's lower layer); SCRATCH: an empty directory
 * for upper/work/merged; CGROUP_DIR: an existing, empty cgroup directory in
 * which the probe may make and remove children (v2, or one v1 hierarchy);
 * further v1 hierarchies' directories for the all-hierarchies rows.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 31

static const char *rootfs, *scratch;
static char **cgdirs;
static int ncg;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A step: returns its own duration in microseconds (measured inside), or
 * a negative value on failure. */
typedef double (*step_fn)(void);

/* fn(arg) in a fresh child, which reports its figure through a pipe. */
static double in_child(double (*fn)(void *), void *arg)
{
	double d = -1;
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		d = fn(arg);
		if (write(p[1], &d, sizeof(d)) != sizeof(d))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &d, sizeof(d)) != sizeof(d))
		d = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return d;
}

static double call_step(void *fn)
{
	return ((step_fn)fn)();
}

/* Run fn in a fresh child RUNS times; the median. */
static void measure(const char *name, step_fn fn)
{
	double v[RUNS];
	int n = 0;

	for (int i = 0; i < RUNS; i++) {
		double d = in_child(call_step, (void *)fn);

		if (d >= 0)
			v[n++] = d;
	}
	if (n == 0) {
		printf("%s\tfailed\n", name);
		return;
	}
	qsort(v, (size_t)n, sizeof(v[0]), cmp);
	printf("%s\t%.0f\n", name, v[n / 2]);
	fflush(stdout);
}

static double step_fork(void)
{
	double t0 = now_us();
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return now_us() - t0;
}

static double step_clone_newpid(void)
{
	double t0 = now_us();
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	waitpid(pid, NULL, 0);
	return now_us() - t0;
}

static double step_unshare_mnt(void)
{
	double t0 = now_us();

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	return now_us() - t0;
}

static double step_unshare_uts_ipc(void)
{
	double t0 = now_us();

	return unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0 ? -1 : now_us() - t0;
}

/* The overlay, /proc, /dev (a tmpfs) and pivot_root, each timed alone
 * after the namespace steps before it. */
static char upper[4096], work[4096], merged[4096];

static int prepare_overlay(int which)
{
	char opts[16384];

	snprintf(upper, sizeof(upper), "%s/upper-%d", scratch, getpid());
	snprintf(work, sizeof(work), "%s/work-%d", scratch, getpid());
	snprintf(merged, sizeof(merged), "%s/merged-%d", scratch, getpid());
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", scratch, "tmpfs", 0, NULL) < 0 ||
	    mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0 || mkdir(merged, 0755) < 0)
		return -1;
	if (which == 0)
		return 0;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", rootfs, upper, work);
	return mount("overlay", merged, "overlay", 0, opts);
}

static double step_overlay(void)
{
	char opts[16384];
	double t0;

	if (prepare_overlay(0) < 0)
		return -1;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", rootfs, upper, work);
	t0 = now_us();
	return mount("overlay", merged, "overlay", 0, opts) < 0 ? -1 : now_us() - t0;
}

static double mount_proc(void *dir)
{
	double t0 = now_us();

	return mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ? -1 : now_us() - t0;
}

static double step_proc(void)
{
	char proc[4200];

	if (prepare_overlay(1) < 0 || unshare(CLONE_NEWPID) < 0)
		return -1;
	snprintf(proc, sizeof(proc), "%s/proc", merged);
	return in_child(mount_proc, proc);   /* PID 1 of the new namespace */
}

static double step_dev_tmpfs(void)
{
	char dev[4200];
	double t0;

	if (prepare_overlay(1) < 0)
		return -1;
	snprintf(dev, sizeof(dev), "%s/dev", merged);
	t0 = now_us();
	return mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=755,size=64k") < 0 ? -1 : now_us() - t0;
}

static double step_pivot_root(void)
{
	double t0;

	if (prepare_overlay(1) < 0 || mount(merged, merged, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(merged) < 0)
		return -1;
	t0 = now_us();
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -1;
	return now_us() - t0;
}

/* Cgroups: a child of each given directory, made and removed around the step. */
static char cgchild[8][4096];

static int cg_children(bool make)
{
	for (int i = 0; i < ncg && i < 8; i++) {
		snprintf(cgchild[i], sizeof(cgchild[i]), "%s/floor-%d", cgdirs[i], getppid());
		if (make ? mkdir(cgchild[i], 0755) < 0 && errno != EEXIST : rmdir(cgchild[i]) < 0)
			return -1;
	}
	return 0;
}

static int write_to(const char *dir, const char *file, const char *val)
{
	char path[4200];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* The supervisor's way: another process's pid into cgroup.procs (the
 * global threadgroup lock: an RCU grace period when it is cold). */
static double attach_other(void *np)
{
	int n = *(int *)np;
	char buf[32];
	double t0;
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "%d", pid);
	usleep(20000);   /* let the lock go cold, as between two starts */
	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (write_to(cgchild[i], "cgroup.procs", buf) < 0)
			t0 = -1e18;
	t0 = now_us() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return t0 < 0 || t0 > 1e17 ? -1 : t0;
}

/* ctr-enter's v1 way: the process moves itself ("0" into tasks). */
static double attach_self(void *np)
{
	int n = *(int *)np;
	double t0;

	usleep(20000);
	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (write_to(cgchild[i], "tasks", "0") < 0)
			return -1;
	return now_us() - t0;
}

/* The mover is a child: we stay outside, to remove the directories. */
static double in_cgroups(double (*fn)(void *), int n)
{
	double d;

	if (cg_children(true) < 0)
		return -1;
	d = in_child(fn, &n);
	cg_children(false);
	return d;
}

static double step_attach_other_one(void) { return in_cgroups(attach_other, 1); }
static double step_attach_other_all(void) { return in_cgroups(attach_other, ncg); }
static double step_attach_self_all(void) { return in_cgroups(attach_self, ncg); }

static double step_mkdir_rmdir_all(void)
{
	double t0 = now_us();

	if (cg_children(true) < 0 || cg_children(false) < 0)
		return -1;
	return now_us() - t0;
}

static double step_exec_true(void)
{
	double t0 = now_us();
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "true", NULL };

		execv("/bin/true", argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return now_us() - t0;
}

int main(int argc, char **argv)
{
	bool v1;

	if (argc < 4) {
		fprintf(stderr, "usage: floor ROOTFS SCRATCH CGROUP_DIR [CGROUP_V1_DIR...]\n");
		return 2;
	}
	rootfs = argv[1];
	scratch = argv[2];
	cgdirs = argv + 3;
	ncg = argc - 3;
	{
		char tasks[4200];

		snprintf(tasks, sizeof(tasks), "%s/tasks", cgdirs[0]);
		v1 = access(tasks, F_OK) == 0;
	}
	measure("fork, exit, wait", step_fork);
	measure("clone(CLONE_NEWPID), exit, wait", step_clone_newpid);
	measure("unshare(CLONE_NEWNS) + / private", step_unshare_mnt);
	measure("unshare(CLONE_NEWUTS|CLONE_NEWIPC)", step_unshare_uts_ipc);
	measure("mount overlay (the image as lower)", step_overlay);
	measure("mount proc (new PID namespace)", step_proc);
	measure("mount tmpfs on /dev", step_dev_tmpfs);
	measure("pivot_root + detach the old root", step_pivot_root);
	measure("cgroup: mkdir + rmdir in every hierarchy", step_mkdir_rmdir_all);
	measure("cgroup: another process into cgroup.procs, one hierarchy (lock cold)", step_attach_other_one);
	if (v1) {
		measure("cgroup: another process into cgroup.procs, every hierarchy", step_attach_other_all);
		measure("cgroup: a process moves itself (0 into tasks), every hierarchy", step_attach_self_all);
	}
	measure("fork + execve /bin/true + wait", step_exec_true);
	return 0;
}
