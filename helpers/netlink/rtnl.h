/* SPDX-License-Identifier: MIT */
/*
 * rtnl.h: the few rtnetlink requests a container network needs, over
 * libmnl.  Each request is sent with NLM_F_ACK and waits for the kernel's
 * answer; the functions return 0 or the kernel's -errno (nothing recorded:
 * the caller names the step).
 *
 * A socket stays bound to the network namespace it was opened in, so one
 * process can hold one socket in the host's namespace and one in the
 * container's and work in both without setns.
 */
#ifndef CTR_RTNL_H
#define CTR_RTNL_H

#include <netinet/in.h>

struct rtnl;

/* Opens a NETLINK_ROUTE socket in the caller's current network namespace. */
int rtnl_open(struct rtnl **out);
void rtnl_close(struct rtnl *r);
static inline void rtnl_closep(struct rtnl **r) { if (*r) rtnl_close(*r); }
#define _cleanup_rtnl_ __attribute__((cleanup(rtnl_closep)))

/* The index of link NAME in the socket's namespace (> 0), or -errno. */
int rtnl_link_index(struct rtnl *r, const char *name);
/* A new bridge NAME (down, no address). */
int rtnl_bridge_add(struct rtnl *r, const char *name);
#define RTNL_MAC_LEN 6
/* A veth pair: NAME here, enslaved to MASTER (ifindex, 0: none) and up;
 * its peer PEER moved into the namespace of the fd PEER_NS at once, with
 * the Ethernet address PEER_MAC (RTNL_MAC_LEN bytes; NULL: the kernel's
 * random one). */
int rtnl_veth_add(struct rtnl *r, const char *name, int master, const char *peer, int peer_ns,
		  const unsigned char *peer_mac);
int rtnl_link_up(struct rtnl *r, int ifindex);
int rtnl_link_del(struct rtnl *r, const char *name);
int rtnl_addr_add(struct rtnl *r, int ifindex, struct in_addr addr, unsigned prefix);
int rtnl_default_route_add(struct rtnl *r, int ifindex, struct in_addr gw);

#endif
