#!/usr/bin/env bats
# rootfs-builder: host mirror detection, the busybox/tarball/debootstrap
# sources, the cache, atomicity under kill -9, locking, and every refusal.
# The one full debootstrap build is the shared CTR_TEST_ROOTFS (setup_suite).
# shellcheck shell=bash
# wait_until's eval conditions and chroot's commands are single-quoted on
# purpose (they expand later); bg_pids is set per test (each runs in its
# own subshell) and read by teardown in the same one; stderr and
# stderr_lines are set by bats's run --separate-stderr.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	require_root
	export T="$BATS_FILE_TMPDIR"
	rootfs_snapshot >"$T/host-before"
	# A busybox tree and tarballs of it, the raw material of several tests.
	rootfs-builder -q --busybox "$T/src" >/dev/null
	tar -C "$T/src" -cf "$T/src.tar" .
	gzip -c "$T/src.tar" >"$T/src.tar.gz"
	xz -c "$T/src.tar" >"$T/src.tar.xz"
	zstd -q -c "$T/src.tar" >"$T/src.tar.zst"
}

# What this suite could leave on the host: mounts under its dirs or the
# shared rootfs, and work dirs or locks beside the shared rootfs.  (The
# whole-host host_snapshot also sees other suites running at the same time.)
rootfs_snapshot() {
	echo "## mounts"
	awk '{ print $5 }' /proc/self/mountinfo | grep -F -e "$T" -e "$CTR_TEST_ROOTFS" | sort || true
	echo "## beside the shared rootfs"
	find "$(dirname "$CTR_TEST_ROOTFS")" -maxdepth 1 -name "$(basename "$CTR_TEST_ROOTFS").*" | sort
}

teardown_file() {
	local now mp
	now=$(rootfs_snapshot)
	# Report debris, then take it away (mounts under our dirs: bats would
	# otherwise fail to remove them, or worse, remove through them).
	while read -r mp; do
		umount -l "$(printf '%b' "${mp//\\/\\0}")" || true
	done < <(awk '{ print $5 }' /proc/self/mountinfo | grep -F "$T" | tac)
	if [ "$now" != "$(cat "$T/host-before")" ]; then
		diff "$T/host-before" <(echo "$now") >&2 || true
		fail "debris left on the host (above)"
	fi
}

setup() {
	require_root
	bg_pids=()
}

# A failed test must not leave its background builders and feeders behind.
teardown() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -KILL -- -"$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
	done
}

# Fail unless PARENT has no NAME, no NAME.partial-* and no NAME.lock.
assert_nothing_left() {
	local parent=$1 name=$2 left
	left=$(find "$parent" -maxdepth 1 \( -name "$name" -o -name "$name.partial-*" -o -name "$name.lock" \) -print)
	[ -z "$left" ] || fail "left behind: $left"
}

# refused WANT... -- ARGS...: rootfs-builder ARGS must refuse in one line
# holding each WANT (expect_refusal in test_helper.bash).
refused() { expect_refusal rootfs-builder - "$@"; }

# A marker key's value.
marker() {
	sed -n "s/^$2=//p" "$1/.ctr-rootfs"
}

# Sample host facts: an os-release and apt sources in a directory of the test.
sample_host() {
	local codename=$1
	export CTR_OS_RELEASE="$BATS_TEST_TMPDIR/os-release"
	export CTR_APT_SOURCES_LIST="$BATS_TEST_TMPDIR/sources.list"
	export CTR_APT_SOURCES_DIR="$BATS_TEST_TMPDIR/sources.list.d"
	mkdir -p "$CTR_APT_SOURCES_DIR"
	printf 'ID=sample\nVERSION_CODENAME="%s"\n' "$codename" >"$CTR_OS_RELEASE"
}

# ------------------------------------------------------------ the command line

@test "--help describes every option, --version reads VERSION" {
	run rootfs-builder --help
	assert_success
	assert_line --partial "Usage: rootfs-builder"
	for opt in --suite --mirror --variant --include --keyring --arch --from-tar --busybox --force --print-defaults; do
		assert_output --partial -- "$opt"
	done
	run rootfs-builder --version
	assert_success
	assert_output "rootfs-builder $(cat "$CTR_SRC/VERSION")"
}

@test "the man page documents the options --help lists" {
	assert_file_exists "$CTR_SRC/docs/man/rootfs-builder.1"
	run env LC_ALL=C MANWIDTH=200 man -l --warnings "$CTR_SRC/docs/man/rootfs-builder.1"
	assert_success
	for opt in suite mirror variant include keyring arch from-tar busybox force print-defaults; do
		grep -q -- "-$opt" <<<"$output" || fail "man page lacks --$opt"
	done
}

# The options and environment variables a text names (man: its source,
# without the examples).
named_words() {
	grep -oE -- '(^|[ ([|,"])(--?[A-Za-z][A-Za-z-]*|CTR_[A-Z_]+|DEBOOTSTRAP_DIR)' | sed -E 's/^[ ([|,"]//' | sort -u
}
man_source_text() {
	awk '/^\.SH/ { skip = ($2 == "EXAMPLES") } !skip' "$1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g'
}

