#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lint.sh TOP SRC OBJ CC MODULES
#
# checkpatch --strict on every C file, header and patch of vas, kernel-doc
# warnings on the documented sources, reStructuredText errors in
# Documentation/virt/vas/, and sparse (C=2) plus W=1 compiler warnings on
# virt/vas/, KVM's virt/kvm/vas.c and the external modules built in
# MODULES. Any finding fails.
set -u
top=$1 src=$2 obj=$3 cc=$4 modules=$5
cd "$top"
fail=0

files=$(git ls-files --cached --others --exclude-standard 'virt/*.[ch]' 'include/*.h' 'drivers/*.[ch]' 'samples/*.[ch]' \
	2>/dev/null || find virt include drivers samples -name '*.[ch]')
out=$("$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $files 2>&1)
[ -n "$out" ] && { echo "$out"; fail=1; }
# EMBEDDED_FILENAME: 'source "virt/vas/Kconfig"' in Kconfig names a file
out=$(cd "$src" && scripts/checkpatch.pl --strict --quiet --show-types \
	--ignore FILE_PATH_CHANGES,EMBEDDED_FILENAME "$top"/patches/*.patch 2>&1)
[ -n "$out" ] && { echo "$out"; fail=1; }
echo "  CHECKPATCH $(echo $files patches/*.patch | wc -w) files"

docs=$(echo include/linux/vas.h include/uapi/linux/vas.h virt/vas/*.[ch] \
	virt/kvm/vas.c virt/kvm/kvm_vas.h samples/vas/*.[ch] \
	include/linux/vbus*.h include/uapi/linux/vbus*.h \
	include/uapi/linux/venet.h drivers/vbus/*.[ch])
out=$("$src/scripts/kernel-doc" -none -Wall $docs 2>&1)
[ -n "$out" ] && { echo "$out"; fail=1; }
echo "  KDOC    $(echo $docs | wc -w) files"

# Debian's python3-docutils is for /usr/bin/python3, which another python3
# earlier on PATH may not see
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
out=$($py "$top/scripts/rst-check.py" Documentation/virt/vas/*.rst 2>&1)
[ -n "$out" ] && { echo "$out"; fail=1; }
echo "  RST     Documentation/virt/vas/"

# sparse, and the compiler with W=1 (extra warnings), without touching
# what the normal build made: sparse runs over the up-to-date objects
# (C=2 checks without rebuilding; the make variables are the build's own,
# so nothing looks changed), and the W=1 compile goes to assembler files
# (%.s), which nothing else uses.
# Upstream's rb_link_node_rcu() (include/linux/rbtree.h:74), reached through
# latch_tree_insert(), trips sparse for every user, kernel/module/ included:
# drop exactly that diagnostic and the "in included file" notes.
kmake() {
	make -s -C "$src" O="$obj" CC="$cc" HOSTCC="$cc" "$@" 2>&1 |
		grep -v '^make\|^  CHECK\|note: in included file' |
		grep -v 'include/linux/rbtree.h:74:'
}
# KVM's binding is part of kvm.ko, whose objects x86 builds from arch/x86/kvm/
kvm_vas=arch/x86/kvm/../../../virt/kvm/vas
vas_s=$(for f in virt/vas/*.c; do echo "${f%.c}.s"; done)
out=$(kmake C=2 virt/vas/ "$kvm_vas.o"; kmake W=1 $vas_s "$kvm_vas.s")
[ -n "$out" ] && { echo "$out"; fail=1; }
# The external modules the same way, M= being the tree they are built in
mod_s=$(cd "$modules" && find . -name '*.mod.c' | sed 's|^\./||; s|\.mod\.c$|.s|')
out=$(kmake M="$modules" C=2 modules; kmake M="$modules" W=1 $mod_s)
[ -n "$out" ] && { echo "$out"; fail=1; }
echo "  SPARSE  virt/vas/, virt/kvm/vas.c, modules (and W=1)"

[ $fail = 0 ] || echo "lint: fix the findings above" >&2
exit $fail
