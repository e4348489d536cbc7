#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks that vas-fuzz notices broken vas code: copies virt/vas/ and
# include/ of $VAS_DIR, breaks the copy in one place per mutant, builds
# the fuzzer against it and runs it for at most $SECONDS_EACH seconds.
# Prints how long each mutant survived; fails if one survives, or if a
# mutant no longer applies (the code it breaks has changed).
#
# Usage: SRC=DIR VAS_DIR=DIR OUTPUT=DIR SECONDS_EACH=N [MUTANT=NAME] mutants.sh

set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SRC:?}" "${VAS_DIR:?}" "${OUTPUT:?}" "${SECONDS_EACH:=60}"

# name|file|sed expression
mutants='
overlap-check-off|memslots.c|s/return vas_memslot_find_range(vas, first, last) ? -EEXIST : 0;/return 0;/
overlap-self-upper|memslots.c|s/if (last > self_last \&\& vas_memslot_find_range/if (last > self_last + 1 \&\& vas_memslot_find_range/
hint-ignores-dead|memslots.c|s/if (slot \&\& !READ_ONCE(slot->dead) \&\& gfn >= slot->base_gfn \&\&/if (slot \&\& gfn >= slot->base_gfn \&\&/
hint-off-by-one|memslots.c|s/gfn <= vas_memslot_last_gfn(slot))$/gfn <= vas_memslot_last_gfn(slot) + 1)/
hint-not-cleared|memslots.c|s/cmpxchg(\&vas->last_used_slot, old, NULL);/;/
first-not-lowest|memslots.c|s/while (slot \&\& slot->base_gfn > first) {/while (0) {/
check-size-limit|memslots.c|s/if (req->memory_size >> PAGE_SHIFT > VAS_MAX_MEMSLOT_PAGES)/if (0)/
mark-off-by-one|dirty.c|s/last = ((gpa + len - 1) >> PAGE_SHIFT) - slot->base_gfn;/last = ((gpa + len) >> PAGE_SHIFT) - slot->base_gfn;/
split-stop|dirty.c|s/stop = min(last, vas_memslot_last_gfn(slot));/stop = min(last, vas_memslot_last_gfn(slot) + 1);/
get-keep-clears|dirty.c|s/buf\[w\] = keep ? READ_ONCE/buf[w] = 0 ? READ_ONCE/
clear-range-check|dirty.c|s/\(num_pages % BITS_PER_LONG\) \&\& end != [a-z_]*->npages)/\1 \&\& 0)/
no-retiring|memslots.c|s/WRITE_ONCE(vas->retiring, old);/;/
vmaps-after-install|memslots.c|s/^\tvas_memslot_install(vas, old, new);$/\tvas_memslot_install(vas, old, new);\n\tif (revokes)\n\t\tvas_vmaps_invalidate(vas, change.old.guest_phys_addr, change.old.size, writes_only);/
'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%s\n" "$mutants" | while IFS='|' read -r name file expr; do
	[ -n "$name" ] || continue
	[ -z "${MUTANT:-}" ] || [ "$MUTANT" = "$name" ] || continue
	rm -rf "$tmp/vas"
	mkdir -p "$tmp/vas/virt" "$OUTPUT/$name"
	cp -r "$VAS_DIR/virt/vas" "$tmp/vas/virt/"
	cp -r "$VAS_DIR/include" "$tmp/vas/"
	f="$tmp/vas/virt/vas/$file"
	sed "$expr" "$f" > "$f.new"
	if cmp -s "$f" "$f.new"; then
		echo "  MUTANT  $name: does not apply"
		echo fail > "$tmp/failed"
		continue
	fi
	mv "$f.new" "$f"
	if ! make -s -C "$here" SRC="$SRC" VAS_DIR="$tmp/vas" \
		OUTPUT="$OUTPUT/$name" "$OUTPUT/$name/vas-fuzz" \
		>"$OUTPUT/$name/build.log" 2>&1; then
		echo "  MUTANT  $name: build failed, see $OUTPUT/$name/build.log"
		echo fail > "$tmp/failed"
		continue
	fi
	mkdir -p "$OUTPUT/$name/corpus"
	start=$(date +%s%N)
	"$OUTPUT/$name/vas-fuzz" -max_total_time="$SECONDS_EACH" -seed=1 \
		-artifact_prefix="$OUTPUT/$name/" "$OUTPUT/$name/corpus" \
		"$here/corpus" >"$OUTPUT/$name/fuzz.log" 2>&1
	rc=$?
	took=$((($(date +%s%N) - start) / 100000000))
	if [ $rc -eq 0 ]; then
		echo "  MUTANT  $name: survived ${SECONDS_EACH}s"
		echo fail > "$tmp/failed"
	else
		why=$(grep -m1 -E 'vas-fuzz: FAIL|ERROR: AddressSanitizer|runtime error' \
			"$OUTPUT/$name/fuzz.log" | cut -c1-100)
		echo "  MUTANT  $name: caught in $((took / 10)).$((took % 10))s: $why"
	fi
done
[ ! -e "$tmp/failed" ]
