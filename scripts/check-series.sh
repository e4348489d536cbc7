#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-series.sh TOP TARBALL SRC SERIES WORK OVERLAY_DIR...
#
# Checks the mailable series in SERIES (make patches) against the tree it
# was made from: applied with git apply to the pristine files of TARBALL
# it touches, it must give exactly the files of SRC (the extracted kernel
# with TOP/patches/ applied and the overlay linked in), and it must create
# every file of the overlay directories of TOP.
set -eu
top=$1 tarball=$2 src=$3 series=$4 work=$5
shift 5

rm -rf "$work"
mkdir -p "$work"
patches=$(ls "$series"/0*.patch | grep -v '/0000-')
touched=$(cat $patches | sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' | sort -u)
prefix=$(tar -tf "$tarball" | head -1 | cut -d/ -f1)
# The files the series changes that exist upstream: those it does not create
upstream=$(cat $patches | sed -n 's|^--- a/\([^ ]*\)$|\1|p' | sort -u)
tar -xf "$tarball" -C "$work" --strip-components=1 \
	$(for f in $upstream; do echo "$prefix/$f"; done)
# A repository of its own, so that git apply does not see the one around
git init -q "$work"
for p in $patches; do
	if ! git -C "$work" apply --whitespace=nowarn "$p"; then
		echo "error: $(basename "$p") does not apply to the pristine tree" >&2
		exit 1
	fi
done

fail=0
for f in $touched; do
	if ! cmp -s "$work/$f" "$src/$f"; then
		echo "error: $f: the series gives another file than the tree" >&2
		fail=1
	fi
done
for d in "$@"; do
	for f in $(cd "$top" && git ls-files --cached --others --exclude-standard -- "$d"); do
		echo "$touched" | grep -qxF "$f" && continue
		echo "error: $f is in the tree but in no patch of the series" >&2
		fail=1
	done
done
[ $fail = 0 ] && echo "  SERIES  $(echo $patches | wc -w) patches apply to" \
	"pristine $prefix and give the tree: $(echo $touched | wc -w) files"
exit $fail
