#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bisect-series.sh TARBALL SERIES DIR FRAGMENT CC JOBS
#
# Builds the kernel after each patch of SERIES (make patches): the
# pristine kernel of TARBALL is extracted once to DIR/linux, each patch is
# applied in turn, and DIR/obj is rebuilt incrementally (tinyconfig +
# FRAGMENT) with CC, typically ccache gcc. Options of FRAGMENT that do not
# exist yet at a patch are left out. Stops at the first patch that does
# not build.
set -eu
tarball=$1 series=$2 dir=$3 fragment=$4 cc=$5 jobs=$6
src=$dir/linux obj=$dir/obj
export CCACHE_BASEDIR=$dir

rm -rf "$src" "$obj"
mkdir -p "$src" "$obj"
echo "  EXTRACT $tarball"
tar -xf "$tarball" -C "$src" --strip-components=1
git init -q "$src"

kmake() {
	make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" -j"$jobs" "$@"
}
for p in $(ls "$series"/0*.patch | grep -v '/0000-'); do
	git -C "$src" apply --whitespace=nowarn "$p"
	start=$(date +%s)
	kmake tinyconfig >/dev/null
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "$fragment" >/dev/null)
	kmake olddefconfig >/dev/null
	if ! kmake bzImage modules >"$dir/build.log" 2>&1; then
		tail -30 "$dir/build.log"
		echo "error: the kernel does not build after $(basename "$p")" >&2
		exit 1
	fi
	echo "  BUILT   $(basename "$p") ($(($(date +%s) - start)) s)"
done
