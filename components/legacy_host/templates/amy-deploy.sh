#!/bin/bash
# Deploy an AMY release on this host, as the SSM document `deploy` runs it:
# maintenance on, dump, fetch, install, migrate, collectstatic, restart, maintenance off.
#   amy-deploy VERSION
# -E: the ERR trap below also fires for a command that fails inside a function (as_amy, the install steps).
set -Eeuo pipefail
# The host's settings, exported to what this script runs.
set -a && source "${AMY_HOST_ENV:-/etc/amy/host.env}" && set +a
version=${1:-}
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "usage: amy-deploy vA.B.C" >&2; exit 2; }
repo=$AMY_APP_DIR/repo
exec > >(tee -a "$AMY_APP_DIR/logs/deploy.log") 2>&1

log() { echo "$(date -u +%FT%TZ) amy-deploy $version: $*"; }
# Run as amy with AMY's environment, in the checkout.
as_amy() { runuser -u amy -- bash -c 'set -a && source "$AMY_SHELL_ENV_FILE" && set +a && cd "$1" && shift && exec "$@"' _ "$repo" "$@"; }
# The same as the database's master user, whose password amy-database-role reads from its secret into the command's
# environment alone: AMY itself connects as amy_app, which may only use the tables the migrations make.
as_master() { as_amy amy-database-role as-master "$@"; }

# How this release installs, from the table stack config checked appVersion against (amy-release): its lockfile,
# the tool and version that install it, the Python it needs, where its code is. Asked first: a release the table
# does not know fails here, before the site goes into maintenance.
lockfile=$(amy-release "$version" lockfile)
tool=$(amy-release "$version" tool)
tool_version=$(amy-release "$version" tool_version)
python=$(amy-release "$version" python)
code=$(amy-release "$version" code)
uv_version=$(amy-release "$version" uv)

# A failed deploy sets off the host-deploy-failed alarm, which stays on until a deploy succeeds.
#   failed LINE "FUNCTIONS" "CALLER_LINES": where the failing command is, the functions it ran in (innermost first,
#   as FUNCNAME) and the lines each was called from (as BASH_LINENO): every step as amy fails inside as_amy, so its
#   own line alone would not say which step it was.
failed() {
  local where="line $1" functions=($2) callers=($3) i
  for ((i = 0; i < ${#functions[@]}; i++)); do
    [[ ${functions[i]} != main ]] || break
    where+=" in ${functions[i]}, called from line ${callers[i]}"
  done
  if [[ -e $AMY_APP_DIR/maintenance_on.html ]]; then
    log "FAILED at $where; the site stays in maintenance: fix, then deploy again or run amy-maintenance off"
  else
    log "FAILED at $where; the site is as it was (not in maintenance): fix, then deploy again"
  fi
  amy-aws put-metric DeployFailed 1 || log "could not put the DeployFailed metric"
}
trap 'failed "$LINENO" "${FUNCNAME[*]:-}" "${BASH_LINENO[*]:-}"' ERR

# The pinned uv, with which amy installs the pinned Python into UV_PYTHON_INSTALL_DIR and makes the virtualenv.
install_uv() {
  local installed
  installed=$(uv --version 2>/dev/null || true)
  installed=${installed#uv }
  installed=${installed%% *}
  if [[ $installed != "$uv_version" ]]; then
    log "installing uv $uv_version (found: ${installed:-none})"
    PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin pipx install --force "uv==$uv_version"
  fi
  [[ -d $UV_PYTHON_INSTALL_DIR ]] || install -d -o amy -g amy "$UV_PYTHON_INSTALL_DIR"
  as_amy uv python install "$python"
}

# A new virtualenv with the release's Python each time (a release may need another one), filled by the release's
# own tool from its lockfile, as AMY's image of that release is built; pipenv and poetry make no venv of their own.
install_release() {
  as_amy uv venv --clear --seed --python "$python" .venv
  case $tool in
    uv) as_amy uv sync --frozen --no-dev --python "$python" ;;
    poetry) as_amy env POETRY_VIRTUALENVS_IN_PROJECT=true uvx --python "$python" --from "poetry==$tool_version" poetry sync --no-interaction ;;
    pipenv) as_amy env PIPENV_VENV_IN_PROJECT=1 uvx --python "$python" --from "pipenv==$tool_version" pipenv sync ;;
    *) log "amy-release names no tool this script runs: $tool"; false ;;
  esac
}

log "start"
# The application's database role and its grants, before AMY's environment names it: the first deploy makes both.
amy-database-role provision
amy-env
amy-maintenance on
if [[ -e $AMY_APP_DIR/deployed-version ]]; then
  as_amy amy-dump release "$version"
else
  log "first deploy: no database dump"
fi
as_amy git fetch --force --tags origin
as_amy git checkout --force "refs/tags/$version"
if [[ ! -f $repo/$lockfile || ! -d $repo/$code || ! -f $repo/manage.py ]]; then
  log "the checkout of $version lacks $lockfile, $code/ or manage.py: it is not the release amy-release describes"
  false
fi
install_uv
log "installing with $tool $tool_version from $lockfile, Python $python"
install_release
amy-env
if [[ -e $repo/package-lock.json ]]; then as_amy npm ci --omit=dev; else as_amy npm install --omit=dev; fi
as_amy .venv/bin/python manage.py check --deploy
as_master .venv/bin/python manage.py migrate --no-input
as_master .venv/bin/python manage.py createcachetable
as_amy .venv/bin/python manage.py collectstatic --no-input
systemctl restart $(amy-services)
for attempt in $(seq 30); do
  if curl -fsS --unix-socket /run/amy/gunicorn.sock -H "Host: $AMY_DOMAIN" http://localhost/version/ >/dev/null; then
    amy-maintenance off
    echo "$version" >"$AMY_APP_DIR/deployed-version"
    amy-aws put-metric DeployFailed 0 || log "could not put the DeployFailed metric"
    log "done"
    exit 0
  fi
  sleep 2
done
log "gunicorn did not answer /version/ after the restart"
false
