/* SPDX-License-Identifier: MIT */
/* Unit tests of cgroup-limits.c: sizes, --memory, --memory-swap, --cpus,
 * --cpu-shares, --pids-limit and the checks between them. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "unit.h"

#define KiB 1024LL
#define MiB (1024LL * KiB)
#define GiB (1024LL * MiB)

/* limits_parse_size(S) returns R and, when 0, WANT bytes. */
static void size_is(const char *s, int r, int64_t want)
{
	int64_t got = -12345;
	int rr = limits_parse_size(s, &got);

	CHECK(rr == r, "size '%s': returned %d, expected %d", s, rr, r);
	if (r == 0 && rr == 0)
		CHECK(got == want, "size '%s': %" PRId64 " bytes, expected %" PRId64, s, got, want);
}

static void test_sizes(void)
{
	/* a plain number is MiB */
	size_is("0", 0, 0);
	size_is("1", 0, MiB);
	size_is("50", 0, 50 * MiB);
	size_is("007", 0, 7 * MiB);           /* leading zeros: decimal, not octal */
	/* units, any case, with an optional b or ib after k, m, g */
	size_is("1b", 0, 1);
	size_is("1B", 0, 1);
	size_is("1k", 0, KiB);
	size_is("1K", 0, KiB);
	size_is("1kb", 0, KiB);
	size_is("1KiB", 0, KiB);
	size_is("1kib", 0, KiB);
	size_is("8192kb", 0, 8 * MiB);
	size_is("512m", 0, 512 * MiB);
	size_is("1M", 0, MiB);
	size_is("1MB", 0, MiB);
	size_is("1MiB", 0, MiB);
	size_is("1g", 0, GiB);
	size_is("1G", 0, GiB);
	size_is("1GB", 0, GiB);
	size_is("1GiB", 0, GiB);
	/* not sizes */
	size_is("", -EINVAL, 0);
	size_is("m", -EINVAL, 0);
	size_is("-1", -EINVAL, 0);
	size_is("+1", -EINVAL, 0);
	size_is(" 1", -EINVAL, 0);
	size_is("1 ", -EINVAL, 0);
	size_is("1 m", -EINVAL, 0);
	size_is("1.5g", -EINVAL, 0);
	size_is("1,5", -EINVAL, 0);
	size_is("0x10", -EINVAL, 0);
	size_is("1t", -EINVAL, 0);
	size_is("1e3", -EINVAL, 0);
	size_is("1bi", -EINVAL, 0);
	size_is("1bb", -EINVAL, 0);
	size_is("1ib", -EINVAL, 0);
	size_is("1kbb", -EINVAL, 0);
	size_is("1kib2", -EINVAL, 0);
	size_is("1mx", -EINVAL, 0);
	/* the edges of int64_t */
	size_is("9223372036854775807b", 0, INT64_MAX);
	size_is("9223372036854775808b", -ERANGE, 0);
	size_is("99999999999999999999", -ERANGE, 0);
	size_is("8796093022207", 0, 8796093022207LL * MiB);   /* 2^43 - 1 MiB */
	size_is("8796093022208", -ERANGE, 0);                  /* 2^63 bytes */
	size_is("8589934591g", 0, 8589934591LL * GiB);
	size_is("8589934592g", -ERANGE, 0);
	size_is("9007199254740992k", -ERANGE, 0);             /* 2^53 KiB = 2^63 */
}

static void format_is(int64_t bytes, const char *want)
{
	char buf[32];

	limits_format_size(bytes, buf, sizeof(buf));
	CHECK(strcmp(buf, want) == 0, "format %" PRId64 ": '%s', expected '%s'", bytes, buf, want);
}

static void test_format(void)
{
	format_is(0, "0 bytes");
	format_is(1, "1 bytes");
	format_is(1023, "1023 bytes");
	format_is(KiB, "1 KiB");
	format_is(1536, "1536 bytes");
	format_is(100 * KiB, "100 KiB");
	format_is(50 * MiB, "50 MiB");
	format_is(50 * MiB + KiB, "51201 KiB");
	format_is(GiB, "1 GiB");
	format_is(3 * GiB, "3 GiB");
	format_is(GiB + MiB, "1025 MiB");
	format_is(INT64_MAX, "9223372036854775807 bytes");
}

/* limits_parse_option(OPT, VAL) on fresh limits: returns R; a refusal's
 * message contains WHY. */
