#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vmm-net.sh VMM KERNEL INITRD BACKEND
#
# The host side of the vas-vmm network test, run as root inside the test
# VM (busybox sh). Boots the guest of tests/guest (KERNEL, INITRD) with
# VMM (tools/vas-vmm) and BACKEND (vhost-xi or vhost-net) on tap $TAP,
# gives the tap 10.0.0.1/24, serves the guest's transfers and pings it:
#
#   guest -> host	$BULK KiB on TCP port 5000, kept in a file
#   host -> guest	$BULK KiB of random data on TCP port 5001
#   host -> guest	ping -c 3 while the guest lingers at its end
#
# then waits for the VMM and checks what the guest printed (its md5s, its
# ping, its exit status) against the host's side. One line per check,
# "vmm-net: PASS name" or "vmm-net: FAIL name (why)"; exit status 0 only
# if all passed. The VMM's output (progress, guest console, summary) is
# printed at the end, each line prefixed with "| ".
#
# Environment: LIVE (set: the VMM's output as it comes, not at the end),
# BULK (KiB each way, default 1024), LINGER (seconds the
# guest waits for the host's ping, default 10), TAP (default vas0), MEM
# (guest MiB, default 256), TIMEOUT (seconds for the whole run, default
# 600), VMM_ARGS (more vas-vmm options).
#
# Both listeners are "nc -l -p PORT -e PROG" (busybox nc): PROG has the
# connection as stdin and stdout, and the connection closes when PROG
# exits. A plain "nc -l -p 5001 <file" would not do: busybox nc exits as
# soon as the other end shuts down its sending half, which the guest's nc
# does at once (its stdin is empty), possibly before the file was sent.
set -u

[ $# -eq 4 ] || {
	echo "usage: $0 VMM KERNEL INITRD vhost-xi|vhost-net" >&2
	exit 2
}
vmm=$1 kernel=$2 initrd=$3 backend=$4
bulk=${BULK:-1024} linger=${LINGER:-10} tap=${TAP:-vas0} mem=${MEM:-256}
timeout=${TIMEOUT:-600}
host_ip=10.0.0.1 guest_ip=10.0.0.2
dir=/tmp/vmm-net.$$
failed=0

pass() {
	echo "vmm-net: PASS $1"
}

fail() {
	echo "vmm-net: FAIL $1 ($2)"
	failed=$((failed + 1))
}

alive() {
	kill -0 "$1" 2>/dev/null
}

# Seconds since boot
now() {
	read -r up rest </proc/uptime
	echo "${up%.*}"
}

# md5 of file $1, alone
md5() {
	set -- $(md5sum "$1")
	echo "$1"
}

mkdir -p "$dir"
dd if=/dev/urandom of="$dir/blob" bs=1024 count="$bulk" 2>/dev/null
printf '#!/bin/sh\nexec cat >%s\n' "$dir/rx.bin" >"$dir/recv.sh"
printf '#!/bin/sh\nexec cat %s\n' "$dir/blob" >"$dir/send.sh"
chmod +x "$dir/recv.sh" "$dir/send.sh"

# Listeners first: they bind to every address, the tap's included
nc -l -p 5000 -e "$dir/recv.sh" &
nc_rx=$!
nc -l -p 5001 -e "$dir/send.sh" &
nc_tx=$!

start=$(now)
deadline=$((start + timeout))
# shellcheck disable=SC2086 # VMM_ARGS is a list of options
"$vmm" -m "$mem" --net "$backend" --tap "$tap" ${VMM_ARGS:-} \
	-c "guest.job=net guest.ip=$guest_ip/24 guest.host=$host_ip guest.bulk=$bulk guest.linger=$linger" \
	"$kernel" "$initrd" >"$dir/vmm.log" 2>&1 &
vmm_pid=$!
# LIVE=1: show the VMM's progress and the guest console as they come
if [ -n "${LIVE:-}" ]; then
	tail -f "$dir/vmm.log" &
	tail_pid=$!
fi

# The tap appears once the VMM has made its devices
while [ ! -e "/sys/class/net/$tap" ] && alive "$vmm_pid" &&
      [ "$(now)" -lt "$deadline" ]; do
	sleep 0.2
done
if [ -e "/sys/class/net/$tap" ]; then
	ip addr add "$host_ip/24" dev "$tap" && ip link set "$tap" up &&
		pass tap || fail tap "cannot configure $tap"
	echo "vmm-net: tap $tap up after $(($(now) - start)) s"
else
	fail tap "$tap never appeared"
fi

# Both transfers done (the listeners exit), or the VMM gone
while { alive "$nc_rx" || alive "$nc_tx"; } && alive "$vmm_pid" &&
      [ "$(now)" -lt "$deadline" ]; do
	sleep 0.5
done

