/* SPDX-License-Identifier: MIT */
/*
 * netcfg.c: ctr-netlink, the kernel half of netns-setup.
 *
 *   ctr-netlink create NAME VETH BRIDGE IP PREFIX GATEWAY NEW_BRIDGE MAC
 *               [--owner UID:GID:USTART:UCOUNT:GSTART:GCOUNT USERNS_PIN IMAGE VIEW]
 *               [STATE_DIR SELF]
 *   ctr-netlink destroy NAME VETH|'' BRIDGE|'' [STATE_DIR]
 *   ctr-netlink disown USERNS_PIN VIEW [--kill [NETNS]]
 *
 * netns-setup (bash) keeps the policy, the checks and the state; this
 * program does the link, address and namespace work of one command in one
 * process, over rtnetlink, instead of two `ip` processes (each of which
 * costs more to start than the kernel work it does).
 *
 * create: the bridge when NEW_BRIDGE is 1 (with GATEWAY/PREFIX, up, and
 * IPv6 router advertisements ignored: accept_ra=0); the named netns, made
 * as `ip netns add` makes it (a bind mount of the namespace on
 * /run/netns/NAME, with /run/netns a shared mount so that the unmount at
 * destroy reaches every mount namespace); the veth pair, VETH on BRIDGE and
 * up, its peer eth0 created inside the netns with the Ethernet address MAC
 * (the one netns-setup pins on the bridge port); there lo up, IP/PREFIX on
 * eth0, eth0 up, the default route via GATEWAY, and the namespace's own
 * sysctls: no forwarding (a new netns copies the host's ip_forward), no
 * IPv6 on eth0 (ctr networks are IPv4; no router advertisements either),
 * ICMP echo sockets for every group (ping without CAP_NET_RAW).
 *
 * With --owner (netns-setup create --owner, owner.c): the netns is made
 * together with a user namespace owned by UID, by a child running as UID,
 * and pinned on /run/netns/NAME as usual, the user namespace on
 * USERNS_PIN; then the idmapped view of IMAGE through that user namespace
 * (read-only, nosuid, nodev) is attached on VIEW.  ping_group_range is
 * then the namespace's own gids (0..GCOUNT-1).
 *
 * disown: the netns (NETNS, unmounted, its file kept for destroy), the
 * view and the user namespace pin unmounted and removed; then (--kill)
 * SIGKILL to every process of that user namespace, found by namespace,
 * not by cgroup, pass after pass; survivors (uninterruptible sleep) are a
 * warning on stderr with their pids, exit 0.
 *
 * destroy: VETH (when given), the netns (unmount and unlink: the kernel
 * frees it, and any link still in it, once nothing uses it), BRIDGE (when
 * given).  What is already gone is not an error.
 *
 * A failure prints one line, "STEP: REASON", on stderr and exits 1: the
 * caller adds its own name and the container's.  Nothing is rolled back
 * here; netns-setup's journal does that.
 *
 * With STATE_DIR and SELF, netns-setup has exec'd this program as the last
 * step of its create (saving a fork of bash): on success it ends the create
 * as netns-setup would (empties STATE_DIR/pending, the journal; the lock,
 * flock'ed on an fd this process inherited, goes when it ends); on failure it
 * execs `SELF --failed-create NAME "STEP: REASON"`, which rolls back from
 * the journal in this same process and reports.  A destroy handed over
 * with STATE_DIR reports its failures as netns-setup would (its lock goes
 * with this process too).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "owner.h"
#include "rtnl.h"
#include "util.h"

#define NETNS_RUN_DIR "/run/netns"
#define PEER_NAME "eth0"

struct create_args {
	const char *name, *veth, *bridge;
	struct in_addr ip, gw;
	unsigned prefix;
	bool new_bridge;
	unsigned char mac[RTNL_MAC_LEN];
	struct owner_spec owner;
	bool owned;
};

/* Writes VALUE to /proc/sys/PATH, a sysctl of the caller's network
 * namespace.  A missing IPv6 entry (no IPv6 in this kernel) is no error. */
static int set_sysctl(const char *path, const char *value)
{
	_cleanup_free_ char *full = xasprintf("/proc/sys/%s", path);
	int r = write_file_at(AT_FDCWD, full, "%s", value);

	if (r == -ENOENT && strncmp(path, "net/ipv6/", 9) == 0)
		return 0;
	return r < 0 ? ctr_fail(r, "sysctl %s", path) : 0;
}