static struct ctr_limits opt_is(const char *opt, const char *val, int r, const char *why)
{
	struct ctr_limits l;
	int rr;

	limits_init(&l);
	errmsg_clear();
	rr = limits_parse_option(&l, opt, val);
	CHECK(rr == r, "%s '%s': returned %d, expected %d (%s)", opt, val ? val : "(null)", rr, r, ctr_errmsg());
	if (r < 0 && why)
		CHECK(errmsg_has(why), "%s '%s': message '%s' lacks '%s'", opt, val ? val : "(null)", ctr_errmsg(), why);
	limits_free(&l);
	return l;
}

static void memory_is(const char *opt, const char *val, int64_t want)
{
	struct ctr_limits l;
	int r;

	limits_init(&l);
	r = limits_parse_option(&l, opt, val);
	CHECK(r == 0 && l.memory == want, "%s %s: r=%d memory=%" PRId64 ", expected %" PRId64,
	      opt, val, r, l.memory, want);
	CHECK(r == 0 && l.memory_arg && strcmp(l.memory_arg, val) == 0, "%s %s: the text is kept", opt, val);
	limits_free(&l);
}

static void test_memory(void)
{
	memory_is("memory", "6", 6 * MiB);
	memory_is("--memory", "50", 50 * MiB);
	memory_is("-m", "1g", GiB);
	memory_is("m", "6291456b", 6 * MiB);           /* exactly the minimum */
	opt_is("memory", "6291455b", -EINVAL, "the minimum is 6 MiB");
	opt_is("memory", "5", -EINVAL, "the minimum is 6 MiB");
	opt_is("memory", "0", -EINVAL, "must be more than 0");
	opt_is("memory", "-1", -EINVAL, "must be a positive size");
	opt_is("memory", "-50m", -EINVAL, "must be a positive size");
	opt_is("memory", "abc", -EINVAL, "expected a whole number of MiB");
	opt_is("memory", "", -EINVAL, "expected a whole number of MiB");
	opt_is("memory", "1.5g", -EINVAL, "bad --memory value '1.5g'");
	opt_is("memory", "99999999999999999999", -EINVAL, "larger than the kernel's maximum");
	opt_is("memory", "8796093022208", -EINVAL, "larger than the kernel's maximum");
	opt_is("memory", NULL, -EINVAL, "--memory needs a value");
	opt_is("nosuchoption", "1", -ENOENT, NULL);
	opt_is("--", "1", -ENOENT, NULL);

	/* a later option replaces an earlier one */
	struct ctr_limits l;

	limits_init(&l);
	CHECK(limits_parse_option(&l, "memory", "100") == 0 && limits_parse_option(&l, "m", "200") == 0 &&
	      l.memory == 200 * MiB && strcmp(l.memory_arg, "200") == 0, "the last --memory wins");
	limits_free(&l);
	CHECK(l.memory_arg == NULL && l.cpus_arg == NULL, "limits_free clears the strings");
}

static void swap_is(const char *val, int64_t want)
{
	struct ctr_limits l;
	int r;

	limits_init(&l);
	r = limits_parse_option(&l, "memory-swap", val);
	CHECK(r == 0 && l.memory_swap == want, "--memory-swap %s: r=%d swap=%" PRId64 ", expected %" PRId64,
	      val, r, l.memory_swap, want);
	limits_free(&l);
}

static void test_memory_swap(void)
{
	swap_is("-1", LIMITS_UNLIMITED);
	swap_is("100", 100 * MiB);
	swap_is("1g", GiB);
	swap_is("6", 6 * MiB);
	opt_is("memory-swap", "5", -EINVAL, "the minimum is 6 MiB");
	opt_is("memory-swap", "0", -EINVAL, "the minimum is 6 MiB");
	opt_is("memory-swap", "-2", -EINVAL, "expected -1 (unlimited)");
	opt_is("memory-swap", "-1g", -EINVAL, "expected -1 (unlimited)");
	opt_is("memory-swap", "unlimited", -EINVAL, "expected -1 (unlimited)");
	opt_is("memory-swap", "", -EINVAL, "expected -1 (unlimited)");
	opt_is("memory-swap", "9223372036854775808b", -EINVAL, "larger than the kernel's maximum");
}