@test "--help and the man page name the same options and environment variables" {
	local man=$CTR_SRC/docs/man/rootfs-builder.1 help_words man_words
	help_words=$(rootfs-builder --help | named_words)
	man_words=$(man_source_text "$man" | named_words)
	[ -n "$help_words" ]
	diff <(echo "$help_words") <(echo "$man_words") >&2 || fail "--help (<) and the man page (>) differ"
}

@test "bad usage: unknown option, no DIR, two DIRs, conflicting sources (exit 2)" {
	refused "unknown option '--bogus'" -- --bogus "$T/u"
	[ "$status" -eq 2 ]
	refused "DIR missing" -- --busybox
	[ "$status" -eq 2 ]
	refused "more than one DIR" -- --busybox "$T/u1" "$T/u2"
	refused "exclude each other" -- --busybox --from-tar "$T/src.tar" "$T/u"
	refused "needs a value" -- --suite
	assert_nothing_left "$T" u
	assert_nothing_left "$T" u1
}

@test "bad values are refused with one line naming them" {
	refused "bad suite 'Bookworm!'" -- --suite 'Bookworm!' "$T/v"
	refused "bad mirror 'mirror.invalid'" -- --mirror mirror.invalid "$T/v"
	refused "bad variant 'huge'" -- --variant huge "$T/v"
	refused "bad package name 'Not_A_Package'" -- --include bash,Not_A_Package "$T/v"
	refused "bad architecture 'AMD 64'" -- --arch 'AMD 64' "$T/v"
	refused "keyring '$T/none.gpg'" -- --keyring "$T/none.gpg" "$T/v"
	assert_nothing_left "$T" v
}

@test "not root: refused in one line, nothing created; --help/--version/--print-defaults still work" {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	run --separate-stderr "${nobody[@]}" "$CTR_SRC/rootfs-builder" --busybox "$T/nr"
	assert_failure
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line: $stderr"
	[[ $stderr == "rootfs-builder: must run as root"* ]] || fail "$stderr"
	assert_nothing_left "$T" nr
	run "${nobody[@]}" "$CTR_SRC/rootfs-builder" --help
	assert_success
	run "${nobody[@]}" "$CTR_SRC/rootfs-builder" --version
	assert_success
	run "${nobody[@]}" "$CTR_SRC/rootfs-builder" --print-defaults --mirror http://mirror.invalid/debian --suite bookworm
	assert_success
	assert_line "mirror=http://mirror.invalid/debian"
}

# ------------------------------------------------------------ host facts

@test "defaults: suite and mirror from deb822 .sources, skipping disabled, deb-src, security, updates, others" {
	sample_host bookworm
	cat >"$CTR_APT_SOURCES_DIR/debian.sources" <<-'EOF'
		# the security archive comes first, as on many hosts
		Types: deb
		URIs: http://security.invalid/debian-security
		Suites: bookworm-security
		Components: main

		Types: deb-src
		URIs: http://source.invalid/debian
		Suites: bookworm
		Components: main

		Types: deb
		URIs: http://disabled.invalid/debian
		Suites: bookworm
		Components: main
		Enabled: no

		Types: deb
		URIs: http://third-party.invalid/repo
		Suites: nodistro
		Components: main

		Types: deb deb-src
		URIs: http://mirror.invalid/debian/
		Suites: bookworm-updates
		 bookworm
		Components: main
	EOF
	run rootfs-builder --print-defaults
	assert_success
	assert_line source=debootstrap
	assert_line suite=bookworm
	assert_line mirror=http://mirror.invalid/debian
	assert_line variant=minbase
	assert_line "arch=$(dpkg --print-architecture)"
	assert_line packages=bash,procps,iproute2,iputils-ping,netcat-openbsd,python3
}

@test "defaults: suite and mirror from classic sources.list and sources.list.d/*.list" {
	sample_host jammy
	cat >"$CTR_APT_SOURCES_LIST" <<-'EOF'
		# deb http://commented.invalid/ubuntu jammy main
		deb-src http://source.invalid/ubuntu jammy main
		deb http://security.invalid/ubuntu jammy-security main
		deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://updates.invalid/ubuntu jammy-updates main
	EOF
	printf 'deb http://disabled.invalid/ubuntu jammy main\n' >"$CTR_APT_SOURCES_DIR/old.list.disabled"
	printf 'deb http://third-party.invalid/x stable main\n' >"$CTR_APT_SOURCES_DIR/a-third.list"
	printf 'deb [ arch=amd64 ] http://mirror.invalid/ubuntu jammy main restricted # the archive\n' >"$CTR_APT_SOURCES_DIR/b-main.list"
	printf 'deb http://later.invalid/ubuntu jammy main\n' >"$CTR_APT_SOURCES_DIR/c-later.list"
	run rootfs-builder --print-defaults
	assert_success
	assert_line suite=jammy
	assert_line mirror=http://mirror.invalid/ubuntu
}

