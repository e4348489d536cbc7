#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vmm-errors.sh VMM KERNEL INITRD
#
# Bad input to vas-vmm, run as root inside the test VM (busybox sh). Each
# case runs VMM with -q (no progress lines) and expects exit status 1 and
# exactly one line of output, "vas-vmm: error: ..." matching the case's
# pattern: no crash, no second message (a warning about descriptors left
# open would be one). KERNEL and INITRD are a good guest (tests/guest);
# the bad ones are made from them. "vmm-errors: PASS name" or
# "vmm-errors: FAIL name (why)" per case, exit status 0 if all passed.
#
# Missing devices are made with a private mount namespace (unshare -m)
# and a tmpfs on /dev that has only the device nodes the case keeps.
# Two errors cannot be provoked on the test kernel and are left out: no
# vas in the kernel (vas_create fails with ENOSYS: "this kernel has no vas
# support") and KVM without KVM_CAP_VAS ("KVM has no KVM_CAP_VAS").
set -u

[ $# -eq 3 ] || {
	echo "usage: $0 VMM KERNEL INITRD" >&2
	exit 2
}
vmm=$1 kernel=$2 initrd=$3
dir=/tmp/vmm-errors.$$
failed=0 passed=0

mkdir -p "$dir"

# expect NAME PATTERN COMMAND...: COMMAND must fail with status 1 and
# print one line, "vas-vmm: error: " then something matching PATTERN
expect() {
	name=$1 pattern=$2
	shift 2
	timeout 120 "$@" >"$dir/out" 2>&1 </dev/null
	rc=$?
	lines=$(wc -l <"$dir/out")
	if [ "$rc" != 1 ]; then
		why="exit status $rc, not 1"
	elif [ "$lines" != 1 ]; then
		why="$lines lines of output, not 1"
	elif ! grep -q "^vas-vmm: error: .*$pattern" "$dir/out"; then
		why="message does not match '$pattern'"
	else
		echo "vmm-errors: PASS $name: $(cat "$dir/out")"
		passed=$((passed + 1))
		return
	fi
	echo "vmm-errors: FAIL $name ($why): $*"
	sed 's/^/|   /' "$dir/out"
	failed=$((failed + 1))
}

# A copy of KERNEL with the bytes $3 (octal escapes) at offset $2
patched() {
	cp "$kernel" "$dir/$1"
	printf "$3" | dd of="$dir/$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# with_dev NODES COMMAND...: runs COMMAND in a mount namespace whose /dev
# has only the nodes named in NODES (kvm, tun, vhost-net); a script, so
# that timeout can run it
with_dev=$dir/with-dev
cat >"$with_dev" <<'EOF_WITH_DEV'
#!/bin/sh
nodes=$1
shift
exec unshare -m sh -c '
	nodes=$1
	shift
	mount -t tmpfs none /dev || exit 99
	mkdir /dev/net
	for n in $nodes; do
		case $n in
		kvm) mknod /dev/kvm c 10 232 ;;
		tun) mknod /dev/net/tun c 10 200 ;;
		vhost-net) mknod /dev/vhost-net c 10 238 ;;
		esac
	done
	exec "$@"' sh "$nodes" "$@"
EOF_WITH_DEV
chmod +x "$with_dev"

# ------------------------------------------------------------ arguments
expect no-kernel "no kernel given" "$vmm"
expect bad-option "unknown option --bogus" "$vmm" --bogus "$kernel"
expect bad-net "--net foo: not vhost-xi, vhost-net or none" \
	"$vmm" --net foo "$kernel"
expect bad-smp "-smp 0: at least one vCPU" "$vmm" -smp 0 "$kernel"
expect bad-mem-number "-m lots: not a number" "$vmm" -m lots "$kernel"
expect too-little-memory "-m 16: too little memory, at least 32 MiB" \
	"$vmm" -q -m 16 "$kernel" "$initrd"
expect too-many-args "too many arguments" "$vmm" "$kernel" "$initrd" extra

# ------------------------------------------------------------ the kernel
expect missing-kernel "cannot read kernel $dir/none: No such file" \
	"$vmm" -q "$dir/none"
expect kernel-is-directory "cannot read kernel $dir: Is a directory" \
	"$vmm" -q "$dir"
expect not-a-bzimage "is not a bzImage" "$vmm" -q /bin/busybox
: >"$dir/empty"
expect empty-kernel "is not a bzImage" "$vmm" -q "$dir/empty"
# Setup header: version at 0x206 (518), xloadflags at 0x236 (566)
patched old-protocol 518 '\000\002'
expect old-boot-protocol "boot protocol 2.00 is too old" \
	"$vmm" -q "$dir/old-protocol"
patched not-64bit 566 '\000'
expect not-64-bit "cannot be booted in 64-bit mode" \
	"$vmm" -q "$dir/not-64bit"

# ------------------------------------------------------------ --program
expect missing-program "cannot read program $dir/none: No such file" \
	"$vmm" -q --program "$dir/none"
expect program-and-kernel "--program $kernel and a kernel" \
	"$vmm" -q --program "$kernel" "$kernel"
truncate -s 40M "$dir/big-program"
expect program-too-large "program $dir/big-program is too large" \
	"$vmm" -q -m 32 --program "$dir/big-program"
# cli; hlt: it ends without a status
printf '\372\364' >"$dir/halt.bin"
expect program-no-status "program $dir/halt.bin ended (halted: .*) without writing its status" \
	"$vmm" -q --program "$dir/halt.bin"

# ------------------------------------------------------------ the initrd
expect missing-initrd "cannot read initrd $dir/none" \
	"$vmm" -q "$kernel" "$dir/none"
truncate -s 40M "$dir/big-initrd"
expect initrd-too-large "initrd $dir/big-initrd is too large" \
	"$vmm" -q -m 32 --net none "$kernel" "$dir/big-initrd"

# ------------------------------------------------------------ the host
expect no-kvm "no /dev/kvm" "$with_dev" "" "$vmm" -q "$kernel" "$initrd"
expect no-vhost-net "backend device /dev/vhost-net is missing" \
	"$with_dev" "kvm tun" "$vmm" -q --net vhost-net "$kernel" "$initrd"
expect no-vhost-xi "backend device /dev/vhost-xi-net is missing" \
	"$with_dev" "kvm tun vhost-net" "$vmm" -q --net vhost-xi \
	"$kernel" "$initrd"
expect no-tun "cannot create tap vas0: /dev/net/tun" \
	"$with_dev" "kvm vhost-net" "$vmm" -q --net vhost-net \
	"$kernel" "$initrd"
expect tap-name-too-long "cannot create tap a-very-long-tap-name" \
	"$vmm" -q --net vhost-net --tap a-very-long-tap-name \
	"$kernel" "$initrd"
expect tap-bad-name "cannot create tap bad/name: TUNSETIFF" \
	"$vmm" -q --net vhost-net --tap bad/name "$kernel" "$initrd"
# As without the vbus module: no /dev/vbus
expect no-vbus "no /dev/vbus: is the vbus module loaded" \
	"$with_dev" "kvm" "$vmm" -q --net none --venet "$kernel" "$initrd"

rm -rf "$dir"
echo "vmm-errors: $passed passed, $failed failed"
[ "$failed" = 0 ]
