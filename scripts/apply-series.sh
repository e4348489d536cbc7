#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# apply-series.sh SRC APPLIED_DIR PATCH...
#
# Brings the kernel source SRC to "base + the given series". APPLIED_DIR
# keeps a copy of each patch as it was applied. Patches whose diff is
# unchanged and in the same position stay applied; from the first difference on, the
# old ones are reverted (newest first) and the new ones applied. A patch
# that does not apply stops the build with the patch named.
set -eu
src=$1 applied=$2
shift 2
mkdir -p "$applied"

# The diff of a patch, without mail header, commit message, blob ids and
# signature: what decides the resulting source
diff_of() {
	sed -n '/^diff --git /,$p' "$1" | sed '/^-- $/,$d' | grep -v '^index '
}

mapfile -t old < <(ls "$applied" 2>/dev/null | sort)
keep=0
for p in "$@"; do
	[ $keep -lt ${#old[@]} ] || break
	[ "$(basename "$p")" = "${old[$keep]}" ] || break
	cmp -s <(diff_of "$p") <(diff_of "$applied/${old[$keep]}") || break
	cp "$p" "$applied/${old[$keep]}"
	keep=$((keep + 1))
done

for ((i = ${#old[@]} - 1; i >= keep; i--)); do
	echo "  REVERT  ${old[$i]}"
	if ! patch -d "$src" -p1 -R -s -f <"$applied/${old[$i]}"; then
		echo "error: cannot revert ${old[$i]}; run 'make distclean'" >&2
		exit 1
	fi
	rm -f "$applied/${old[$i]}"
done

n=0
for p in "$@"; do
	n=$((n + 1))
	[ $n -gt $keep ] || continue
	echo "  PATCH   $(basename "$p")"
	if ! patch -d "$src" -p1 -s -f --dry-run <"$p" >/dev/null; then
		echo "error: $(basename "$p") does not apply to $(make -s -C "$src" kernelversion):" >&2
		patch -d "$src" -p1 -f --dry-run <"$p" >&2 || true
		exit 1
	fi
	patch -d "$src" -p1 -s -f <"$p"
	cp "$p" "$applied/"
done
