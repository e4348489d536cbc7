#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boot.sh KERNEL INITRAMFS JOB LOGDIR TIMEOUT
#
# Boots KERNEL under QEMU TCG (-cpu max: the guest sees SVM, so KVM runs
# nested) with the test initramfs and runs JOB (check or run). The kernel
# console goes to LOGDIR/JOB-console.log, the job's own output (ttyS1) to
# the terminal and LOGDIR/JOB-output.log. Bounded by TIMEOUT seconds.
#
# tsc=reliable: under TCG the TSC follows the host's clock, while jiffies
# lose ticks when the host is busy; without it the clocksource watchdog
# trades the TSC for jiffies and benchmarks see 4 ms steps.
set -u
kernel=$1 initrd=$2 job=$3 logdir=$4 limit=$5
console=$logdir/$job-console.log
output=$logdir/$job-output.log
mkdir -p "$logdir"
rm -f "$console" "$output"

show=cat
[ "$job" = check ] || show="sed -n /^VAS-JOB-BEGIN/,/^VAS-JOB-END/p"

# A boot whose kernel could not measure the TSC frequency (the PIT
# calibration fails under TCG when the host is very busy) cannot run KVM
# guests: /init then asks for another boot with VAS-REBOOT.
for attempt in 1 2 3; do
	start=$(date +%s)
	timeout -k 10 "$limit" qemu-system-x86_64 \
		-nodefaults -display none -no-reboot \
		-cpu max -smp 2 -m 2G \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 tsc=reliable vas_job=$job" \
		-serial "file:$console" -serial stdio </dev/null |
		tee "$output" | $show
	rc=${PIPESTATUS[0]}
	echo "  QEMU    $job: exit $rc after $(($(date +%s) - start)) s;" \
		"console log: $console"
	grep -q '^VAS-REBOOT' "$output" || break
	echo "  QEMU    boot $attempt: $(grep '^VAS-REBOOT' "$output")"
done
[ "$rc" = 124 ] && echo "error: QEMU timed out after $limit s" >&2 && exit 1
exit 0
