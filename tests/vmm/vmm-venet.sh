#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vmm-venet.sh VMM PROGRAM
#
# vas-vmm's venet device, run as root inside the test VM (busybox sh).
# Loads vbus and vbus_venet from $MODULES (loaded already is fine) and runs
# "VMM --program PROGRAM --venet -m $MEM": PROGRAM is the freestanding
# guest of tests/vmm/venet-guest.c, which sends 32 frames on the venet
# device through the VMM's vbus proxy and writes its status, 0 if the
# device handed every frame back and counted them, to port 0x501. While
# the VMM runs, the host interface it names ("host interface venetN") is
# watched in /sys/class/net; then the checks:
#
#   modules		vbus and vbus_venet are loaded
#   vmm-exit		the VMM's exit status, the guest's, is 0
#   interface		the interface appeared in /sys/class/net
#   host-rx		its rx_packets, the frames the host stack received
#			from the guest, reached 32 before the VMM ended
#   interface-gone	it went away with the VMM
#   vmm-cleanup		the VMM left no descriptor open
#   kernel-log		no new WARNING, BUG, lockdep, KASAN or UBSAN report
#
# TAP: "ok N - name" or "not ok N - name (why)" per check, the plan last,
# the VMM's output (progress, the guest's UART lines, summary) as "# | "
# comments. Exit status 0 only if all passed.
#
# Environment: MEM (guest MiB, default 64), TIMEOUT (seconds for the run,
# default 180), MODULES (default /modules), VMM_ARGS (more options).
set -u

[ $# -eq 2 ] || {
	echo "usage: $0 VMM PROGRAM" >&2
	exit 2
}
vmm=$1 prog=$2
mem=${MEM:-64} timeout=${TIMEOUT:-180} modules=${MODULES:-/modules}
frames=32
dir=/tmp/vmm-venet.$$
n=0 failed=0
splats='WARNING:|BUG:|UBSAN:|KASAN:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage'

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1 ($2)"
}

alive() {
	kill -0 "$1" 2>/dev/null
}

# Seconds since boot
now() {
	read -r up rest </proc/uptime
	echo "${up%.*}"
}

mkdir -p "$dir"
splats_before=$(dmesg | grep -cE "$splats")

for m in vbus vbus_venet; do
	insmod "$modules/$m.ko" 2>>"$dir/insmod"
done
if [ -d /sys/module/vbus ] && [ -d /sys/module/vbus_venet ]; then
	ok modules
else
	not_ok modules "$(tr '\n' ' ' <"$dir/insmod")"
fi

# shellcheck disable=SC2086 # VMM_ARGS is a list of options
"$vmm" --program "$prog" --venet -m "$mem" ${VMM_ARGS:-} \
	>"$dir/vmm.log" 2>&1 </dev/null &
vmm_pid=$!
deadline=$(($(now) + timeout))

# The interface lives as long as the VMM: read its counter while it runs
ifname='' seen='' rx=''
while alive "$vmm_pid" && [ "$(now)" -lt "$deadline" ]; do
	[ -n "$ifname" ] ||
		ifname=$(sed -n 's/.*venet: .* host interface \([^ ]*\) (up).*/\1/p' \
			"$dir/vmm.log")
	if [ -n "$ifname" ] &&
	   read -r v 2>/dev/null <"/sys/class/net/$ifname/statistics/rx_packets"; then
		seen=yes rx=$v
	fi
	sleep 0.1
done

if alive "$vmm_pid"; then
	kill "$vmm_pid"
	sleep 2
	alive "$vmm_pid" && kill -9 "$vmm_pid"
	wait "$vmm_pid"
	not_ok vmm-exit "still running after $timeout s, killed"
else
	wait "$vmm_pid"
	rc=$?
	if [ "$rc" = 0 ]; then
		ok vmm-exit
	else
		why=$(sed -n 's/^venet-guest: \(FAIL .*\)/\1/p' "$dir/vmm.log" |
		      tr -d '\r')
		not_ok vmm-exit "exit status $rc${why:+: $why}"
	fi
fi

if [ -z "$ifname" ]; then
	not_ok interface "the VMM named no venet host interface"
elif [ -z "$seen" ]; then
	not_ok interface "$ifname never appeared in /sys/class/net"
else
	ok "interface $ifname"
fi

if [ -n "$rx" ] && [ "$rx" -ge "$frames" ]; then
	ok "host-rx $rx frames"
else
	not_ok host-rx "rx_packets ${rx:-unread}, not at least $frames"
fi

if [ -n "$ifname" ] && [ -e "/sys/class/net/$ifname" ]; then
	not_ok interface-gone "$ifname still there after the VMM ended"
else
	ok interface-gone
fi

if grep -q '^vas-vmm: warning:.*file descriptor' "$dir/vmm.log"; then
	not_ok vmm-cleanup "$(grep '^vas-vmm: warning:.*file descriptor' "$dir/vmm.log")"
else
	ok vmm-cleanup
fi

splats_after=$(dmesg | grep -cE "$splats")
if [ "$splats_after" -gt "$splats_before" ]; then
	not_ok kernel-log "$((splats_after - splats_before)) new report(s): $(dmesg | grep -E "$splats" | tail -n 1)"
else
	ok kernel-log
fi

echo "# vas-vmm output:"
tr -d '\r' <"$dir/vmm.log" | sed 's/^/# | /'
echo "1..$n"
rm -rf "$dir"
[ "$failed" = 0 ]
