#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# link-overlay.sh TOP SRC DIR...
#
# Links every file of TOP/DIR... into the kernel source SRC at the same
# path, and removes links whose file is gone. An overlay file never
# replaces an upstream file: upstream files change only through patches/.
set -eu
top=$1 src=$2
shift 2

for d in "$@"; do
	[ -d "$top/$d" ] || continue
	(cd "$top" && find "$d" -type f) | while read -r f; do
		dst="$src/$f"
		if [ -e "$dst" ] && [ ! -L "$dst" ]; then
			echo "error: $f would replace an upstream file; change it with a patch" >&2
			exit 1
		fi
		if [ "$(readlink "$dst" 2>/dev/null)" != "$top/$f" ]; then
			mkdir -p "$(dirname "$dst")"
			ln -sfn "$top/$f" "$dst"
		fi
	done
	[ -d "$src/$d" ] && find "$src/$d" -xtype l -delete
done
exit 0
