#!/bin/bash
# Obtain the TLS certificate for the domain through nginx (HTTP-01 on the webroot), then serve HTTPS.
# Retries while DNS for the domain still points elsewhere. certbot.timer renews it; nginx reloads after.
set -euo pipefail
# The host's settings, exported to what this script runs.
set -a && source "${AMY_HOST_ENV:-/etc/amy/host.env}" && set +a
live=$AMY_CERTIFICATE_DIR

for attempt in $(seq 40); do
  if [[ -e $live/fullchain.pem ]] || certbot certonly --non-interactive --agree-tos --no-eff-email \
      --email "$AMY_CERTBOT_EMAIL" --server "$AMY_ACME_DIRECTORY" \
      --webroot --webroot-path /var/www/acme --domain "$AMY_DOMAIN" \
      --deploy-hook "systemctl reload nginx"; then
    ln -sf /etc/nginx/sites-available/amy-https.conf /etc/nginx/sites-enabled/amy-https.conf
    nginx -t && systemctl reload nginx
    systemctl start --no-block amy-certificate-check.service
    exit 0
  fi
  echo "amy-certificate: attempt $attempt failed; retrying in 60 s" >&2
  sleep 60
done
exit 1
