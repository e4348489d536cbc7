#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitramfs.sh STAGING OUT INIT BINDIR "BENCH..." KVMLIST KVMDIR "MODDIR..." TEST...
#
# Packs busybox, INIT, BINDIR/vas-demo, BINDIR/BENCH... (as /BENCH),
# BINDIR/TEST... (as /tests/TEST), KVMLIST (as /kvm-selftests.list), the
# KVMDIR binaries it names (in /kvm-selftests/) and every module under
# the MODDIRs (in /modules/) into the gzip'd cpio archive OUT.
set -eu
staging=$1 out=$2 init=$3 bindir=$4 benches=$5 kvmlist=$6 kvmdir=$7 moddir=$8
shift 8
rm -rf "$staging"
mkdir -p "$staging"/{bin,dev,proc,sys,tmp,tests,bench,kvm-selftests,modules}
# shellcheck disable=SC2086 # a list of directories
find $moddir -name '*.ko' -exec cp {} "$staging/modules/" \;
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
cp "$kvmlist" "$staging/kvm-selftests.list"
for k in $(awk '/^[[:alnum:]]/ { print $1 }' "$kvmlist" | sort -u); do
	cp "$kvmdir/$k" "$staging/kvm-selftests/"
done
(cd "$staging" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