# The guest lingers at its end for our ping
if alive "$vmm_pid" && ping -c 3 -W 5 "$guest_ip" >"$dir/ping.log" 2>&1; then
	pass ping-host-to-guest
else
	fail ping-host-to-guest "$(tail -n 1 "$dir/ping.log" 2>/dev/null)"
fi

while alive "$vmm_pid" && [ "$(now)" -lt "$deadline" ]; do
	sleep 0.5
done
if alive "$vmm_pid"; then
	fail vmm-exit "still running after $timeout s, killed"
	# Where each of its threads (vCPUs, vhost workers) is in the kernel
	for t in /proc/"$vmm_pid"/task/*; do
		echo "vmm-net: thread ${t##*/} $(cat "$t/comm" 2>/dev/null):"
		sed 's/^/vmm-net:   /' "$t/stack" 2>/dev/null
	done
	kill "$vmm_pid"
	sleep 2
	alive "$vmm_pid" && kill -9 "$vmm_pid"
	# A VMM stuck in the kernel does not die: do not wait for it forever
	n=0
	while alive "$vmm_pid" && [ "$n" -lt 20 ]; do
		sleep 0.5
		n=$((n + 1))
	done
	if alive "$vmm_pid"; then
		fail vmm-kill "still there 10 s after SIGKILL: stuck in the kernel"
	else
		wait "$vmm_pid"
	fi
else
	wait "$vmm_pid"
	rc=$?
	if [ "$rc" = 0 ]; then
		pass vmm-exit
	else
		fail vmm-exit "exit status $rc"
	fi
fi
kill "$nc_rx" "$nc_tx" 2>/dev/null
[ -z "${LIVE:-}" ] || kill "$tail_pid" 2>/dev/null

log=$dir/vmm.log
# The guest console may have carriage returns
tr -d '\r' <"$log" >"$log.txt"
log=$log.txt

if grep -q '^vas-guest: init reached' "$log"; then
	pass guest-init
else
	fail guest-init "no 'vas-guest: init reached' from the guest"
fi

if grep -q '^vas-guest: ping host ok' "$log"; then
	pass ping-guest-to-host
else
	fail ping-guest-to-host "the guest did not report 'ping host ok'"
fi

guest_tx=$(sed -n 's/^vas-guest: tx md5 \([0-9a-f]*\).*/\1/p' "$log")
if [ ! -s "$dir/rx.bin" ]; then
	fail bulk-guest-to-host "the host received nothing on port 5000"
elif [ -z "$guest_tx" ]; then
	fail bulk-guest-to-host "the guest printed no tx md5"
elif [ "$guest_tx" != "$(md5 "$dir/rx.bin")" ]; then
	fail bulk-guest-to-host "md5 $(md5 "$dir/rx.bin") of $(wc -c <"$dir/rx.bin") bytes received, guest sent $guest_tx"
else
	pass bulk-guest-to-host
fi

guest_rx=$(sed -n 's/^vas-guest: rx md5 \([0-9a-f]*\).*/\1/p' "$log")
guest_rx_bytes=$(sed -n 's/^vas-guest: rx md5 [0-9a-f]* bytes \([0-9]*\).*/\1/p' "$log")
if [ -z "$guest_rx" ]; then
	fail bulk-host-to-guest "the guest printed no rx md5"
elif [ "$guest_rx" != "$(md5 "$dir/blob")" ]; then
	fail bulk-host-to-guest "guest got md5 $guest_rx of $guest_rx_bytes bytes, host sent $(md5 "$dir/blob") of $((bulk * 1024))"
else
	pass bulk-host-to-guest
fi

status=$(sed -n 's/^vas-guest: status \([0-9]*\).*/\1/p' "$log")
if [ "$status" = 0 ]; then
	pass guest-status
else
	fail guest-status "guest status '${status}'"
fi

# Throughput as the guest measured it, and the VMM's own summary
sed -n 's/^vas-guest: \(tx\|rx\) \([0-9]*\) bytes in \([0-9]*\) ms/\1 \2 \3/p' "$log" |
	while read -r what bytes ms; do
		[ "$ms" -gt 0 ] || ms=1
		echo "vmm-net: $what $bytes bytes in $ms ms: $((bytes * 1000 / ms / 1024)) KiB/s ($backend)"
	done

if [ -z "${LIVE:-}" ]; then
	echo "vmm-net: vas-vmm output:"
	sed 's/^/| /' "$log"
fi

if grep -q '^vas-vmm: warning:.*file descriptor' "$log"; then
	fail vmm-cleanup "$(grep '^vas-vmm: warning:.*file descriptor' "$log")"
fi

rm -rf "$dir"
if [ "$failed" = 0 ]; then
	echo "vmm-net: all passed ($backend)"
	exit 0
fi
echo "vmm-net: $failed failed ($backend)"
exit 1
