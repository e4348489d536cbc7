#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build.sh SRC OUT CC JOBS
#
# Builds the guest that tools/vas-vmm boots: a kernel configured as
# tinyconfig + tests/guest/guest.config, built out of tree from the kernel
# source SRC (only read) into OUT/obj (OUT/obj/arch/x86/boot/bzImage), and
# OUT/initramfs.cpio.gz (gzip'd newc cpio) with the host's static busybox
# and tests/guest/init as /init. CC is the compiler command for the kernel
# and its host programs ("ccache gcc"), JOBS the make -j count.
#
# Incremental: the config is regenerated only when guest.config changed,
# kbuild rebuilds only what changed, and the initramfs is repacked only
# when one of its files did. The archive is reproducible (fixed mtimes and
# owners, gzip -n).
set -eu

[ $# -eq 4 ] || { echo "usage: $0 SRC OUT CC JOBS" >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
cc=$3 jobs=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
obj=$out/obj
frag=$here/guest.config
busybox=/bin/busybox

# As in the top-level Makefile: fixed build identity, so that an unchanged
# tree gives the same image and never relinks
export KBUILD_BUILD_TIMESTAMP=2024-11-17
export KBUILD_BUILD_USER=vas
export KBUILD_BUILD_HOST=vas
# Paths under it are hashed relative to the build directory, so that
# another copy of the tree hits the same ccache entries
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$src")}

kmake() {
	make -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" -j"$jobs" "$@"
}

# ---------------------------------------------------------------- config
# OUT/guest.config is the fragment the current .config was made from
if [ ! -e "$obj/.config" ] || ! cmp -s "$frag" "$out/guest.config"; then
	echo "  CONFIG  tinyconfig + guest.config"
	rm -f "$out/guest.config"
	mkdir -p "$obj"
	kmake -s tinyconfig >/dev/null
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "$frag" >/dev/null)
	kmake -s olddefconfig >/dev/null
	# Kconfig drops what the fragment asks for if its dependencies are
	# not met: fail on any such option
	"$top/scripts/check-config.sh" "$frag" "$obj/.config"
	cp "$frag" "$out/guest.config"
fi

# ---------------------------------------------------------------- kernel
kmake bzImage

# ---------------------------------------------------------------- initramfs
# A dynamically linked busybox would find no libc in the guest
if LC_ALL=C readelf -l "$busybox" | grep -q INTERP; then
	echo "error: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

# The kernel's own cpio writer: it makes /dev/console without privileges
# and takes one mtime for every entry
gen=$out/gen_init_cpio
if [ ! -x "$gen" ] || [ "$src/usr/gen_init_cpio.c" -nt "$gen" ]; then
	echo "  HOSTCC  gen_init_cpio"
	$cc -O2 -o "$gen" "$src/usr/gen_init_cpio.c"
fi

cpio=$out/initramfs.cpio.gz
stale=
[ -e "$cpio" ] || stale=1
for f in "$here/init" "$busybox" "$gen" "$0"; do
	[ "$f" -nt "$cpio" ] && stale=1
done
if [ -n "$stale" ]; then
	echo "  CPIO    $cpio"
	# /dev/console: the kernel opens it for /init's stdio before /init
	# can mount devtmpfs; the applets' links are made by /init at boot
	cat >"$out/initramfs.list" <<-EOF
	dir /dev 0755 0 0
	nod /dev/console 0600 0 0 c 5 1
	dir /bin 0755 0 0
	file /bin/busybox $busybox 0755 0 0
	slink /bin/sh busybox 0777 0 0
	dir /proc 0755 0 0
	dir /sys 0755 0 0
	dir /tmp 1777 0 0
	file /init $here/init 0755 0 0
	EOF
	"$gen" -t "$(date -u -d "$KBUILD_BUILD_TIMESTAMP" +%s)" \
		"$out/initramfs.list" | gzip -9 -n >"$cpio.tmp"
	mv "$cpio.tmp" "$cpio"
fi
