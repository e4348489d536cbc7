#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-modules.sh DIR SRC
#
# Every module built under DIR is a vas backend: it must reach guest memory
# through the VAS namespace, or through vbus (the VBUS namespace, whose
# device models never see the vas), and must not need anything from KVM:
# no symbol that the KVM sources of the kernel tree SRC export, none named
# kvm_* or __kvm_*, no module dependency on kvm. Any module that does fails
# the check.
set -eu
dir=$1 src=$2
kvm_exports=$(grep -rhoE 'EXPORT_SYMBOL[A-Z_]*\(\s*[A-Za-z0-9_]+' \
	"$src/virt/kvm" "$src"/arch/*/kvm | sed 's/.*(\s*//' | sort -u)
mods=$(find "$dir" -name '*.ko' | sort)
[ -n "$mods" ] || { echo "error: no module under $dir" >&2; exit 1; }
fail=0
for ko in $mods; do
	name=$(basename "$ko")
	kvm=$(nm -u "$ko" | awk '{ print $2 }' |
		grep -xF -e "$kvm_exports" || true)
	kvm="$kvm $(nm -u "$ko" | awk '{ print $2 }' | grep -E '^_*kvm_' || true)"
	kvm=$(echo $(printf "%s\n" $kvm | sort -u))
	deps=$(modinfo -F depends "$ko" | tr ',' '\n' | grep -i kvm || true)
	ok=1
	if [ -n "$kvm$deps" ]; then
		echo "error: $name needs KVM:" $kvm $deps >&2
		ok=0
	fi
	ns=$(modinfo -F import_ns "$ko" | grep -xE 'VAS|VBUS' | head -1)
	if [ -z "$ns" ]; then
		echo "error: $name imports neither VAS nor VBUS" >&2
		ok=0
	fi
	[ $ok = 1 ] || { fail=1; continue; }
	prefix=$(echo "$ns" | tr 'A-Z' 'a-z')
	echo "  MODCHECK $name: imports $ns ($(nm -u "$ko" |
		grep -cE " (${prefix}_|shm_signal_|ioq_)") $prefix symbols)," \
		"no KVM symbol"
done
exit $fail
