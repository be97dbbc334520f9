/* SPDX-License-Identifier: MIT */
/* rtnl.c: rtnetlink requests over libmnl (see rtnl.h). */
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <time.h>

#include "rtnl.h"
#include "util.h"

struct rtnl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	char buf[8192]; /* a page or two: every request and answer here is small */
};

int rtnl_open(struct rtnl **out)
{
	struct rtnl *r = xcalloc(1, sizeof(*r));

	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		rtnl_close(r);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	*out = r;
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}

/* A request header in r->buf: TYPE with FLAGS | NLM_F_REQUEST | NLM_F_ACK. */
static struct nlmsghdr *rtnl_request(struct rtnl *r, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

/* Sends the request in r->buf and runs CB on the answers until the ACK:
 * 0, or the kernel's -errno. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(r->buf, (size_t)n, seq, r->portid, cb, data);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int rtnl_link_index(struct rtnl *r, const char *name)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_GETLINK, 0);
	int index = 0, err;

	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	err = rtnl_talk(r, nlh, link_index_cb, &index);
	if (err < 0)
		return err;
	return index > 0 ? index : -ENODEV;
}

int rtnl_bridge_add(struct rtnl *r, const char *name)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;

	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_veth_add(struct rtnl *r, const char *name, int master, const char *peer, int peer_ns,
		  const unsigned char *peer_mac)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = put_ifinfo(nlh);
	struct nlattr *info, *data, *peer_attr;
	struct ifinfomsg *peer_ifi;

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER carries a whole ifinfomsg, then the peer's attributes. */
	peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	peer_ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns);
	if (peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, RTNL_MAC_LEN, peer_mac);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_link_up(struct rtnl *r, int ifindex)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh);

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_link_del(struct rtnl *r, const char *name)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_DELLINK, 0);

	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_addr_add(struct rtnl *r, int ifindex, struct in_addr addr, unsigned prefix)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned int)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return rtnl_talk(r, nlh, NULL, NULL);
}

int rtnl_default_route_add(struct rtnl *r, int ifindex, struct in_addr gw)
{
	struct nlmsghdr *nlh = rtnl_request(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return rtnl_talk(r, nlh, NULL, NULL);
}
