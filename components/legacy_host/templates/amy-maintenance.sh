#!/bin/bash
# Maintenance mode: while <app>/maintenance_on.html exists, nginx answers every request with it and 503.
#   amy-maintenance on | off | status
set -euo pipefail
# The host's settings, exported to what this script runs.
set -a && source "${AMY_HOST_ENV:-/etc/amy/host.env}" && set +a
on=$AMY_APP_DIR/maintenance_on.html
off=$AMY_APP_DIR/maintenance_off.html

case ${1:-} in
  on)
    if [[ ! -e $on && -e $off ]]; then mv -f "$off" "$on"; fi
    [[ -e $on ]] || cp "${AMY_MAINTENANCE_PAGE:-/etc/amy/maintenance.html}" "$on"
    ;;
  off) [[ ! -e $on ]] || mv -f "$on" "$off" ;;
  status) ;;
  *) echo "usage: amy-maintenance on | off | status" >&2; exit 2 ;;
esac
if [[ -e $on ]]; then echo "maintenance: on"; else echo "maintenance: off"; fi
