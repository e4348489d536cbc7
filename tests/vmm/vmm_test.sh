#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The VMM as a selftest (TAP), run by the test VM's /init from /tests/vmm/:
# boots the guest of tests/guest with vas-vmm, its network served by
# vhost-xi-net on the guest's vas (vmm-net.sh: the guest reaches its init,
# pings both ways, bulk transfers whose md5s match on both sides, VMM exit
# status 0), then runs the VMM's bad-input cases (vmm-errors.sh), then a
# freestanding guest program that transmits on a vbus venet device through
# the VMM's vbus proxy (vmm-venet.sh). Each "PASS name" / "FAIL name (why)"
# line of theirs becomes one TAP result.
here=/vmm
out=/tmp/vmm_test.out

insmod /modules/vringh.ko 2>/dev/null
insmod /modules/vhost_xi_net.ko 2>/dev/null
insmod /modules/vbus.ko 2>/dev/null
insmod /modules/vbus_venet.ko 2>/dev/null

: >"$out"
"$here/vmm-net.sh" "$here/vas-vmm" "$here/guest-bzImage" \
	"$here/guest-initrd" vhost-xi >>"$out" 2>&1
echo "vmm-net: exit $?" >>"$out"
"$here/vmm-errors.sh" "$here/vas-vmm" "$here/guest-bzImage" \
	"$here/guest-initrd" >>"$out" 2>&1
echo "vmm-errors: exit $?" >>"$out"
"$here/vmm-venet.sh" "$here/vas-vmm" "$here/venet-guest.bin" \
	>"$out.venet" 2>&1
rc=$?
cat "$out.venet" >>"$out"
echo "vmm-venet: exit $rc" >>"$out"
sed -n -e 's/^ok [0-9]* - /vmm-venet: PASS /p' \
	-e 's/^not ok [0-9]* - /vmm-venet: FAIL /p' "$out.venet" >>"$out"
grep -q '^not ok' "$out.venet" || [ $rc = 0 ] ||
	echo "vmm-venet: FAIL vmm-venet.sh (exit status $rc)" >>"$out"

# The transcript first, as TAP comments
sed 's/^/# /' "$out"
n=$(grep -cE '^[a-z-]+: (PASS|FAIL) ' "$out")
echo "1..$n"
i=0
grep -E '^[a-z-]+: (PASS|FAIL) ' "$out" | while read -r who verdict name; do
	i=$((i + 1))
	if [ "$verdict" = PASS ]; then
		echo "ok $i $who $name"
	else
		echo "not ok $i $who $name"
	fi
done
! grep -qE '^[a-z-]+: FAIL ' "$out"
