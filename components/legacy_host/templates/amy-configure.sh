#!/bin/bash
# Apply the host's files after they change: reload systemd, restart what changed, reload nginx.
#   amy-configure [changed file …]
set -euo pipefail
systemctl daemon-reload
if [[ -e /etc/systemd/system/amy-redis.service ]]; then systemctl enable --now amy-redis.service; fi
units=()
timers=()
for file in "$@"; do
  case $file in
    /etc/systemd/system/*.service) units+=("$(basename "$file")") ;;
    /etc/systemd/system/*.timer) timers+=("$(basename "$file")") ;;
    /etc/amy/redis.conf) units+=(amy-redis.service) ;;
    /etc/amy/cloudwatch-agent.json)
      /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/amy/cloudwatch-agent.json ;;
  esac
done
(( ${#units[@]} == 0 )) || systemctl try-restart "${units[@]}"
# A new timer starts; a changed one starts again on its new schedule.
(( ${#timers[@]} == 0 )) || { systemctl enable "${timers[@]}" && systemctl restart "${timers[@]}"; }
if systemctl -q is-active nginx; then nginx -t && systemctl reload nginx; fi
