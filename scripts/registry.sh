#!/usr/bin/env bash
# Local OCI registries (CNCF distribution, Debian package docker-registry) for tests.
#
#   scripts/registry.sh start       DIR [PORT]   plain HTTP registry, no auth
#   scripts/registry.sh start-auth  DIR [PORT]   htpasswd basic auth (shipshape / test-password)
#   scripts/registry.sh start-token DIR [PORT]   bearer-token auth via scripts/test-images/token-server.py
#   scripts/registry.sh stop        DIR          stop whatever `start*` started in DIR
#   scripts/registry.sh push        DIR OCI_LAYOUT_DIR:TAG REPO:TAG
#   scripts/registry.sh addr        DIR          print 127.0.0.1:PORT
#
# Every registry listens on 127.0.0.1 only, on PORT or a free port, with a config written
# into DIR (never the package's default config). DIR receives: config.yml, data/,
# registry.log, pid, addr, and for the auth kinds: user, password (and token-server.pid,
# token-server.log, token.crt, token.key, realm for start-token).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
USER_NAME=shipshape
PASSWORD=test-password
SERVICE=shipshape-test-registry
ISSUER=shipshape-test-token-issuer

log() { printf '[registry] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL PID: until URL answers any HTTP status (the /v2/ of an auth registry says 401).
wait_http() {
    local url=$1 pid=$2 i code
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
        [ "$code" != 000 ] && return 0
        sleep 0.1
    done
    return 1
}

write_config() { # DIR ADDR AUTH_YAML
    local dir=$1 addr=$2 auth=$3
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $addr
  secret: shipshape-test-registry-secret
$auth
EOF
}

start_registry() { # DIR PORT KIND
    local dir=$1 port=$2 kind=$3 auth="" pid addr
    command -v docker-registry >/dev/null || die "docker-registry is not installed"
    mkdir -p "$dir/data"
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        die "a registry from $dir is already running (pid $(cat "$dir/pid")); stop it first"
    fi
    [ -n "$port" ] || port=$(free_port)
    addr=127.0.0.1:$port
    case $kind in
    plain) ;;
    basic)
        htpasswd -B -b -c "$dir/htpasswd" "$USER_NAME" "$PASSWORD" 2>/dev/null ||
            die "htpasswd (apache2-utils) failed"
        auth=$(printf 'auth:\n  htpasswd:\n    realm: shipshape-test\n    path: %s/htpasswd' "$dir")
        ;;
    token)
        start_token_server "$dir"
        auth=$(printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s/token.crt' \
            "$(cat "$dir/realm")" "$SERVICE" "$ISSUER" "$dir")
        ;;
    esac
    write_config "$dir" "$addr" "$auth"
    if [ "$kind" != plain ]; then
        printf '%s\n' "$USER_NAME" >"$dir/user"
        printf '%s\n' "$PASSWORD" >"$dir/password"
    fi
    setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/pid"
    if ! wait_http "http://$addr/v2/" "$pid"; then
        tail -20 "$dir/registry.log" >&2 || true
        stop_registry "$dir"
        die "registry did not come up on $addr"
    fi
    echo "$addr" >"$dir/addr"
    log "$kind registry on $addr (pid $pid, dir $dir)"
    echo "$addr"
}

start_token_server() { # DIR
    local dir=$1 tport pid
    command -v openssl >/dev/null || die "openssl is needed for the token server"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$ISSUER" \
        -keyout "$dir/token.key" -out "$dir/token.crt" >/dev/null 2>&1 || die "openssl req failed"
    tport=$(free_port)
    setsid python3 "$here/test-images/token-server.py" --addr 127.0.0.1 --port "$tport" \
        --key "$dir/token.key" --cert "$dir/token.crt" --issuer "$ISSUER" --service "$SERVICE" \
        --user "$USER_NAME" --password "$PASSWORD" >"$dir/token-server.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/token-server.pid"
    wait_http "http://127.0.0.1:$tport/healthz" "$pid" ||
        { tail -20 "$dir/token-server.log" >&2; die "token server did not come up"; }
    echo "http://127.0.0.1:$tport/token" >"$dir/realm"
}

stop_pidfile() { # FILE
    local f=$1 pid i
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

stop_registry() { # DIR
    local dir=$1
    stop_pidfile "$dir/pid"
    stop_pidfile "$dir/token-server.pid"
    rm -f "$dir/addr"
}

push() { # DIR SRC DEST
    local dir=$1 src=$2 dest=$3 creds=()
    [ -f "$dir/addr" ] || die "no running registry in $dir"
    [ -f "$dir/user" ] && creds=(--dest-creds "$(cat "$dir/user"):$(cat "$dir/password")")
    skopeo copy --quiet --dest-tls-verify=false "${creds[@]}" "oci:$src" "docker://$(cat "$dir/addr")/$dest" >&2
    log "pushed $src -> $(cat "$dir/addr")/$dest"
}

cmd=${1:-}
case $cmd in
start) [ $# -ge 2 ] || usage; start_registry "$2" "${3:-}" plain ;;
start-auth) [ $# -ge 2 ] || usage; start_registry "$2" "${3:-}" basic ;;
start-token) [ $# -ge 2 ] || usage; start_registry "$2" "${3:-}" token ;;
stop) [ $# -ge 2 ] || usage; stop_registry "$2" ;;
push) [ $# -eq 4 ] || usage; push "$2" "$3" "$4" ;;
addr) [ $# -ge 2 ] || usage; cat "$2/addr" ;;
*) usage ;;
esac