/* /run/netns exists and is a shared mount point (what `ip netns add` does). */
static int netns_run_dir_shared(void)
{
	bool bound = false;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return ctr_fail(-errno, "mkdir " NETNS_RUN_DIR);
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			return ctr_fail(-errno, "make " NETNS_RUN_DIR " shared");
		/* Not a mount point yet: bind it on itself, then share it. */
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return ctr_fail(-errno, "bind " NETNS_RUN_DIR);
		bound = true;
	}
	return 0;
}

/* A new network namespace for the calling process, pinned on
 * /run/netns/NAME; returns an fd of it. */
static int netns_add(const char *name)
{
	_cleanup_free_ char *path = xasprintf(NETNS_RUN_DIR "/%s", name);
	int fd, r;

	r = netns_run_dir_shared();
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return ctr_fail(-errno, "netns %s", name);
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		r = ctr_fail(-errno, "netns %s: unshare", name);
		goto fail;
	}
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		r = ctr_fail(-errno, "netns %s: bind mount", name);
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = ctr_fail(-errno, "netns %s: open", name);
		umount2(path, MNT_DETACH);
		goto fail;
	}
	return fd;
fail:
	unlink(path);
	return r;
}

static int netns_del(const char *name)
{
	_cleanup_free_ char *path = xasprintf(NETNS_RUN_DIR "/%s", name);

	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return ctr_fail(-errno, "netns %s: unmount", name);
	if (unlink(path) < 0 && errno != ENOENT)
		return ctr_fail(-errno, "netns %s: remove", name);
	return 0;
}

static int bridge_make(struct rtnl *host, const struct create_args *a)
{
	char gw[INET_ADDRSTRLEN];
	int r, index;

	inet_ntop(AF_INET, &a->gw, gw, sizeof(gw));
	r = rtnl_bridge_add(host, a->bridge);
	if (r < 0)
		return ctr_fail(r, "bridge %s", a->bridge);
	index = rtnl_link_index(host, a->bridge);
	if (index < 0)
		return ctr_fail(index, "bridge %s", a->bridge);
	r = rtnl_addr_add(host, index, a->gw, a->prefix);
	if (r < 0)
		return ctr_fail(r, "bridge %s address %s/%u", a->bridge, gw, a->prefix);
	/* A router advertisement sent by a container must not give the
	 * host an address or a route (before the bridge is up). */
	_cleanup_free_ char *ra = xasprintf("net/ipv6/conf/%s/accept_ra", a->bridge);
	r = set_sysctl(ra, "0");
	if (r < 0)
		return r;
	r = rtnl_link_up(host, index);
	if (r < 0)
		return ctr_fail(r, "bridge %s up", a->bridge);
	return index;
}

/* The sysctls of the new netns (this process is in it): a new netns
 * copies ip_forward from the host's, which is 1 on a NAT host: a container
 * with NET_RAW would route for its neighbours. */
static int netns_sysctls(const struct create_args *a)
{
	/* an owned netns takes only gids mapped in its user namespace */
	_cleanup_free_ char *ping = a->owned ? xasprintf("0 %lu", a->owner.gcount - 1) :
					       xstrdup("0 2147483647");

	int r = set_sysctl("net/ipv4/ip_forward", "0");

	if (r >= 0)
		r = set_sysctl("net/ipv6/conf/" PEER_NAME "/disable_ipv6", "1");
	if (r >= 0)
		r = set_sysctl("net/ipv4/ping_group_range", ping);
	return r;
}

/* Inside the netns (INNER's socket): lo up, the address, eth0 up, the
 * route, the sysctls. */
static int netns_configure(struct rtnl *inner, const struct create_args *a)
{
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	int lo, eth0, r;

	inet_ntop(AF_INET, &a->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &a->gw, gw, sizeof(gw));
	lo = rtnl_link_index(inner, "lo");
	r = lo < 0 ? lo : rtnl_link_up(inner, lo);
	if (r < 0)
		return ctr_fail(r, "lo up");
	eth0 = rtnl_link_index(inner, PEER_NAME);
	r = eth0 < 0 ? eth0 : rtnl_addr_add(inner, eth0, a->ip, a->prefix);
	if (r < 0)
		return ctr_fail(r, PEER_NAME " address %s/%u", ip, a->prefix);
	r = rtnl_link_up(inner, eth0);
	if (r < 0)
		return ctr_fail(r, PEER_NAME " up");
	r = rtnl_default_route_add(inner, eth0, a->gw);
	if (r < 0)
		return ctr_fail(r, "default route via %s", gw);
	return netns_sysctls(a);
}