@test "defaults: sources.list comes before sources.list.d; --suite/--mirror/--variant/--include/--arch override" {
	sample_host bookworm
	printf 'deb http://first.invalid/debian bookworm main\n' >"$CTR_APT_SOURCES_LIST"
	printf 'Types: deb\nURIs: http://second.invalid/debian\nSuites: bookworm\n' >"$CTR_APT_SOURCES_DIR/d.sources"
	run rootfs-builder --print-defaults
	assert_line mirror=http://first.invalid/debian
	run rootfs-builder --print-defaults --suite trixie --mirror http://other.invalid/debian/ \
		--variant buildd --include jq,bash --include curl --arch arm64
	assert_success
	assert_line suite=trixie
	assert_line mirror=http://other.invalid/debian
	assert_line variant=buildd
	assert_line arch=arm64
	assert_line packages=bash,procps,iproute2,iputils-ping,netcat-openbsd,python3,jq,curl
}

@test "defaults: no apt source for the host's release is one clear line" {
	sample_host bookworm
	printf 'deb http://security.invalid/debian-security bookworm-security main\n' >"$CTR_APT_SOURCES_LIST"
	refused "no apt source for bookworm" "give --mirror" -- --print-defaults
	printf 'NAME=x\n' >"$CTR_OS_RELEASE"
	refused "no VERSION_CODENAME" "give --suite" -- --print-defaults
}

@test "defaults on this host: its own codename, a mirror from its own apt sources" {
	run rootfs-builder --print-defaults
	assert_success
	local codename mirror
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-$UBUNTU_CODENAME}")
	assert_line "suite=$codename"
	mirror=$(sed -n 's/^mirror=//p' <<<"$output")
	[ -n "$mirror" ]
	grep -rqsF -- "$mirror" /etc/apt/sources.list /etc/apt/sources.list.d/ ||
		fail "mirror $mirror is not in the host's apt sources"
}

# ------------------------------------------------------------ busybox and the cache

