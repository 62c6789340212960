#!/bin/bash
# AMY's application services on this host: gunicorn, and the RQ worker and scheduler where Redis runs.
for service in amy-gunicorn amy-rqworker amy-rqscheduler; do
  [[ -e /etc/systemd/system/$service.service ]] && echo "$service.service"
done
exit 0