static int net_create(const struct create_args *a)
{
	_cleanup_rtnl_ struct rtnl *host = NULL;
	_cleanup_rtnl_ struct rtnl *inner = NULL;
	_cleanup_close_ int ns = -1;
	int r, master;

	/* Opened before the unshare: this socket stays in the host's netns. */
	r = rtnl_open(&host);
	if (r < 0)
		return ctr_fail(r, "netlink socket");
	if (a->new_bridge) {
		master = bridge_make(host, a);
	} else {
		master = rtnl_link_index(host, a->bridge);
		if (master < 0)
			master = ctr_fail(master, "bridge %s", a->bridge);
	}
	if (master < 0)
		return master;
	if (a->owned) {
		_cleanup_free_ char *path = xasprintf(NETNS_RUN_DIR "/%s", a->name);

		r = netns_run_dir_shared();
		ns = r < 0 ? r : owner_netns_add(path, &a->owner);
		if (ns < 0)
			return ns;
		if ((r = owner_image_view(&a->owner)) < 0)
			return r;
		if (setns(ns, CLONE_NEWNET) < 0)
			return ctr_fail(-errno, "netns %s: setns", a->name);
	} else {
		ns = netns_add(a->name);
	}
	if (ns < 0)
		return ns;
	r = rtnl_open(&inner);
	if (r < 0)
		return ctr_fail(r, "netns %s: netlink socket", a->name);
	r = rtnl_veth_add(host, a->veth, master, PEER_NAME, ns, a->mac);
	if (r < 0)
		return ctr_fail(r, "host veth %s", a->veth);
	return netns_configure(inner, a);
}

/* Failures of a destroy: one line each, as the caller (PREFIX) would say it. */
static const char *destroy_prefix = "";

static int net_destroy(const char *name, const char *veth, const char *bridge)
{
	_cleanup_rtnl_ struct rtnl *host = NULL;
	int r, ret = 0;

	if (*veth || *bridge) {
		r = rtnl_open(&host);
		if (r < 0)
			return ctr_fail(r, "netlink socket");
	}
	if (*veth) {
		r = rtnl_link_del(host, veth);
		if (r < 0 && r != -ENODEV) {
			ret = ctr_fail(r, "host veth %s", veth);
			fprintf(stderr, "%s%s\n", destroy_prefix, ctr_errmsg());
		}
	}
	r = netns_del(name);
	if (r < 0) {
		ret = r;
		fprintf(stderr, "%s%s\n", destroy_prefix, ctr_errmsg());
	}
	if (*bridge) {
		r = rtnl_link_del(host, bridge);
		if (r < 0 && r != -ENODEV) {
			ret = ctr_fail(r, "bridge %s", bridge);
			fprintf(stderr, "%s%s\n", destroy_prefix, ctr_errmsg());
		}
	}
	return ret;
}

/* The create succeeded: what netns-setup does after its last step (the
 * lock, inherited on an fd, goes when this process ends). */
