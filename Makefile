# ctr: a small, honest Linux container runtime.
# make            build the C helpers (ctr-enter, ctr-netlink, ctr-top)
# make install    install commands and man pages (PREFIX, DESTDIR)
# make test       the unit tests, then every bats suite (as root)
# make unit       the C unit tests of the parsers (no root needed)
# make test-hooks the test build with the suites' hooks (build/test-hooks)
# make deps       install what a fresh Debian/Ubuntu host needs (apt-get)
# make lint       shellcheck (scripts and *.bats) + C static checks
# make test-asan  build with ASan/UBSan and run the suite against it
# make test-vm    the suites in QEMU VMs: pure cgroup v2, Ubuntu 20.04's v1
# make bench      benchmarks (hyperfine), writes docs/benchmarks.md
# make rootfs     debootstrap the default rootfs (ROOTFS=DIR to override)
# make demo       walk through every feature on the built rootfs (as root)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR  ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
# pam-auth-update reads its profiles here only, whatever PREFIX is.
PAMCONFDIR ?= /usr/share/pam-configs
DESTDIR ?=
ROOTFS  ?= /var/lib/ctr/rootfs/default
BUILD   ?= build

CC      ?= gcc
CFLAGS  ?= -O2 -g
# The warning set iproute2 builds with, plus -Werror.
WARNINGS = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wold-style-definition -Wformat=2 \
	   -Wformat-security -Wshadow -Wpointer-arith -Wvla -Wundef
# The C sources, one folder per program: helpers/enter (ctr-enter),
# helpers/netlink (ctr-netlink, netns-setup's kernel half) and
# helpers/common (both), helpers/top (ctr-top, the monitor of `ctrctl top`),
# helpers/session (ctr-session, the PAM session hook of container owners).
# Objects are built flat in BUILD (names are unique).
SRC_DIRS := helpers/enter helpers/netlink helpers/common helpers/top helpers/session
CPPFLAGS += -D_GNU_SOURCE $(addprefix -I,$(SRC_DIRS))
vpath %.c $(SRC_DIRS) helpers/enter/gen
ALL_CFLAGS = -std=gnu11 $(WARNINGS) $(CPPFLAGS) $(CFLAGS)
SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)
MNL_LIBS := $(shell pkg-config --libs libmnl 2>/dev/null || echo -lmnl)
# Bind every symbol at start (full RELRO): hardening, and the waiting
# supervisor never pages ld.so back in for a lazy binding.
LDFLAGS += -Wl,-z,now -Wl,-z,relro

