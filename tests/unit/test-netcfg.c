/* SPDX-License-Identifier: MIT */
/* Unit tests of ctr-netlink's argument parsing (netcfg.c's parse_create:
 * NAME, addresses, prefix), the last check behind netns-setup's own.
 * netcfg.c is included, its main renamed, to reach its static parser. */
#include <arpa/inet.h>

int netcfg_main(int argc, char **argv);
#define main netcfg_main
#include "../../helpers/netlink/netcfg.c"
#undef main

#include "unit.h"

/* parse_create of NAME VETH BRIDGE IP PREFIX GATEWAY NEW_BRIDGE MAC. */
static bool create_ok(const char *name, const char *ip, const char *prefix, const char *gw,
		      const char *veth, const char *bridge, const char *new_bridge, struct create_args *a)
{
	char *argv[] = { (char *)name, (char *)veth, (char *)bridge, (char *)ip,
			 (char *)prefix, (char *)gw, (char *)new_bridge, (char *)"02:63:0a:00:00:02", NULL };

	memset(a, 0, sizeof(*a));
	return parse_create(argv, a);
}

static void ip_is(const char *ip, bool want)
{
	struct create_args a;

	CHECK(create_ok("c1", ip, "24", "10.0.0.1", "vc-c1", "ctr0", "0", &a) == want,
	      "IP '%s': %s", ip, want ? "refused" : "accepted");
	CHECK(create_ok("c1", "10.0.0.2", "24", ip, "vc-c1", "ctr0", "0", &a) == want,
	      "gateway '%s': %s", ip, want ? "refused" : "accepted");
}

static void prefix_is(const char *prefix, bool want, unsigned value)
{
	struct create_args a;
	bool ok = create_ok("c1", "10.0.0.2", prefix, "10.0.0.1", "vc-c1", "ctr0", "0", &a);

	CHECK(ok == want && (!ok || a.prefix == value), "prefix '%s': %s (%u)", prefix,
	      ok ? "accepted" : "refused", a.prefix);
}

static void test_create(void)
{
	struct create_args a;
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];

	CHECK(create_ok("c1", "10.200.1.2", "24", "10.200.1.1", "vc-c1", "ct-x", "1", &a),
	      "a good create");
	inet_ntop(AF_INET, &a.ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &a.gw, gw, sizeof(gw));
	CHECK(strcmp(a.name, "c1") == 0 && strcmp(a.veth, "vc-c1") == 0 && strcmp(a.bridge, "ct-x") == 0 &&
	      strcmp(ip, "10.200.1.2") == 0 && strcmp(gw, "10.200.1.1") == 0 && a.prefix == 24 && a.new_bridge,
	      "its fields: %s %s %s %s/%u via %s", a.name, a.veth, a.bridge, ip, a.prefix, gw);
	CHECK(create_ok("c1", "10.0.0.2", "24", "10.0.0.1", "vc-c1", "ctr0", "0", &a) && !a.new_bridge,
	      "NEW_BRIDGE 0");
	CHECK(create_ok("c1", "10.0.0.2", "24", "10.0.0.1", "vc-c1", "ctr0", "yes", &a) && !a.new_bridge,
	      "NEW_BRIDGE is 1 or not");

	ip_is("10.0.0.2", true);
	ip_is("0.0.0.0", true);
	ip_is("255.255.255.255", true);
	ip_is("10.0.0.02", false);            /* leading zero: octal to some parsers */
	ip_is("010.0.0.2", false);
	ip_is("10.0.0.256", false);
	ip_is("10.0.0", false);
	ip_is("10.0.0.2.3", false);
	ip_is("10.0.0.2/24", false);
	ip_is("10.0.0.-1", false);
	ip_is(" 10.0.0.2", false);
	ip_is("10.0.0.2 ", false);
	ip_is("0x0a.0.0.2", false);
	ip_is("167772162", false);           /* inet_aton would take it */
	ip_is("::1", false);
	ip_is("::ffff:10.0.0.2", false);
	ip_is("", false);

	prefix_is("24", true, 24);
	prefix_is("1", true, 1);
	prefix_is("32", true, 32);
	prefix_is("08", true, 8);
	prefix_is("0", false, 0);
	prefix_is("33", false, 0);
	prefix_is("-1", false, 0);
	prefix_is("", false, 0);
	prefix_is("24x", false, 0);
	prefix_is("99999999999999999999999", false, 0);

	CHECK(!create_ok("a..b", "10.0.0.2", "24", "10.0.0.1", "vc-x", "ctr0", "0", &a), "NAME a..b");
	CHECK(!create_ok(".x", "10.0.0.2", "24", "10.0.0.1", "vc-x", "ctr0", "0", &a), "NAME .x");
	CHECK(!create_ok("-x", "10.0.0.2", "24", "10.0.0.1", "vc-x", "ctr0", "0", &a), "NAME -x");
	CHECK(!create_ok("", "10.0.0.2", "24", "10.0.0.1", "vc-x", "ctr0", "0", &a), "empty NAME");
	CHECK(!create_ok("c1", "10.0.0.2", "24", "10.0.0.1", "", "ctr0", "0", &a), "empty VETH");
	CHECK(!create_ok("c1", "10.0.0.2", "24", "10.0.0.1", "vc-c1", "", "0", &a), "empty BRIDGE");
}

/* owner_parse: UID:GID:USTART:UCOUNT:GSTART:GCOUNT of create --owner. */
static void test_owner(void)
{
	struct owner_spec o;

	CHECK(owner_parse("1001:100:100000:65536:200000:65536", &o) && o.uid == 1001 && o.gid == 100 &&
	      o.ustart == 100000 && o.ucount == 65536 && o.gstart == 200000 && o.gcount == 65536,
	      "a full owner spec");
	CHECK(owner_parse("0:0:1879048192:65536:1879048192:65536", &o) && o.uid == 0 && o.gid == 0 &&
	      o.ustart == 1879048192, "root's own (--userns): uid 0 with gid 0");
	CHECK(!owner_parse("0:100:100000:65536:100000:65536", &o), "uid 0 with another gid refused");
	CHECK(!owner_parse("0:0:0:65536:100000:65536", &o), "a uid range from 0 refused");
	CHECK(!owner_parse("1001:100:100000:65536:0:65536", &o), "a gid range from 0 refused");
	CHECK(!owner_parse("1001:100:100000:0:100000:65536", &o), "an empty uid range refused");
	CHECK(!owner_parse("1001:100:100000:65536:100000", &o), "five fields refused");
	CHECK(!owner_parse("1001:100:100000:65536:100000:65536:1", &o), "seven fields refused");
	CHECK(!owner_parse("1001:100:-1:65536:100000:65536", &o), "a negative start refused");
	CHECK(!owner_parse("1001:100:4294967295:65536:100000:65536", &o), "a range past 2^32 refused");
	CHECK(!owner_parse("1001:100:x:65536:100000:65536", &o), "a word refused");
	CHECK(!owner_parse("", &o), "empty refused");
}

int main(void)
{
	test_create();
	test_owner();
	return unit_end("netcfg");
}