/* --cpus VAL: quota WANT microseconds per 100 ms period. */
static void cpus_is(const char *val, int64_t want)
{
	struct ctr_limits l;
	int r;

	limits_init(&l);
	errmsg_clear();
	r = limits_parse_option(&l, "cpus", val);
	CHECK(r == 0 && l.cpu_quota_us == want && l.cpu_period_us == LIMITS_CPU_PERIOD,
	      "--cpus %s: r=%d quota=%" PRId64 " period=%" PRId64 ", expected %" PRId64 " (%s)",
	      val, r, l.cpu_quota_us, l.cpu_period_us, want, ctr_errmsg());
	limits_free(&l);
}

static void test_cpus(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char buf[64];

	cpus_is("0.5", 50000);
	cpus_is(".5", 50000);
	cpus_is("00.5", 50000);               /* leading zeros */
	cpus_is("1", 100000);
	cpus_is("1.", 100000);
	cpus_is("1.0", 100000);
	cpus_is("0.01", 1000);                /* the minimum */
	cpus_is("0.010", 1000);
	cpus_is("0.25", 25000);
	cpus_is("0.123456789", 12345);        /* digits beyond 1 us are ignored */
	snprintf(buf, sizeof(buf), "%ld", ncpu);
	cpus_is(buf, ncpu * 100000);          /* every online CPU */
	opt_is("cpus", "0.009", -EINVAL, "the minimum is 0.01");
	opt_is("cpus", "0.00001", -EINVAL, "the minimum is 0.01");
	opt_is("cpus", "0", -EINVAL, "must be more than 0");
	opt_is("cpus", "0.0", -EINVAL, "must be more than 0");
	opt_is("cpus", "", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", ".", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "-1", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "+1", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "1e3", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "1,5", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "0.5.5", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", " 1", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "1 ", -EINVAL, "expected a positive decimal number");
	opt_is("cpus", "half", -EINVAL, "expected a positive decimal number");
	snprintf(buf, sizeof(buf), "%ld.01", ncpu);
	opt_is("cpus", buf, -EINVAL, "online CPUs");
	snprintf(buf, sizeof(buf), "%ld", ncpu + 1);
	opt_is("cpus", buf, -EINVAL, "online CPUs");
	opt_is("cpus", "99999999999999999999", -EINVAL, "more than the online CPUs");
	opt_is("cpus", "92233720368548", -EINVAL, "more than the online CPUs");   /* * 100000 overflows */
}

/* --cpu-shares and --pids-limit: whole numbers in a range. */
static const struct {
	const char *opt, *why;          /* why: the refusals' message */
	const char *ok[5];              /* accepted, NULL-terminated ... */
	int64_t want[5];                /* ... with the value each gives */
	const char *bad[9];             /* refused, NULL-terminated */
} int_cases[] = {
	{ "cpu-shares", "from 2 to 262144",
	  { "2", "1024", "262144", "0002" }, { 2, 1024, 262144, 2 },
	  { "1", "0", "262145", "-5", "", "1024x", "10.5", "99999999999999999999" } },
	{ "pids-limit", "from 1 to 4194304",
	  { "1", "100", "4194304", "010" }, { 1, 100, 4194304, 10 },
	  { "0", "-1", "4194305", "", "1k", "18446744073709551617" } },
};

static void int_accepted(const char *opt, const char *val, int64_t want)
{
	struct ctr_limits l;
	int64_t got;
	int r;

	limits_init(&l);
	r = limits_parse_option(&l, opt, val);
	got = strcmp(opt, "cpu-shares") == 0 ? l.cpu_shares : l.pids_limit;
	CHECK(r == 0 && got == want, "--%s %s: r=%d, %" PRId64 ", expected %" PRId64, opt, val, r, got, want);
	limits_free(&l);
}

static void test_shares_and_pids(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(int_cases); i++) {
		for (size_t k = 0; int_cases[i].ok[k]; k++)
			int_accepted(int_cases[i].opt, int_cases[i].ok[k], int_cases[i].want[k]);
		for (size_t k = 0; int_cases[i].bad[k]; k++)
			opt_is(int_cases[i].opt, int_cases[i].bad[k], -EINVAL, int_cases[i].why);
	}
	opt_is("pids-limit", NULL, -EINVAL, "--pids-limit needs a value");
}