COMMON_SRCS  := $(sort $(wildcard helpers/common/*.c))
SRCS    := $(sort $(wildcard helpers/enter/*.c)) $(COMMON_SRCS)
NETLINK_SRCS := $(sort $(wildcard helpers/netlink/*.c)) $(COMMON_SRCS)
OBJS    := $(addprefix $(BUILD)/,$(notdir $(SRCS:.c=.o)))
NETLINK_OBJS := $(addprefix $(BUILD)/,$(notdir $(NETLINK_SRCS:.c=.o)))
HDRS    := $(wildcard $(addsuffix /*.h,$(SRC_DIRS)))
SCRIPTS := rootfs-builder netns-setup ctrctl
MANS    := $(wildcard docs/man/*.1)
BATS    ?= bats
VERSION := $(shell cat VERSION 2>/dev/null || echo unknown)
# Installed scripts have no VERSION file beside them: the version is written
# into them (VERSION_INSTALLED=), as netns-setup's ctr-netlink path is.
BAKE    = sed -e 's|^VERSION_INSTALLED=.*|VERSION_INSTALLED=$(VERSION)|'

all: $(BUILD)/ctr-enter $(BUILD)/ctr-netlink $(BUILD)/ctr-top $(BUILD)/ctr-session

# The test hooks (CTR_TEST_* in docs/testing.md) exist only in a test
# build, BUILD/test-hooks/ctr-enter, compiled with -DCTR_TEST_HOOKS by
# `make test-hooks` (test, test-asan and test-vm make it); `make` and
# `make install` never build or install one.
HOOKS_BUILD = $(BUILD)/test-hooks
ifeq ($(CTR_TEST_HOOKS_BUILD),1)
CPPFLAGS += -DCTR_TEST_HOOKS
endif

test-hooks:
	$(MAKE) BUILD=$(HOOKS_BUILD) CTR_TEST_HOOKS_BUILD=1 $(HOOKS_BUILD)/ctr-enter $(HOOKS_BUILD)/cg-join \
		$(HOOKS_BUILD)/escape

# ENTER_STATIC=-static links ctr-enter statically (Debian's libseccomp-dev
# ships libseccomp.a): no ld.so, no shared-library relocations at a start.
# Not the default: valgrind cannot check a static glibc binary (30-enter's
# valgrind test) and the sanitizers need the shared runtime; make bench
# measures both (docs/benchmarks.md).
ENTER_STATIC ?=

$(BUILD)/ctr-enter: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(ENTER_STATIC) -o $@ $(OBJS) $(LDLIBS) $(SECCOMP_LIBS)

$(BUILD)/ctr-netlink: $(NETLINK_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(NETLINK_OBJS) $(LDLIBS) $(MNL_LIBS)

# ctr-top reads the cgroups with ctr-enter's own code: it links the
# objects it needs out of an archive of ctr-enter's (all but main.o), so a
# module renamed or split in helpers/enter needs no change here.
TOP_SRCS := $(sort $(wildcard helpers/top/*.c))
TOP_OBJS := $(addprefix $(BUILD)/,$(notdir $(TOP_SRCS:.c=.o))) $(BUILD)/top-page.o
ENTER_LIB := $(BUILD)/libctr-enter.a

$(ENTER_LIB): $(filter-out $(BUILD)/main.o,$(OBJS))
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/ctr-top: $(TOP_OBJS) $(ENTER_LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(TOP_OBJS) $(ENTER_LIB) $(LDLIBS) $(SECCOMP_LIBS) -lm

# ctr-session places a container owner's logins under her ceiling with
# ctr-enter's cgroup code (cgroup-owner.c), from the same archive.
$(BUILD)/ctr-session: $(BUILD)/ctr-session.o $(ENTER_LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(BUILD)/ctr-session.o $(ENTER_LIB) $(LDLIBS) $(SECCOMP_LIBS)

# 46-rootless-cgroup's probe: the cgroup half of an owner's start, with
# ctr-enter's own cgroup code (bats-tests/probes/cg-join.c).
$(BUILD)/cg-join: bats-tests/probes/cg-join.c $(ENTER_LIB) $(HDRS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(ENTER_LIB) $(LDLIBS) $(SECCOMP_LIBS)

# The escape battery (48-userns; the VM has no compiler): built as
# 50-security builds it on the host, without the project's warnings.
$(BUILD)/escape: bats-tests/probes/escape.c | $(BUILD)
	$(CC) -O1 -o $@ $<

# The page of --web, embedded in the binary (.incbin): one file, nothing
# fetched from anywhere else.
$(BUILD)/top-page.o: helpers/top/top-page.S helpers/top/top-page.html | $(BUILD)
	$(CC) -c -Wa,-I,helpers/top -o $@ $<

$(BUILD)/%.o: %.c $(HDRS) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# ctr-enter --version: the VERSION file is the one place the number is written.
$(BUILD)/cli.o: CPPFLAGS += -DCTR_VERSION='"$(VERSION)"'
$(BUILD)/cli.o: VERSION

# The default seccomp filter is compiled at build time by seccomp.c's own
# rules (helpers/enter/gen/seccomp-gen.c) and embedded in ctr-enter.
GEN_OBJS := $(addprefix $(BUILD)/gen/,seccomp-gen.o seccomp.o caps.o util.o)

$(BUILD)/seccomp.o: helpers/enter/seccomp.c $(HDRS) $(BUILD)/seccomp-default.h
	$(CC) $(ALL_CFLAGS) -DCTR_SECCOMP_PRECOMPILED -I$(BUILD) -c -o $@ $<

$(BUILD)/seccomp-default.h: $(BUILD)/seccomp-gen
	$(BUILD)/seccomp-gen >$@.tmp && mv $@.tmp $@

$(BUILD)/seccomp-gen: $(GEN_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(GEN_OBJS) $(LDLIBS) $(SECCOMP_LIBS)

$(BUILD)/gen/%.o: %.c $(HDRS) | $(BUILD)/gen
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen:
	mkdir -p $@

$(BUILD):
	mkdir -p $@

# The porcelain was called ctr before 0.2; containerd's client is ctr(8)
# too.  An old ctr, ctr.1 or completion is removed only when its own text
# says it is ours; a foreign one is never touched.
OLD_CTR_MARKS = $(BINDIR)/ctr:'^\# ctr: the everyday front end of the ctr tools' \
	$(MANDIR)/man1/ctr.1:'^ctr \\- create, run, enter, list, stop and remove ctr containers' \
	$(COMPDIR)/ctr:'^\# bash completion for ctr (install as'
REMOVE_OLD_CTR = @for m in $(OLD_CTR_MARKS); do \
		f=$(DESTDIR)$${m%%:*}; pat=$${m\#*:}; \
		if [ -f "$$f" ] && grep -q -- "$$pat" "$$f"; then rm -f "$$f" && echo "removed the old porcelain $$f (now ctrctl)"; fi; \
	done

install: all
	@if grep -q CTR_TEST_ $(BUILD)/ctr-enter; then \
		echo "make install: $(BUILD)/ctr-enter is a test build (it reads CTR_TEST_*): refused" >&2; exit 1; fi
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BUILD)/ctr-enter $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(LIBEXECDIR)/ctr
	install -m 0755 $(BUILD)/ctr-netlink $(BUILD)/ctr-top $(BUILD)/ctr-session $(DESTDIR)$(LIBEXECDIR)/ctr/
	@# The PAM profile of ctr-session (Default: no): installing it changes
	@# no PAM stack; `pam-auth-update --enable ctr-session` turns it on
	@# (docs/cgroups.md, "Sessions").
	install -d $(DESTDIR)$(PAMCONFDIR)
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|' helpers/session/pam-config.in >$(DESTDIR)$(PAMCONFDIR)/ctr-session
	chmod 0644 $(DESTDIR)$(PAMCONFDIR)/ctr-session
	$(BAKE) -e 's|^NETLINK_INSTALLED=.*|NETLINK_INSTALLED=$(LIBEXECDIR)/ctr/ctr-netlink|' -e 's|^ENTER_INSTALLED=.*|ENTER_INSTALLED=$(BINDIR)/ctr-enter|' netns-setup >$(DESTDIR)$(BINDIR)/netns-setup
	$(BAKE) rootfs-builder >$(DESTDIR)$(BINDIR)/rootfs-builder
	$(BAKE) -e 's|^TOP_INSTALLED=.*|TOP_INSTALLED=$(LIBEXECDIR)/ctr/ctr-top|' ctrctl >$(DESTDIR)$(BINDIR)/ctrctl
	chmod 0755 $(DESTDIR)$(BINDIR)/netns-setup $(DESTDIR)$(BINDIR)/rootfs-builder $(DESTDIR)$(BINDIR)/ctrctl
	$(REMOVE_OLD_CTR)
	$(if $(MANS),install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man1/)
	install -d $(DESTDIR)$(COMPDIR)
	install -m 0644 completions/ctrctl.bash $(DESTDIR)$(COMPDIR)/ctrctl

uninstall:
	@# A session line left enabled without its program would fail every
	@# login (it is "required"): take ours out of the PAM stack first.
	@if [ -z "$(DESTDIR)" ] && [ -f $(PAMCONFDIR)/ctr-session ] && command -v pam-auth-update >/dev/null; then \
		pam-auth-update --package --remove ctr-session; fi
	rm -f $(DESTDIR)$(PAMCONFDIR)/ctr-session
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,ctr-enter $(SCRIPTS))
	rm -f $(DESTDIR)$(LIBEXECDIR)/ctr/ctr-netlink $(DESTDIR)$(LIBEXECDIR)/ctr/ctr-top $(DESTDIR)$(LIBEXECDIR)/ctr/ctr-session
	-rmdir $(DESTDIR)$(LIBEXECDIR)/ctr 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANS)))
	rm -f $(DESTDIR)$(COMPDIR)/ctrctl
	$(REMOVE_OLD_CTR)

# C unit tests of the parsers (tests/unit/test-*.c), linked with the real
# objects (ctr-enter's without main.c, ctr-top's formatter and sampler;
# test-netcfg includes netcfg.c).
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_OBJS := $(filter-out $(BUILD)/main.o,$(OBJS)) $(BUILD)/rtnl.o $(BUILD)/owner.o $(BUILD)/top-format.o $(BUILD)/top-sample.o

$(BUILD)/unit/test-%: tests/unit/test-%.c tests/unit/unit.h $(UNIT_OBJS) $(HDRS) | $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_OBJS) $(LDLIBS) $(SECCOMP_LIBS) $(MNL_LIBS)

$(BUILD)/unit/test-netcfg: helpers/netlink/netcfg.c

$(BUILD)/unit:
	mkdir -p $@

unit: $(UNIT_BINS)
	tests/unit/run $(UNIT_BINS)

# Tests run against the tree's own binaries (CTR_BIN), never installed ones.
test: all unit test-hooks
	CTR_BIN=$(CURDIR)/$(BUILD) $(BATS) --timing $(BATS_FLAGS) bats-tests/

# Same suite, ctr-enter built with AddressSanitizer and UBSan.
test-asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" ENTER_STATIC= test

# Suites inside a VM per cgroup layout (docs/testing.md); CTR_VM_* tune it.
test-vm: all test-hooks
	bats-tests/vm/run

# The suites are linted too: shellcheck reads a bats file (#!/usr/bin/env bats) as bash.
lint:
	shellcheck -x $(SCRIPTS) .ci/run .ci/deps completions/ctrctl.bash bats-tests/vm/run bats-tests/vm/guest-init bats-tests/vm/guest-agent bats-tests/vm/initramfs-init demo/run tests/unit/run $(wildcard bench/*.sh bats-tests/*.bash bats-tests/*.sh)
	shellcheck -x $(wildcard bats-tests/*.bats bats-tests/vm/*.bats)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr -D_GNU_SOURCE $(addprefix -I,$(SRC_DIRS)) helpers/ tests/unit/

rootfs:
	./rootfs-builder "$(ROOTFS)"

bench: all
	bench/run.sh

# Every requirement, step by step, with real checks (ROOTFS or CTR_ROOTFS).
demo: all
	CTR_BIN=$(CURDIR)/$(BUILD) CTR_ROOTFS="$${CTR_ROOTFS:-$(ROOTFS)}" ./demo/run

deps:
	./.ci/deps

clean:
	rm -rf build build-asan

.PHONY: all test-hooks install uninstall unit test test-asan test-vm lint rootfs bench demo deps clean
