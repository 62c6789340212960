#!/bin/bash
# Deploy an AMY release on this host, as the SSM document `deploy` runs it:
# maintenance on, dump, fetch, install, migrate, collectstatic, restart, maintenance off.
#   amy-deploy VERSION
set -euo pipefail
# The host's settings, exported to what this script runs.
set -a && source "${AMY_HOST_ENV:-/etc/amy/host.env}" && set +a
version=${1:-}
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "usage: amy-deploy vA.B.C" >&2; exit 2; }
repo=$AMY_APP_DIR/repo
exec > >(tee -a "$AMY_APP_DIR/logs/deploy.log") 2>&1

log() { echo "$(date -u +%FT%TZ) amy-deploy $version: $*"; }
# Run as amy with AMY's environment, in the checkout.
as_amy() { runuser -u amy -- bash -c 'set -a && source "$AMY_SHELL_ENV_FILE" && set +a && cd "$1" && shift && exec "$@"' _ "$repo" "$@"; }
trap 'log "FAILED at line $LINENO; the site stays in maintenance: fix, then deploy again or run amy-maintenance off"' ERR

log "start"
/usr/local/sbin/amy-env
amy-maintenance on
if [[ -e $AMY_APP_DIR/deployed-version ]]; then
  as_amy env AMY_APP_DIR="$AMY_APP_DIR" AMY_DUMPS_BUCKET="$AMY_DUMPS_BUCKET" /usr/local/sbin/amy-dump release "$version"
else
  log "first deploy: no database dump"
fi
as_amy git fetch --force --tags origin
as_amy git checkout --force "refs/tags/$version"
as_amy uv sync --frozen --no-dev
/usr/local/sbin/amy-env
if [[ -e $repo/package-lock.json ]]; then as_amy npm ci --omit=dev; else as_amy npm install --omit=dev; fi
as_amy .venv/bin/python manage.py check --deploy
as_amy .venv/bin/python manage.py migrate --no-input
as_amy .venv/bin/python manage.py createcachetable
as_amy .venv/bin/python manage.py collectstatic --no-input
systemctl restart $(amy-services)
for attempt in $(seq 30); do
  if curl -fsS --unix-socket /run/amy/gunicorn.sock -H "Host: $AMY_DOMAIN" http://localhost/version/ >/dev/null; then
    amy-maintenance off
    echo "$version" >"$AMY_APP_DIR/deployed-version"
    log "done"
    exit 0
  fi
  sleep 2
done
log "gunicorn did not answer /version/ after the restart"
false
