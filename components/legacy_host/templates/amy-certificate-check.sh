#!/bin/bash
# Put how many days the site's certificate has left (CertificateDaysLeft; 0 while there is none): the
# host-certificate alarm fires below 14, or when no day has a report. amy-certificate-check.timer runs it twice a
# day, and amy-certificate once it has the certificate.
set -euo pipefail
# The host's settings, exported to what this script runs.
set -a && source "${AMY_HOST_ENV:-/etc/amy/host.env}" && set +a
certificate=$AMY_CERTIFICATE_DIR/fullchain.pem

days=0
if [[ -e $certificate ]]; then
  expires=$(openssl x509 -noout -enddate -in "$certificate" | cut -d= -f2)
  days=$(( ($(date -d "$expires" +%s) - $(date +%s)) / 86400 ))
fi
echo "$(date -u +%FT%TZ) amy-certificate-check: $days days left on $certificate"
amy-aws put-metric CertificateDaysLeft "$days" --unit None
