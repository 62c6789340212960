#!/bin/bash
# Dump AMY's database in PostgreSQL's custom format and copy it to the dumps bucket (amy-aws: boto3, no snap).
#   amy-dump periodic          every 30 minutes: s3://<bucket>/periodic/amy.dump (versions keep the history)
#   amy-dump release VERSION   before a deploy: <app>/DB_backups/ and s3://<bucket>/releases/; DB_backups/ keeps
#                              the newest AMY_KEEP_RELEASE_DUMPS (the bucket keeps them all)
# Needs AMY's environment (/etc/amy/amy.env) and the host's (/etc/amy/host.env).
set -euo pipefail
# A dump is the whole database: readable by amy alone, in a directory only amy may enter.
umask 077

export PGHOST=$AMY_DATABASE_HOST PGPORT=$AMY_DATABASE_PORT PGDATABASE=$AMY_DATABASE_NAME
export PGUSER=$AMY_DATABASE_USER PGPASSWORD=$AMY_DATABASE_PASSWORD
export PGSSLMODE=verify-full PGSSLROOTCERT=/etc/amy/rds-ca-bundle.pem

log() { echo "$(date -u +%FT%TZ) amy-dump: $*"; }

case ${1:-} in
  periodic)
    file=$(mktemp --tmpdir amy-XXXXXX.dump)
    trap 'rm -f "$file"' EXIT
    key=periodic/amy.dump
    ;;
  release)
    version=${2:?amy-dump release needs the version}
    [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { log "not a version: $version"; exit 2; }
    backups=$AMY_APP_DIR/DB_backups
    install -d -m 0700 "$backups"
    file=$backups/amy-$version-$(date -u +%Y%m%dT%H%M%SZ).dump
    key=releases/$(basename "$file")
    ;;
  *)
    echo "usage: amy-dump periodic | amy-dump release VERSION" >&2
    exit 2
    ;;
esac

log "dumping $PGDATABASE to $file"
pg_dump --format=custom --no-owner --file="$file"
amy-aws upload "$file" "$key"
log "copied to s3://$AMY_DUMPS_BUCKET/$key ($(stat -c %s "$file") bytes)"
# The host-dumps alarm fires after an hour without one.
amy-aws put-metric DumpSucceeded 1
if [[ $1 == release ]]; then
  # The root disk is 30 GiB: keep the newest release dumps, by time (a version's name does not sort by age).
  find "$backups" -maxdepth 1 -name 'amy-v*.dump' -printf '%T@ %p\n' | sort -rn \
    | tail -n +$((AMY_KEEP_RELEASE_DUMPS + 1)) | cut -d' ' -f2- | while read -r old; do
      rm -f -- "$old"
      log "removed $old (keeping the newest $AMY_KEEP_RELEASE_DUMPS)"
    done
fi