@test "--busybox: a tiny offline rootfs that runs a shell under chroot" {
	local dir="$T/bb"
	run rootfs-builder --busybox "$dir"
	assert_success
	assert_output --partial "built (busybox)"
	for f in bin/busybox bin/sh bin/ls etc/passwd etc/group etc/hostname etc/hosts etc/resolv.conf; do
		assert_exists "$dir/$f"
	done
	[ "$(readlink "$dir/bin/sh")" = busybox ]
	for d in proc sys dev tmp root; do
		assert_dir_exists "$dir/$d"
		[ -z "$(ls -A "$dir/$d")" ] || fail "$d is not empty"
	done
	grep -q '^root:x:0:0:' "$dir/etc/passwd"
	run chroot "$dir" /bin/sh -c 'echo ok; ls /bin | grep -cx sh'
	assert_success
	assert_output $'ok\n1'
	[ "$(marker "$dir" source)" = busybox ]
	[[ $(marker "$dir" built) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	assert_nothing_left "$T" "bb.*"
}

@test "cached: a second run says so and changes nothing; --force rebuilds" {
	local dir="$T/cache" ino marker_before
	rootfs-builder -q --busybox "$dir"
	ino=$(stat -c %i "$dir")
	marker_before=$(stat -c '%i %Y' "$dir/.ctr-rootfs"; cat "$dir/.ctr-rootfs")
	sleep 1
	run rootfs-builder --busybox "$dir"
	assert_success
	assert_output --partial "cached"
	[ "$(stat -c %i "$dir")" = "$ino" ]
	[ "$(stat -c '%i %Y' "$dir/.ctr-rootfs"; cat "$dir/.ctr-rootfs")" = "$marker_before" ]
	# Asking for another kind of rootfs is not "cached".
	refused "not from tar" "--force" -- --from-tar "$T/src.tar" "$dir"
	run rootfs-builder --force --busybox "$dir"
	assert_success
	assert_output --partial "built (busybox)"
	[ "$(stat -c %i "$dir")" != "$ino" ]
	[ "$(marker "$dir" built)" != "$(sed -n 's/^built=//p' <<<"$marker_before")" ]
	run chroot "$dir" /bin/sh -c 'echo ok'
	assert_output ok
	[ -z "$(find "$T" -maxdepth 1 -name 'cache.*')" ]
}

@test "-q: no progress lines, but the final line (built, cached) stays" {
	local dir="$T/quiet"
	run rootfs-builder -q --busybox "$dir"
	assert_success
	assert_output --partial "rootfs-builder: $dir: built (busybox)"
	assert_equal "${#lines[@]}" 1
	run rootfs-builder -q --busybox "$dir"
	assert_success
	assert_output --partial "rootfs-builder: $dir: cached (busybox"
	assert_equal "${#lines[@]}" 1
}

@test "--include on a finished rootfs: cached when it has the packages, else refused naming them" {
	local dir="$T/inc"
	rootfs-builder -q --busybox "$dir"
	# A debootstrap rootfs as far as the marker goes (no debootstrap run).
	sed -i -e 's/^source=.*/source=debootstrap/' -e "s/^packages=.*/packages=$(default_packages),socat/" "$dir/.ctr-rootfs"
	run rootfs-builder --include bash,socat --include iproute2 "$dir"
	assert_success
	assert_output --partial "$dir: cached (debootstrap"
	refused "$dir: holds a rootfs without the package(s) jq,curl" "--force" -- --include jq --include bash,curl,jq "$dir"
	[ "$(marker "$dir" packages)" = "$(default_packages),socat" ]
	# --include asks for debootstrap: a busybox rootfs is another kind.
	rootfs-builder -q --busybox "$T/inc-bb"
	refused "built from busybox, not from debootstrap" "--force" -- --include bash "$T/inc-bb"
	[ "$(marker "$T/inc-bb" source)" = busybox ]
	assert_nothing_left "$T" "inc.*"
	assert_nothing_left "$T" "inc-bb.*"
}

# The packages of a default debootstrap rootfs, as --print-defaults says.
default_packages() {
	rootfs-builder --print-defaults --suite bookworm --mirror http://mirror.invalid/debian | sed -n 's/^packages=//p'
}

@test "a rootfs built with older default packages is kept with a warning, never replaced unasked" {
	local dir="$T/stale" before
	rootfs-builder -q --busybox "$dir"
	# What an older rootfs-builder wrote: python3-minimal, not python3.
	sed -i -e 's/^source=.*/source=debootstrap/' -e 's/^suite=.*/suite=bookworm/' \
		-e 's|^mirror=.*|mirror=http://mirror.invalid/debian|' -e 's/^variant=.*/variant=minbase/' \
		-e 's/^packages=.*/packages=bash,procps,iproute2,iputils-ping,netcat-openbsd,python3-minimal,socat/' "$dir/.ctr-rootfs"
	echo mine >"$dir/root/installed-by-the-user"
	before=$(cat "$dir/.ctr-rootfs")
	run --separate-stderr rootfs-builder --suite bookworm --mirror http://mirror.invalid/debian --variant minbase "$dir"
	assert_success
	assert_output --partial "cached"
	assert_equal "$stderr" "rootfs-builder: warning: $dir: built with older default packages (lacks python3): rootfs-builder --force $dir rebuilds it with them (replacing the tree)"
	[ "$(cat "$dir/.ctr-rootfs")" = "$before" ]
	[ "$(cat "$dir/root/installed-by-the-user")" = mine ]
	assert_nothing_left "$T" "stale.*"
	# Not for another source: a busybox rootfs has no default packages.
	rootfs-builder -q --busybox "$T/stale-bb"
	run --separate-stderr rootfs-builder --busybox "$T/stale-bb"
	assert_success
	assert_output --partial "cached (busybox"
	assert_equal "$stderr" ""
}

# ------------------------------------------------------------ tarballs

@test "--from-tar imports plain, gzip, xz and zstd tarballs (format detected)" {
	local ext dir
	for ext in tar tar.gz tar.xz tar.zst; do
		dir="$T/imp-$ext"
		run rootfs-builder --from-tar "$T/src.$ext" "$dir"
		assert_success
		assert_output --partial "built (tar)"
		run chroot "$dir" /bin/sh -c 'echo ok'
		assert_output ok
		[ "$(marker "$dir" source)" = tar ]
		[ "$(marker "$dir" tarball)" = "$T/src.$ext" ]
		[ "$(stat -c %a "$dir/tmp")" = 1777 ]
		assert_nothing_left "$T" "imp-$ext.*"
	done
}

@test "--from-tar: missing, empty, corrupt, truncated, not a rootfs: one line, nothing left" {
	local bad="$BATS_TEST_TMPDIR"
	refused "tarball '$bad/none.tar.gz': no such file" -- --from-tar "$bad/none.tar.gz" "$T/t"
	: >"$bad/empty.tar"
	refused "is empty" -- --from-tar "$bad/empty.tar" "$T/t"
	head -c 4096 /dev/urandom >"$bad/random.tar.gz"
	printf 'not a tarball' | cat - "$bad/random.tar.gz" >"$bad/noise.tar"
	refused "not a tar archive" -- --from-tar "$bad/noise.tar" "$T/t"
	head -c 300000 "$T/src.tar.gz" >"$bad/truncated.tar.gz"
	refused "corrupt or truncated" -- --from-tar "$bad/truncated.tar.gz" "$T/t"
	head -c 300000 "$T/src.tar.zst" >"$bad/truncated.tar.zst"
	refused "corrupt or truncated" -- --from-tar "$bad/truncated.tar.zst" "$T/t"
	mkdir "$bad/notroot"
	echo hi >"$bad/notroot/file"
	tar -C "$bad/notroot" -czf "$bad/notroot.tar.gz" .
	refused "not a root filesystem" -- --from-tar "$bad/notroot.tar.gz" "$T/t"
	assert_nothing_left "$T" t
	# Parents it had to create go away with a failed build.
	refused "corrupt or truncated" -- --from-tar "$bad/truncated.tar.gz" "$T/new-parent/deeper/t"
	assert_not_exists "$T/new-parent"
}

@test "paths with spaces work for DIR and tarball" {
	local dir="$T/with space/root fs"
	cp "$T/src.tar.xz" "$BATS_TEST_TMPDIR/my rootfs.tar.xz"
	run rootfs-builder --from-tar "$BATS_TEST_TMPDIR/my rootfs.tar.xz" "$dir"
	assert_success
	run chroot "$dir" /bin/sh -c 'echo ok'
	assert_output ok
	run rootfs-builder --from-tar "$BATS_TEST_TMPDIR/my rootfs.tar.xz" "$dir"
	assert_output --partial cached
	run rootfs-builder --busybox "$T/with space/bb tree"
	assert_success
	run chroot "$T/with space/bb tree" /bin/sh -c 'echo ok'
	assert_output ok
	[ "$(find "$T/with space" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' /)" = "bb tree/root fs/" ]
}

# ------------------------------------------------------------ DIR refusals

@test "DIR that is a file is refused and untouched" {
	echo precious >"$T/afile"
	refused "$T/afile: exists and is not a directory" -- --busybox "$T/afile"
	[ "$(cat "$T/afile")" = precious ]
	assert_nothing_left "$T" "afile.*"
}

@test "DIR non-empty and not a rootfs is refused and untouched, even with --force" {
	mkdir -p "$T/data/sub"
	echo precious >"$T/data/sub/f"
	refused "$T/data: is not empty and is not a rootfs" -- --busybox "$T/data"
	refused "is not empty and is not a rootfs" -- --force --busybox "$T/data"
	[ "$(cat "$T/data/sub/f")" = precious ]
	[ "$(ls -A "$T/data")" = sub ]
	assert_nothing_left "$T" "data.*"
	# An empty directory is fine: the rootfs takes its place.
	mkdir "$T/emptydir"
	run rootfs-builder --busybox "$T/emptydir"
	assert_success
	assert_file_exists "$T/emptydir/.ctr-rootfs"
}

# ------------------------------------------------------------ debootstrap refusals

@test "missing debootstrap: says to apt-get install it" {
	local bin="$BATS_TEST_TMPDIR/bin"
	# Everything from the sbin directories but debootstrap.
	mkdir "$bin"
	cp -s -f /usr/sbin/* "$bin/" 2>/dev/null || true
	rm -f "$bin/debootstrap"
	PATH="$bin:$CTR_SRC:/usr/local/bin:/usr/bin:/bin" refused "debootstrap not found" "apt-get install debootstrap" -- "$T/nodeb"
	assert_nothing_left "$T" nodeb
}

@test "unknown suite: no debootstrap script for it" {
	refused "unknown suite 'nosuchsuite'" "debootstrap has no script" -- --suite nosuchsuite "$T/s"
	assert_nothing_left "$T" s
}

@test "unknown suite: the mirror has no Release for it" {
	local m="$BATS_TEST_TMPDIR/mirror"
	mkdir -p "$m/dists/bookworm"
	: >"$m/dists/bookworm/Release"
	refused "unknown suite 'trixie'" "has no dists/trixie/Release" -- --suite trixie --mirror "file://$m" "$T/s"
	assert_nothing_left "$T" s
}

@test "unknown suite: an http mirror answers 404 for its Release" {
	local www="$BATS_TEST_TMPDIR/www" port server
	mkdir -p "$www/debian/dists/bookworm"
	: >"$www/debian/dists/bookworm/Release"
	port=$((20000 + RANDOM % 20000))
	/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$www" "$port" >/dev/null 2>&1 3>&- &
	server=$!
	bg_pids+=("$server")
	wait_until 400 wget -q -O /dev/null "http://127.0.0.1:$port/debian/dists/bookworm/Release" || fail "the test mirror did not come up"
	no_proxy=127.0.0.1 refused "unknown suite 'trixie'" "has no dists/trixie/Release" -- \
		--suite trixie --mirror "http://127.0.0.1:$port/debian" "$T/s"
	kill "$server"
	assert_nothing_left "$T" s
}

@test "unreachable mirror" {
	refused "mirror http://mirror.invalid/debian unreachable" -- --suite bookworm --mirror http://mirror.invalid/debian "$T/s"
	assert_nothing_left "$T" s
}

@test "an Ubuntu suite on a Debian host says what to install or which mirror to give" {
	local keyring
	keyring=$(sed -n 's/^keyring //p' "/usr/share/debootstrap/scripts/jammy" 2>/dev/null || true)
	[ -n "$keyring" ] || skip "this debootstrap does not know jammy"
	if [ ! -e "$keyring" ]; then
		refused "suite 'jammy' needs the keyring $keyring" "apt-get install ubuntu-keyring" -- --suite jammy "$T/u"
	fi
	sample_host bookworm
	printf 'deb http://mirror.invalid/debian bookworm main\n' >"$CTR_APT_SOURCES_LIST"
	refused "suite 'jammy' is from Ubuntu" "give --mirror" -- --print-defaults --suite jammy
	assert_nothing_left "$T" u
}

@test "a failing debootstrap (no such package) is one line and leaves nothing" {
	refused "debootstrap bookworm" "failed" "no-such-package-ctr" -- --variant minbase --include no-such-package-ctr "$T/fail"
	assert_nothing_left "$T" fail
}

# ------------------------------------------------------------ atomic, locked

# Feed TARBALL into FIFO: the first half at once, the rest once GO exists.
slow_feed() {
	local tarball=$1 fifo=$2 go=$3 half
	half=$(($(stat -c %s "$tarball") / 2))
	(
		head -c "$half" "$tarball"
		while [ ! -e "$go" ]; do sleep 0.1; done
		tail -c +"$((half + 1))" "$tarball"
	) >"$fifo" 3>&- &
	feeder=$!
	bg_pids+=("$feeder")
}

# slow_build LOG DIR COMMAND...: run COMMAND --from-tar FEED DIR in the
# background (COMMAND is rootfs-builder with its options, perhaps behind
# setsid), FEED a slow_feed of the test tarball; its pid goes to builder and
# bg_pids, its output to LOG. Returns once the partial tree has appeared;
# feed_rest then lets the feed finish.
slow_build() {
	local log=$1 dir=$2 fifo
	shift 2
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/feed.XXXXXX")
	feed_go=$fifo.go
	mkfifo "$fifo"
	slow_feed "$T/src.tar.gz" "$fifo" "$feed_go"
	"$@" --from-tar "$fifo" "$dir" >"$log" 2>&1 3>&- &
	builder=$!
	bg_pids+=("$builder")
	wait_until 400 eval 'compgen -G "$dir.partial-*/rootfs/*" >/dev/null' || fail "no partial build appeared"
}
feed_rest() {
	touch "$feed_go"
	wait "$feeder" || true
}

@test "kill -9 mid-build leaves no finished-looking DIR; the next run cleans up, mounts included" {
	local dir="$T/atomic root" builder partial
	slow_build "$BATS_TEST_TMPDIR/log" "$dir" setsid rootfs-builder
	[ "$(ps -o sid= -p "$builder" | tr -d ' ')" = "$builder" ] || fail "builder is not its own session"
	# The builder and everything it started, at once.
	kill -KILL -- -"$builder"
	wait "$builder" || true
	feed_rest
	assert_not_exists "$dir"
	partial=$(compgen -G "$dir.partial-*")
	assert_dir_exists "$partial"
	# What a killed debootstrap leaves: proc mounted inside, and a bind mount
	# whose contents must survive the cleanup.
	mkdir -p "$partial/rootfs/proc" "$partial/rootfs/mnt" "$BATS_TEST_TMPDIR/canary"
	echo alive >"$BATS_TEST_TMPDIR/canary/keep"
	mount -t proc proc "$partial/rootfs/proc"
	mount --bind "$BATS_TEST_TMPDIR/canary" "$partial/rootfs/mnt"
	run rootfs-builder --from-tar "$T/src.tar.gz" "$dir"
	assert_success
	assert_output --partial "removing leftovers of an interrupted build: $partial"
	assert_output --partial "built (tar)"
	assert_not_exists "$partial"
	assert_not_exists "$dir.lock"
	[ "$(cat "$BATS_TEST_TMPDIR/canary/keep")" = alive ]
	run ! grep -qF "$T/atomic" /proc/self/mountinfo
	run ! grep -qF 'atomic\040root' /proc/self/mountinfo
	run chroot "$dir" /bin/sh -c 'echo ok'
	assert_output ok
}

@test "a --force rebuild killed with -9 beside a finished DIR: the next run says cached and removes its leftovers, never a running build's" {
	local dir builder partial link sum
	dir=$(realpath -m "$T/refresh")
	rootfs-builder -q --busybox "$dir"
	slow_build "$BATS_TEST_TMPDIR/log" "$dir" setsid rootfs-builder --force
	partial=$(compgen -G "$dir.partial-*")
	# While the rebuild runs, its work dir and lock are no leftovers.
	run rootfs-builder --busybox "$dir"
	assert_success
	assert_output --partial "$dir: cached (busybox"
	refute_output --partial "removing leftovers"
	assert_dir_exists "$partial"
	assert_file_exists "$dir.lock"
	kill -KILL -- -"$builder"
	wait "$builder" || true
	feed_rest
	assert_dir_exists "$partial"
	assert_file_exists "$dir.lock"
	# And what a killed debootstrap leaves: proc mounted inside, and the
	# plain link to its tree in /run/rootfs-builder.
	mkdir -p "$partial/rootfs/proc"
	mount -t proc proc "$partial/rootfs/proc"
	sum=$(printf '%s' "$dir" | sha256sum)
	link=/run/rootfs-builder/${sum:0:16}
	mkdir -p /run/rootfs-builder
	ln -sfn "$partial/rootfs" "$link"
	run rootfs-builder --busybox "$dir"
	assert_success
	assert_output --partial "removing leftovers of an interrupted build: $partial"
	assert_output --partial "$dir: cached (busybox"
	assert_not_exists "$partial"
	assert_not_exists "$dir.lock"
	[ ! -L "$link" ]
	run ! grep -qF "$dir.partial" /proc/self/mountinfo
	run chroot "$dir" /bin/sh -c 'echo ok'
	assert_output ok
	[ "$(marker "$dir" source)" = busybox ]
	assert_nothing_left "$T" "refresh.*"
}

@test "SIGTERM or SIGHUP mid-build: the builder stops what it started and leaves nothing" {
	# (SIGINT is ignored by background jobs of a script; Ctrl-C hits the whole group.)
	local sig builder
	for sig in TERM HUP; do
		slow_build "$BATS_TEST_TMPDIR/log" "$T/sig-$sig" rootfs-builder
		kill -"$sig" "$builder"
		local rc=0
		wait "$builder" || rc=$?
		[ "$rc" -eq $((128 + $(kill -l "$sig"))) ] || fail "exit $rc after SIG$sig"
		grep -q "interrupted by SIG$sig" "$BATS_TEST_TMPDIR/log"
		feed_rest
		assert_nothing_left "$T" "sig-$sig"
		assert_nothing_left "$T" "sig-$sig.*"
	done
}

@test "concurrent builds of one DIR serialize on the lock; the second finds it cached" {
	local dir="$T/concurrent" builder first second
	slow_build "$BATS_TEST_TMPDIR/first.log" "$dir" rootfs-builder
	first=$builder
	rootfs-builder --from-tar "$T/src.tar.gz" "$dir" >"$BATS_TEST_TMPDIR/second.log" 2>&1 3>&- &
	second=$!
	bg_pids+=("$second")
	wait_until 400 grep -q "waiting for it" "$BATS_TEST_TMPDIR/second.log" || fail "the second build did not wait"
	kill -0 "$second"
	assert_not_exists "$dir"
	feed_rest
	wait "$first"
	wait "$second"
	grep -q "built (tar)" "$BATS_TEST_TMPDIR/first.log"
	grep -q "cached" "$BATS_TEST_TMPDIR/second.log"
	assert_nothing_left "$T" "concurrent.*"
}

# ------------------------------------------------------------ the shared debootstrap rootfs

@test "the shared rootfs (setup_suite's debootstrap) is finished and marked" {
	[ "${CTR_TEST_SKIP_ROOTFS:-0}" != 1 ] || skip "CTR_TEST_SKIP_ROOTFS=1: not built by rootfs-builder in this run"
	local r=$CTR_TEST_ROOTFS codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-$UBUNTU_CODENAME}")
	assert_file_exists "$r/.ctr-rootfs"
	[ "$(marker "$r" source)" = debootstrap ]
	[ "$(marker "$r" suite)" = "$codename" ]
	[ "$(marker "$r" variant)" = minbase ]
	[ "$(marker "$r" arch)" = "$(dpkg --print-architecture)" ]
	[ "$(marker "$r" mirror)" = "$(rootfs-builder --print-defaults | sed -n 's/^mirror=//p')" ]
	[[ $(marker "$r" packages) == bash,procps,iproute2,iputils-ping,netcat-openbsd,python3* ]]
	[[ ,$(marker "$r" packages), == *,python3,* ]] || fail "no python3 (with its standard library) in the shared rootfs"
	[ -n "$(marker "$r" built)" ]
	assert_nothing_left "$(dirname "$r")" "$(basename "$r").*"
}

@test "the shared rootfs runs bash, ps, ip, ping, nc and python3" {
	local r=$CTR_TEST_ROOTFS port
	run chroot "$r" bash -c 'echo "bash $BASH_VERSION"'
	assert_success
	assert_output --partial "bash 5"
	run unshare --mount --pid --fork --mount-proc="$r/proc" chroot "$r" ps -o pid=,comm= -p 1
	assert_success
	assert_output --regexp '^ *1 ps$'
	run chroot "$r" ip -o link show lo
	assert_success
	assert_output --partial "lo:"
	run chroot "$r" ping -c 1 -W 2 127.0.0.1
	assert_success
	assert_output --partial "1 received"
	port=$((20000 + RANDOM % 20000))
	run chroot "$r" bash -c "nc -l 127.0.0.1 $port & for i in \$(seq 50); do echo hello-ctr | nc -N 127.0.0.1 $port 2>/dev/null && break; sleep 0.1; done; wait"
	assert_success
	assert_output hello-ctr
	run chroot "$r" python3 -c 'print(6 * 7)'
	assert_success
	assert_output 42
}

@test "make rootfs quotes ROOTFS: a DIR with spaces" {
	local dir="$T/make root fs"
	rootfs-builder -q --busybox "$dir"
	run make -s -C "$CTR_SRC" rootfs ROOTFS="$dir"
	assert_success
	assert_output --partial "$dir: cached"
}

@test "make install: every command, man page and completion in place, no setuid bit or file capability; the installed ones print VERSION" {
	local d="$BATS_TEST_TMPDIR/dest" v f
	v=$(cat "$CTR_SRC/VERSION")
	run make -s -C "$CTR_SRC" install DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	for f in ctrctl ctr-enter netns-setup rootfs-builder; do
		assert_file_executable "$d/usr/bin/$f"
	done
	# containerd's client is ctr(8): no command of that name is ours.
	assert_not_exists "$d/usr/bin/ctr"
	assert_file_executable "$d/usr/libexec/ctr/ctr-netlink"
	cmp "$CTR_BIN/ctr-netlink" "$d/usr/libexec/ctr/ctr-netlink"
	for f in "$CTR_SRC"/docs/man/*.1; do
		assert_file_exists "$d/usr/share/man/man1/${f##*/}"
	done
	assert_file_exists "$d/usr/share/bash-completion/completions/ctrctl"
	# No VERSION file beside them: the version is written in.
	assert_not_exists "$d/usr/bin/VERSION"
	run "$d/usr/bin/netns-setup" --version
	assert_output "netns-setup $v"
	run "$d/usr/bin/rootfs-builder" --version
	assert_output "rootfs-builder $v"
	run "$d/usr/bin/ctrctl" --version
	assert_output "ctrctl $v"
	run "$d/usr/bin/ctr-enter" --version
	assert_output "ctr-enter $v"
	grep -qx 'NETLINK_INSTALLED=/usr/libexec/ctr/ctr-netlink' "$d/usr/bin/netns-setup"
	# No privilege is installed: no setuid or setgid bit, no file capability.
	run find "$d" -perm /6000
	assert_success
	assert_output ""
	run getcap -r "$d"
	assert_success
	assert_output ""
}

@test "ctr-enter's version comes from the VERSION file through the Makefile, not a second copy in the source" {
	local b="$BATS_TEST_TMPDIR/build"
	run ! grep -rE '"[0-9]+\.[0-9]+\.[0-9]+"' "$CTR_SRC/helpers"
	run make -s -C "$CTR_SRC" BUILD="$b" VERSION=9.8.7 "$b/cli.o"
	assert_success
	grep -qaF 'ctr-enter %s' "$b/cli.o"
	grep -qaxF 9.8.7 <(strings "$b/cli.o")
}

# The porcelain was installed as ctr before it became ctrctl.
old_ctr_porcelain() {
	printf '#!/usr/bin/env bash\n# ctr: the everyday front end of the ctr tools.  It keeps no state of its\n'
}

@test "make install refuses a test build of ctr-enter (the one with the CTR_TEST_* hooks)" {
	require_hooks_build
	local d=$BATS_TEST_TMPDIR/inst
	run make -s -C "$CTR_SRC" install DESTDIR="$d" PREFIX=/usr BUILD="$CTR_HOOKS_BIN"
	assert_failure
	assert_output --partial "is a test build"
	assert_file_not_exist "$d/usr/bin/ctr-enter"
	# the release build installs, and has no hook
	run make -s -C "$CTR_SRC" install DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	run grep -c CTR_TEST_ "$d/usr/bin/ctr-enter"
	assert_output 0
}

@test "make install and uninstall remove an old ctr porcelain of ours, never a foreign ctr (containerd's)" {
	local d="$BATS_TEST_TMPDIR/dest" foreign
	mkdir -p "$d/usr/bin" "$d/usr/share/man/man1" "$d/usr/share/bash-completion/completions"
	old_ctr_porcelain >"$d/usr/bin/ctr"
	printf 'ctr \\- create, run, enter, list, stop and remove ctr containers\n' >"$d/usr/share/man/man1/ctr.1"
	printf '# bash completion for ctr (install as /usr/share/bash-completion/completions/ctr)\n' >"$d/usr/share/bash-completion/completions/ctr"
	run make -s -C "$CTR_SRC" install DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	assert_not_exists "$d/usr/bin/ctr"
	assert_not_exists "$d/usr/share/man/man1/ctr.1"
	assert_not_exists "$d/usr/share/bash-completion/completions/ctr"
	assert_file_executable "$d/usr/bin/ctrctl"

	# A foreign ctr (containerd's client) survives install and uninstall, byte for byte.
	foreign=$'#!/bin/sh\n# containerd CLI\nexit 0\n'
	printf '%s' "$foreign" >"$d/usr/bin/ctr"
	chmod 0755 "$d/usr/bin/ctr"
	run make -s -C "$CTR_SRC" install DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	run make -s -C "$CTR_SRC" uninstall DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	assert_equal "$(cat "$d/usr/bin/ctr"; echo x)" "${foreign}x"
	assert_not_exists "$d/usr/bin/ctrctl"
	# uninstall also removes an old porcelain of ours.
	old_ctr_porcelain >"$d/usr/bin/ctr"
	run make -s -C "$CTR_SRC" uninstall DESTDIR="$d" PREFIX=/usr BUILD="$CTR_BIN"
	assert_success
	assert_not_exists "$d/usr/bin/ctr"
}

@test "rerunning the shared rootfs build (and make rootfs) says cached" {
	run rootfs-builder "$CTR_TEST_ROOTFS"
	assert_success
	assert_output --partial "$CTR_TEST_ROOTFS: cached"
	run make -s -C "$CTR_SRC" rootfs ROOTFS="$CTR_TEST_ROOTFS"
	assert_success
	assert_output --partial "cached"
}
