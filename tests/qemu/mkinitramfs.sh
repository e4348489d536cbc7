#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitramfs.sh STAGING OUT INIT BINDIR "BENCH..." KVMLIST KVMDIR "MODDIR..." TEST...
#
# Packs busybox, INIT, BINDIR/vas-demo, BINDIR/BENCH... (as /BENCH),
# BINDIR/TEST... (as /tests/TEST), KVMLIST (as /kvm-selftests.list), the
# KVMDIR binaries it names (in /kvm-selftests/) and every module under
# the MODDIRs (in /modules/) into the gzip'd cpio archive OUT. With $VMM,
# $GUEST_KERNEL, $GUEST_INITRD, $VENET_GUEST and $VMM_SCRIPTS set in the
# environment, the VMM, its guests and its scripts too (see below).
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
# The VMM, its guest and its test scripts (tests/vmm/), when given:
# /vmm/vas-vmm, /vmm/guest-bzImage, /vmm/guest-initrd, /vmm/venet-guest.bin
# (a freestanding program for vas-vmm --program), /vmm/*.sh, the
# VMM test as a selftest, /tests/vmm/vmm_test, and its benchmark,
# /bench/vmm_bench
if [ -n "${VMM:-}" ]; then
	mkdir -p "$staging/vmm" "$staging/tests/vmm"
	cp "$VMM" "$staging/vmm/vas-vmm"
	cp "$GUEST_KERNEL" "$staging/vmm/guest-bzImage"
	cp "$GUEST_INITRD" "$staging/vmm/guest-initrd"
	cp "$VENET_GUEST" "$staging/vmm/venet-guest.bin"
	cp "$VMM_SCRIPTS"/*.sh "$staging/vmm/"
	mv "$staging/vmm/vmm_test.sh" "$staging/tests/vmm/vmm_test"
	mv "$staging/vmm/vmm-bench.sh" "$staging/bench/vmm_bench"
fi
cp "$kvmlist" "$staging/kvm-selftests.list"
for k in $(awk '/^[[:alnum:]]/ { print $1 }' "$kvmlist" | sort -u); do
	cp "$kvmdir/$k" "$staging/kvm-selftests/"
done
(cd "$staging" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
