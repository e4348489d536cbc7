#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make-series.sh TOP TARBALL SRC WORK OUT
#
# Writes the mailable form of vas to OUT: a git format-patch series
# against the pristine kernel of TARBALL that creates every file of the
# tree and carries every hook of TOP/patches/, with a cover letter, each
# patch checked with checkpatch --strict (SRC's copy).
#
# TOP/patches/mail/NN-*.msg lists the series in order. Each holds
#   Hooks: patches of TOP/patches/ applied in this patch
#   Files: files or directories of TOP created in this patch
#   Subject: and a message body (without them: the hook patch's own)
# and TOP/patches/mail/cover-letter.txt the cover letter, whose @FIGURES@
# become the benchmark lines of the last make check or make bench.
#
# The series is built in WORK, a git repository of the pristine versions
# of just the upstream files the hooks touch: a patch does not depend on
# the rest of the tree, so the series applies to the whole tree as well.
set -eu
top=$1 tarball=$2 src=$3 work=$4 out=$5
mail=$top/patches/mail
export GIT_AUTHOR_NAME="vas developers" GIT_AUTHOR_EMAIL=vas@vas.invalid
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="2026-11-21 06:00:00 +0000" GIT_COMMITTER_DATE="2026-11-21 06:00:00 +0000"
git="git -C $work -c core.autocrlf=false -c init.defaultBranch=vas"

field() { sed -n "s/^$1: *//p" "$2"; }

rm -rf "$work" "$out"
mkdir -p "$work" "$out"
upstream=$(sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' "$top"/patches/*.patch | sort -u)
prefix=$(tar -tf "$tarball" | head -1 | cut -d/ -f1)
tar -xf "$tarball" -C "$work" --strip-components=1 \
	$(for f in $upstream; do echo "$prefix/$f"; done)
$git init -q
$git add -A
$git commit -q -m "Linux $(cd "$src" && make -s kernelversion 2>/dev/null || echo 6.12)"
base=$($git rev-parse HEAD)

for msg in "$mail"/[0-9]*.msg; do
	for hook in $(field Hooks "$msg"); do
		$git apply --index "$top/patches/$hook"
	done
	for path in $(field Files "$msg"); do
		files=$(cd "$top" && git ls-files --cached --others --exclude-standard -- "$path")
		[ -n "$files" ] || { echo "error: $msg: nothing at $path" >&2; exit 1; }
		for f in $files; do
			mkdir -p "$work/$(dirname "$f")"
			cp "$top/$f" "$work/$f"
		done
		$git add -- $files
	done
	if grep -q '^Subject:' "$msg"; then
		# Subject, then the body after the blank line that ends the header
		{ field Subject "$msg"; echo; sed '1,/^$/d' "$msg"; } >"$work.msg"
	else
		hook=$top/patches/$(field Hooks "$msg" | awk '{ print $1 }')
		git mailinfo "$work.body" /dev/null <"$hook" >"$work.info"
		{ field Subject "$work.info"; echo; cat "$work.body"; } >"$work.msg"
	fi
	$git commit -q -F "$work.msg"
done
rm -f "$work.msg" "$work.info" "$work.body"

$git format-patch -q --binary --cover-letter --thread --no-signature \
	-o "$out" "$base..HEAD"
sed -i '1s/^From [0-9a-f]* /From 0000000000000000000000000000000000000000 /' \
	"$out"/*.patch

# The cover letter: subject and text from cover-letter.txt
cover=$(ls "$out"/0000-*.patch)
figures=$(ls -t "$top"/build/logs/check-output.log \
	"$top"/build/logs/bench-output.log 2>/dev/null | head -1)
{
	[ -n "$figures" ] && grep -h '^bench:' "$figures" | sed 's/^bench: /  /'
} >"$work.figures" || true
[ -s "$work.figures" ] ||
	echo "  (run make bench; Documentation/virt/vas/backend-api.rst has a table)" \
		>"$work.figures"
python3 - "$cover" "$mail/cover-letter.txt" "$work.figures" <<'EOF'
import sys
cover, text, figures = sys.argv[1:]
lines = open(text).read().split("\n")
subject = lines[0].removeprefix("Subject: ")
blurb = "\n".join(lines[2:]).rstrip("\n").replace(
    "@FIGURES@", open(figures).read().rstrip("\n"))
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", blurb)
open(cover, "w").write(s)
EOF
rm -f "$work.figures"

fail=0
for p in "$out"/0*.patch; do
	case $p in */0000-*) continue ;; esac
	# EMBEDDED_FILENAME: 'source "virt/vas/Kconfig"' names a file
	res=$(cd "$src" && scripts/checkpatch.pl --strict --quiet --show-types \
		--ignore FILE_PATH_CHANGES,EMBEDDED_FILENAME "$p" 2>&1) || true
	if [ -n "$res" ]; then
		echo "$res"
		fail=1
	fi
done
echo "  SERIES  $(ls "$out"/0*.patch | wc -l) files in $out (cover letter" \
	"included), checkpatch --strict: $([ $fail = 0 ] && echo clean || echo FINDINGS)"
exit $fail
