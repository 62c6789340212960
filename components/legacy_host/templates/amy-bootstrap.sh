#!/bin/bash
# First boot of the host (cloud-init runcmd): tools, directories, services, certificate.
# The SSM association `deploy` then installs the configured release.
set -euo pipefail
# The host's settings, exported to what this script runs.
set -a && source "${AMY_HOST_ENV:-/etc/amy/host.env}" && set +a

install -d -o amy -g amy "$AMY_APP_DIR" "$AMY_APP_DIR/logs"
install -d -o amy -g amy -m 0700 "$AMY_APP_DIR/DB_backups"
install -d -o root -g root /var/www/acme
touch "$AMY_APP_DIR/logs/cron.log" "$AMY_APP_DIR/logs/deploy.log"
chown amy:amy "$AMY_APP_DIR/logs/"*.log
[[ -e $AMY_APP_DIR/maintenance_on.html ]] || cp -n /etc/amy/maintenance.html "$AMY_APP_DIR/maintenance_off.html"

# No SSH: operators use SSM Session Manager.
systemctl disable --now ssh.socket ssh.service || true

curl -fsSL -o /etc/amy/rds-ca-bundle.pem "$AMY_RDS_CA_BUNDLE_URL"
curl -fsSL -o /tmp/amazon-cloudwatch-agent.deb "$AMY_CLOUDWATCH_AGENT_URL"
dpkg -i /tmp/amazon-cloudwatch-agent.deb
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/amy/cloudwatch-agent.json

systemctl disable --now redis-server.service || true
/usr/local/sbin/amy-configure
[[ -d $AMY_APP_DIR/repo/.git ]] || runuser -u amy -- git clone --quiet "$AMY_REPOSITORY" "$AMY_APP_DIR/repo"

rm -f /etc/nginx/sites-enabled/default
ln -sf /etc/nginx/sites-available/amy-http.conf /etc/nginx/sites-enabled/amy-http.conf
nginx -t && systemctl reload-or-restart nginx
systemctl enable $(amy-services)
systemctl enable --now amy-env.timer amy-dump.timer amy-certificate-check.timer certbot.timer
systemctl start --no-block amy-certificate.service
# Last: the site and its certificate do not wait for AMY's settings; deploys do, and amy-env.timer retries.
/usr/local/sbin/amy-env || echo "amy-bootstrap: AMY's settings are not complete yet (see cron.log); deploys wait for them" >&2
