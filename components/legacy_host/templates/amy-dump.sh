#!/bin/bash
# Dump AMY's database in PostgreSQL's custom format and copy it to the dumps bucket (amy-aws: boto3, no snap).
#   amy-dump periodic          every 30 minutes: s3://<bucket>/periodic/amy.dump (versions keep the history)
#   amy-dump release VERSION   before a deploy: <app>/DB_backups/ and s3://<bucket>/releases/
# Needs AMY's environment (/etc/amy/amy.env) and the host's (/etc/amy/host.env).
set -euo pipefail

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
    file=$AMY_APP_DIR/DB_backups/amy-$version-$(date -u +%Y%m%dT%H%M%SZ).dump
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
