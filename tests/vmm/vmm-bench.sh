#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vas-vmm's figures, in one boot of the test VM (make check and make bench
# run it with the other benchmarks, as /bench/vmm_bench): the guest of
# tests/guest booted with its network on stock vhost-net (the anchor:
# VHOST_SET_MEM_TABLE, a copy of the memory map) and on vhost-xi-net (the
# guest's vas), alternately, ROUNDS times each (default 2); prints the best
# guest boot time (VMM start to the guest's init) and bulk throughput
# guest->host and host->guest of each, and the ratios vhost-xi / vhost-net
# (for the boot time, vhost-net / vhost-xi: above 1 is better either way).

vmm=/vmm
rounds=${ROUNDS:-2}
export BULK=${BULK:-512}

insmod /modules/vringh.ko 2>/dev/null
insmod /modules/vhost_xi_net.ko 2>/dev/null

# best VAR VALUE BIGGER: keeps the larger (BIGGER=1) or smaller value
best() {
	eval "old=\${$1:-}"
	if [ -z "$old" ] || { [ "$3" = 1 ] && [ "$2" -gt "$old" ]; } ||
	   { [ "$3" = 0 ] && [ "$2" -lt "$old" ]; }; then
		eval "$1=$2"
	fi
}

r=0
while [ "$r" -lt "$rounds" ]; do
	for backend in vhost-net vhost-xi; do
		b=$(echo "$backend" | tr - _)
		out=$("$vmm/vmm-net.sh" "$vmm/vas-vmm" "$vmm/guest-bzImage" \
			"$vmm/guest-initrd" "$backend" 2>&1)
		if ! echo "$out" | grep -q "^vmm-net: all passed"; then
			echo "bench: vas-vmm: the $backend run failed:"
			echo "$out" | sed 's/^/bench:   /'
			exit 1
		fi
		# ms from the VMM's start to the guest's virtio-net driver ready
		init=$(echo "$out" | sed -n 's/.*\[ *\([0-9]*\)\.\([0-9]*\)\] net: driver ready.*/\1\2/p')
		tx=$(echo "$out" | sed -n 's/^vmm-net: tx .* \([0-9]*\) KiB\/s.*/\1/p')
		rx=$(echo "$out" | sed -n 's/^vmm-net: rx .* \([0-9]*\) KiB\/s.*/\1/p')
		best "boot_$b" "$init" 0
		best "tx_$b" "$tx" 1
		best "rx_$b" "$rx" 1
	done
	r=$((r + 1))
done

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'
}
echo "bench: vas-vmm: guest on vhost-net (memory table) and on vhost-xi-net (its vas), $BULK KiB each way, best of $rounds, same boot"
echo "bench: vas-vmm: VMM start to guest driver ready: vhost-net $boot_vhost_net ms, vhost-xi $boot_vhost_xi ms, ratio $(ratio "$boot_vhost_net" "$boot_vhost_xi")"
echo "bench: vas-vmm: bulk guest->host: vhost-net $tx_vhost_net KiB/s, vhost-xi $tx_vhost_xi KiB/s, ratio $(ratio "$tx_vhost_xi" "$tx_vhost_net")"
echo "bench: vas-vmm: bulk host->guest: vhost-net $rx_vhost_net KiB/s, vhost-xi $rx_vhost_xi KiB/s, ratio $(ratio "$rx_vhost_xi" "$rx_vhost_net")"
