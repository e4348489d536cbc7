#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-config.sh FRAGMENT .config
#
# Kconfig silently drops options whose dependencies are not met; fail if
# any option the fragment asks for did not make it into the final config.
set -eu
bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx "$line" "$2" || { echo "config: $line requested, got: $(grep "^${line%%=*}=\|^# ${line%%=*} is" "$2" || echo unset)" >&2; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$2" || { echo "config: $opt must be unset" >&2; bad=1; }
		;;
	esac
done <"$1"
exit $bad
