#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, and Debian's Chromium is
# installed (browser tests) and Debian's HAProxy (the three-gateway test, infra/haproxy.cfg), for the "one machine" running mode and the test suites, on Debian 12 without systemd or containers.
#
# Idempotent: when both already answer it changes nothing. Otherwise it starts Debian's packages,
# installing them first if absent (and only then switches local TCP logins to trust, since a fresh
# install has no password the app could know). Run as root, or as a user with sudo.
# Exits non-zero with a message naming the service that still does not answer after WAIT_SECONDS.
set -euo pipefail

# The ports can be overridden (e.g. to try the script beside running services); PG_PORT is only
# checked: a started cluster listens where its postgresql.conf says (5432 by default).
readonly PG_HOST=127.0.0.1 PG_PORT=${PG_PORT:-5432}
readonly REDIS_HOST=127.0.0.1 REDIS_PORT=${REDIS_PORT:-6379}
readonly WAIT_SECONDS=${WAIT_SECONDS:-30}

log() { printf '[start-local-services] %s\n' "$*"; }
die() { printf '[start-local-services] ERROR: %s\n' "$*" >&2; exit 1; }

# Commands that need root go through sudo when we are not root.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

apt_updated=no
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand (this script targets Debian 12)"
  if [[ $apt_updated == no ]]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=yes
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

pg_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -h "$PG_HOST" -p "$PG_PORT" -q
  else
    # No client tools: an open port is the best available sign (never true on a fresh machine).
    (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
  fi
}

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ $(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
  else
    local reply=''
    exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    read -r -t 2 reply <&3 || true
    exec 3<&- 3>&-
    [[ $reply == +PONG* ]]
  fi
}

wait_for() { # name check-function
  local name=$1 check=$2 deadline=$((SECONDS + WAIT_SECONDS))
  until "$check"; do
    ((SECONDS < deadline)) || die "$name does not answer after ${WAIT_SECONDS}s"
    sleep 1
  done
  log "$name answers"
}

pg_version() { # the newest installed server major version, or nothing
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1
}

trust_local_tcp() { # version
  local hba="/etc/postgresql/$1/main/pg_hba.conf"
  [[ -f $hba ]] || die "pg_hba.conf not found at $hba"
  if ! grep -qE '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    # pg_hba.conf is first-match: the trust lines go on top.
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    log "pg_hba.conf: trust for local TCP logins (127.0.0.1, ::1)"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$1" main reload
}

ensure_postgres() {
  if pg_answers; then log "PostgreSQL already answers on $PG_HOST:$PG_PORT"; return; fi
  local installed=no version
  if [[ -z $(pg_version) ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql
    installed=yes
  fi
  version=$(ls /etc/postgresql 2>/dev/null | head -1)
  if [[ -z $version ]]; then
    version=$(pg_version)
    log "creating cluster $version/main"
    as_root pg_createcluster "$version" main
  fi
  log "starting PostgreSQL $version/main"
  # Already running but not answering on TCP (e.g. still recovering) is not an error here.
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  if [[ $installed == yes ]]; then trust_local_tcp "$version"; fi
  wait_for "PostgreSQL ($PG_HOST:$PG_PORT)" pg_answers
}

ensure_redis() {
  if redis_answers; then log "Redis already answers on $REDIS_HOST:$REDIS_PORT"; return; fi
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing Redis"
    apt_install redis-server
  fi
  # Debian's package may have started its own instance: look again before starting another.
  if ! redis_answers; then
    log "starting redis-server"
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no
  fi
  wait_for "Redis ($REDIS_HOST:$REDIS_PORT)" redis_answers
}

# The browser tests drive Debian's Chromium (never a downloaded one).
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then log "Chromium already installed"; return; fi
  log "installing Chromium"
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || die "chromium installed but /usr/bin/chromium is missing"
}

# The scale-out test puts its gateways behind Debian's HAProxy (never a downloaded one).
ensure_haproxy() {
  if command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]]; then log "HAProxy already installed"; return; fi
  log "installing HAProxy"
  apt_install haproxy
  [[ -x /usr/sbin/haproxy ]] || die "haproxy installed but /usr/sbin/haproxy is missing"
}

ensure_postgres
ensure_redis
ensure_chromium
ensure_haproxy