static void test_check(void)
{
	struct ctr_limits l;

	limits_init(&l);
	CHECK(limits_check(&l) == 0, "nothing set: fine");
	CHECK(l.memory == LIMITS_UNSET && l.memory_swap == LIMITS_UNSET && l.cpu_quota_us == LIMITS_UNSET &&
	      l.cpu_period_us == LIMITS_UNSET && l.cpu_shares == LIMITS_UNSET && l.pids_limit == LIMITS_UNSET,
	      "limits_init: everything unset");

	limits_init(&l);
	limits_parse_option(&l, "memory-swap", "100");
	errmsg_clear();
	CHECK(limits_check(&l) == -EINVAL && errmsg_has("it needs --memory"), "--memory-swap alone: %s", ctr_errmsg());
	limits_free(&l);

	limits_init(&l);
	limits_parse_option(&l, "memory", "100");
	limits_parse_option(&l, "memory-swap", "50");
	errmsg_clear();
	CHECK(limits_check(&l) == -EINVAL && errmsg_has("bad --memory-swap value 50 MiB: below --memory 100 MiB"),
	      "--memory-swap below --memory: %s", ctr_errmsg());
	limits_free(&l);

	limits_init(&l);
	limits_parse_option(&l, "memory", "100");
	limits_parse_option(&l, "memory-swap", "100m");
	CHECK(limits_check(&l) == 0, "--memory-swap equal to --memory: fine");
	limits_parse_option(&l, "memory-swap", "-1");
	CHECK(limits_check(&l) == 0, "--memory-swap -1 with --memory: fine");
	limits_free(&l);
}

/* A run's limits against a provisioned ceiling, and the ceiling's record. */
static void test_ceiling(void)
{
	struct ctr_limits ceil, run, back;
	char text[512];

	limits_init(&ceil);
	limits_parse_option(&ceil, "memory", "64");
	limits_parse_option(&ceil, "cpus", "1");
	limits_parse_option(&ceil, "pids-limit", "40");
	limits_init(&run);
	CHECK(limits_within(&run, &ceil) == 0, "nothing asked: within");
	limits_parse_option(&run, "memory", "32");
	limits_parse_option(&run, "pids-limit", "40");
	CHECK(limits_within(&run, &ceil) == 0, "tighter memory, equal pids: within");
	limits_parse_option(&run, "memory", "100");
	errmsg_clear();
	CHECK(limits_within(&run, &ceil) == -EPERM &&
	      errmsg_has("--memory 100 MiB: above the provisioned ceiling 64 MiB"), "memory above: %s", ctr_errmsg());
	limits_parse_option(&run, "memory", "64");
	limits_parse_option(&run, "memory-swap", "-1");
	errmsg_clear();
	CHECK(limits_within(&run, &ceil) == -EPERM && errmsg_has("--memory-swap -1 (unlimited)"),
	      "unlimited swap under a ceiling without swap: %s", ctr_errmsg());
	limits_free(&run);
	limits_init(&run);
	limits_parse_option(&run, "cpus", "1.5");
	errmsg_clear();
	CHECK(limits_within(&run, &ceil) == -EPERM && errmsg_has("--cpus 1.5: above the provisioned ceiling 1.00"),
	      "cpus above: %s", ctr_errmsg());
	limits_parse_option(&run, "cpus", "0.5");
	limits_parse_option(&run, "pids-limit", "41");
	errmsg_clear();
	CHECK(limits_within(&run, &ceil) == -EPERM && errmsg_has("--pids-limit 41"), "pids above: %s", ctr_errmsg());
	limits_free(&run);

	limits_format_record(&ceil, text, sizeof(text));
	CHECK(strstr(text, "memory=67108864\n") && strstr(text, "memory_swap=-1\n") && strstr(text, "pids_limit=40\n"),
	      "the record: %s", text);
	CHECK(limits_parse_record(text, &back) == 0 && back.memory == ceil.memory &&
	      back.cpu_quota_us == ceil.cpu_quota_us && back.cpu_period_us == ceil.cpu_period_us &&
	      back.cpu_shares == LIMITS_UNSET && back.pids_limit == 40, "the record read back");
	CHECK(limits_parse_record("memory=abc\n", &back) == -EINVAL, "a bad number in the record");
	limits_free(&ceil);
}

int main(void)
{
	test_ceiling();
	test_sizes();
	test_format();
	test_memory();
	test_memory_swap();
	test_cpus();
	test_shares_and_pids();
	test_check();
	return unit_end("cgroup-limits");
}
