#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitramfs.sh STAGING OUT INIT BINDIR "BENCH..." TEST...
#
# Packs busybox, INIT, BINDIR/vas-demo, BINDIR/BENCH... (as /BENCH) and
# BINDIR/TEST... (as /tests/TEST) into the gzip'd cpio archive OUT.
set -eu
staging=$1 out=$2 init=$3 bindir=$4 benches=$5
shift 5
rm -rf "$staging"
mkdir -p "$staging"/{bin,dev,proc,sys,tmp,tests,bench}
for b in $benches; do
	cp "$bindir/$b" "$staging/$b"
done
cp /bin/busybox "$staging/bin/busybox"
ln -s busybox "$staging/bin/sh"
cp "$init" "$staging/init"
cp "$bindir/vas-demo" "$staging/bin/"
for t in "$@"; do
	mkdir -p "$staging/tests/$(dirname "$t")"
	cp "$bindir/$t" "$staging/tests/$t"
done
(cd "$staging" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
