/* SPDX-License-Identifier: MIT */
/* Unit tests of the name checks: container names (util.c, the rule
 * netns-setup and ctrctl share), hostnames (cli.c), capability names
 * (caps.c) and mountinfo's escapes (util.c). */
#include "cli.h"
#include "security-int.h"
#include "unit.h"

static void name_is(const char *name, bool want)
{
	CHECK(name_is_valid(name) == want, "name '%s': %s, expected %s", name,
	      name_is_valid(name) ? "valid" : "invalid", want ? "valid" : "invalid");
}

static void test_container_names(void)
{
	name_is("a", true);
	name_is("c1", true);
	name_is("A_Z-0.9", true);
	name_is("a.b", true);
	name_is("a.b.c", true);
	name_is("a.", true);
	name_is("a-", true);
	name_is("_x", true);
	name_is("0", true);
	name_is("12345678901234567890123456789012", true);    /* 32 */
	name_is("123456789012345678901234567890123", false);  /* 33 */
	name_is("", false);
	name_is(".", false);
	name_is("..", false);
	name_is("...", false);
	name_is(".a", false);
	name_is(".hidden", false);
	name_is("-a", false);
	name_is("--rm", false);
	name_is("a..b", false);
	name_is("a..", false);
	name_is("x/../y", false);
	name_is("a/b", false);
	name_is("/a", false);
	name_is("a b", false);
	name_is("a\tb", false);
	name_is("a\n", false);
	name_is("a:b", false);
	name_is("a,b", false);
	name_is("a=b", false);
	name_is("a*", false);
	name_is("caf\xc3\xa9", false);
}

static void hostname_is(const char *h, bool want)
{
	CHECK(hostname_is_valid(h) == want, "hostname '%s': %s, expected %s", h,
	      hostname_is_valid(h) ? "valid" : "invalid", want ? "valid" : "invalid");
}

static void test_hostnames(void)
{
	char h65[66];

	hostname_is("c1", true);
	hostname_is("web-1.example", true);
	hostname_is("a_b", true);
	hostname_is("a", true);
	memset(h65, 'h', 64);
	h65[64] = '\0';
	hostname_is(h65, true);               /* 64 */
	h65[64] = 'h';
	h65[65] = '\0';
	hostname_is(h65, false);              /* 65 */
	hostname_is("", false);
	hostname_is("-x", false);
	hostname_is("x-", false);
	hostname_is(".x", false);
	hostname_is("x.", false);
	hostname_is("bad!host", false);
	hostname_is("a b", false);
	hostname_is("a/b", false);
}

static void cap_is(const char *name, int want)
{
	int got = caps_from_name(name);

	CHECK(got == want, "capability '%s': %d, expected %d", name, got, want);
}

static void test_capabilities(void)
{
	cap_is("CHOWN", 0);
	cap_is("chown", 0);
	cap_is("CAP_CHOWN", 0);
	cap_is("cap_chown", 0);
	cap_is("NET_ADMIN", 12);
	cap_is("cap_sys_time", 25);
	cap_is("SYS_ADMIN", 21);
	cap_is("ALL", 64);
	cap_is("all", 64);
	cap_is("CAP_ALL", 64);
	cap_is("", -1);
	cap_is("CAP_", -1);
	cap_is("NOSUCHCAP", -1);
	cap_is("NET ADMIN", -1);
	cap_is("CAP_CAP_CHOWN", -1);
	cap_is("12", -1);
	CHECK(caps_name(12) && strcmp(caps_name(12), "CAP_NET_ADMIN") == 0,
	      "capability 12 is CAP_NET_ADMIN");
	CHECK(caps_name(-1) == NULL && caps_name(64) == NULL, "no name out of range");
}

static void unescaped_is(const char *in, const char *want)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", in);
	unescape_mountinfo(buf);
	CHECK(strcmp(buf, want) == 0, "unescape '%s': '%s', expected '%s'", in, buf, want);
}

static void test_mountinfo_escapes(void)
{
	unescaped_is("/plain", "/plain");
	unescaped_is("", "");
	unescaped_is("/with\\040space", "/with space");
	unescaped_is("/tab\\011x", "/tab\tx");
	unescaped_is("/nl\\012", "/nl\n");
	unescaped_is("/back\\134slash", "/back\\slash");
	unescaped_is("\\040\\040", "  ");
	unescaped_is("/not\\08", "/not\\08");     /* 8 is not octal */
	unescaped_is("/short\\04", "/short\\04");
	unescaped_is("/trail\\", "/trail\\");
	unescaped_is("/big\\400", "/big\\400");    /* above \377 */
}

int main(void)
{
	test_container_names();
	test_hostnames();
	test_capabilities();
	test_mountinfo_escapes();
	return unit_end("names");
}