static int finish_create(const char *state_dir)
{
	_cleanup_free_ char *pending = xasprintf("%s/pending", state_dir);
	int fd = open(pending, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return ctr_fail(-errno, "journal %s", pending);
	close(fd);
	return 0;
}

/* The create failed: netns-setup takes this process back to roll back,
 * in the host's network namespace again (HOST_NS; the create unshared). */
static int hand_back(const char *self, const char *name, int host_ns)
{
	_cleanup_free_ char *why = xstrdup(ctr_errmsg());
	char *argv[] = { (char *)self, (char *)"--failed-create", (char *)name, why, NULL };

	if (host_ns < 0 || setns(host_ns, CLONE_NEWNET) < 0)
		return ctr_fail(host_ns < 0 ? host_ns : -errno, "%s; then: back to the host's netns", why);
	execv(self, argv);
	return ctr_fail(-errno, "%s; then: exec %s", why, self);
}

static int usage(void)
{
	fputs("usage: ctr-netlink create NAME VETH BRIDGE IP PREFIX GATEWAY NEW_BRIDGE MAC\n"
	      "                   [--owner UID:GID:USTART:UCOUNT:GSTART:GCOUNT USERNS_PIN IMAGE VIEW] [STATE_DIR SELF]\n"
	      "       ctr-netlink destroy NAME VETH|'' BRIDGE|'' [STATE_DIR]\n"
	      "       ctr-netlink disown USERNS_PIN VIEW [--kill [NETNS]]\n"
	      "(the kernel half of netns-setup; see netns-setup(1))\n", stderr);
	return 2;
}

static bool parse_create(char **argv, struct create_args *a)
{
	char *end;
	unsigned long prefix;

	a->name = argv[0];
	a->veth = argv[1];
	a->bridge = argv[2];
	errno = 0;
	prefix = strtoul(argv[4], &end, 10);
	if (errno || *end || prefix < 1 || prefix > 32)
		return false;
	a->prefix = (unsigned)prefix;
	a->new_bridge = strcmp(argv[6], "1") == 0;
	/* xx:xx:xx:xx:xx:xx, as netns-setup writes it */
	if (strlen(argv[7]) != 17 ||
	    sscanf(argv[7], "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &a->mac[0], &a->mac[1], &a->mac[2],
		   &a->mac[3], &a->mac[4], &a->mac[5]) != 6)
		return false;
	return name_is_valid(a->name) && *a->veth && *a->bridge &&
	       inet_pton(AF_INET, argv[3], &a->ip) == 1 &&
	       inet_pton(AF_INET, argv[5], &a->gw) == 1;
}

/* disown USERNS_PIN VIEW [--kill [NETNS]]: the pins go first, so that
 * nobody enters the namespaces through them while the kill passes run;
 * processes that survive every pass are a warning, not an end. */
static int disown(int argc, char **argv)
{
	bool kill_all = argc >= 5 && strcmp(argv[4], "--kill") == 0;
	_cleanup_free_ char *stuck = NULL;
	struct stat target;
	int have = 0, r = 0;

	if (kill_all)
		r = have = owner_stat_pin(argv[2], &target);
	if (r >= 0 && kill_all && argc == 6)
		r = owner_unmount(argv[5]);
	if (r >= 0)
		r = owner_unpin(argv[3], true);
	if (r >= 0)
		r = owner_unpin(argv[2], false);
	if (r >= 0 && have > 0) {
		r = owner_kill_userns(&target, &stuck);
		if (r > 0) {
			fprintf(stderr, "warning: %d process(es) of its user namespace survive SIGKILL (uninterruptible sleep?): pid %s\n",
				r, stuck);
			r = 0;
		}
	}
	if (r < 0)
		fprintf(stderr, "%s\n", ctr_errmsg());
	return r < 0 ? 1 : 0;
}

/* create's --owner SPEC USERNS_PIN IMAGE VIEW, when given: taken out of
 * argv (argc adjusted).  false when malformed. */
static bool take_owner(int *argc, char **argv, struct create_args *a)
{
	if (*argc < 15 || strcmp(argv[10], "--owner") != 0)
		return true;
	if (!owner_parse(argv[11], &a->owner) || !*argv[12] || !*argv[13] || !*argv[14])
		return false;
	a->owner.userns_pin = argv[12];
	a->owner.image = argv[13];
	a->owner.image_view = argv[14];
	a->owned = true;
	memmove(&argv[10], &argv[15], (size_t)(*argc - 15 + 1) * sizeof(*argv));
	*argc -= 5;
	return true;
}

int main(int argc, char **argv)
{
	struct create_args a = { 0 };
	int r;

	if (argc >= 4 && argc <= 6 && strcmp(argv[1], "disown") == 0)
		return disown(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "create") == 0 && !take_owner(&argc, argv, &a))
		return usage();
	if ((argc == 10 || argc == 12) && strcmp(argv[1], "create") == 0) {
		bool handed = argc == 12;
		_cleanup_close_ int host_ns = handed ? open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC) : -1;

		if (handed && host_ns < 0)
			host_ns = -errno;
		if (parse_create(argv + 2, &a))
			r = net_create(&a);
		else if (!handed)
			return usage();
		else
			/* netns-setup checked them: still, a bad one must not
			 * leave its create half done (the journal, the lock). */
			r = ctr_failx(-EINVAL, "create: ctr-netlink: bad arguments: IP %s/%s, gateway %s",
				      argv[5], argv[6], argv[7]);
		if (handed) {
			/* handed over by netns-setup: end its create either way */
			r = r < 0 ? hand_back(argv[11], a.name, host_ns) : finish_create(argv[10]);
			if (r < 0)
				fprintf(stderr, "netns-setup: %s: %s\n", a.name, ctr_errmsg());
			return r < 0 ? 1 : 0;
		}
		if (r < 0)
			fprintf(stderr, "%s\n", ctr_errmsg());
		return r < 0 ? 1 : 0;
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "destroy") == 0) {
		_cleanup_free_ char *prefix = NULL;

		if (!name_is_valid(argv[2]))
			return usage();
		if (argc == 6) {
			prefix = xasprintf("netns-setup: %s: destroy: ", argv[2]);
			destroy_prefix = prefix;
		}
		r = net_destroy(argv[2], argv[3], argv[4]);
		return r < 0 ? 1 : 0;
	}
	return usage();
}
