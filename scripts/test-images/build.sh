#!/usr/bin/env bash
# Build shipshape's test images without a container daemon and cache them.
#
#   scripts/test-images/build.sh [CACHE_ROOT]
#
# CACHE_ROOT defaults to ${SHIPSHAPE_TEST_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/shipshape/test-images}.
# The images land in CACHE_ROOT/<key>, where <key> is the sha256 of this script and of
# every file under tests/images/. An unchanged key reuses the cache; any change rebuilds.
# The final directory is printed on stdout as the last line; all logging goes to stderr.
# See scripts/test-images/README.md for the layout of the output and the expected data.
#
# Needs root and: debootstrap buildah umoci dpkg-query tar sha256sum flock.
set -euo pipefail

exec 3>&1 1>&2
export LC_ALL=C
log() { printf '[test-images %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
images_src="$repo/tests/images"

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and buildah storage need it)"
for tool in debootstrap buildah umoci dpkg-query tar sha256sum flock jq; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done

# --- cache key -------------------------------------------------------------------------
cache_key() {
    {
        printf 'script\n'
        sha256sum <"$here/build.sh"
        (cd "$images_src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-64
}
key=$(cache_key)

root=${1:-${SHIPSHAPE_TEST_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/shipshape/test-images}}
# SHIPSHAPE_TEST_IMAGES is also what tests read, and there it names a built directory.
# If it points at one, cache next to it rather than inside it.
if [ -z "${1:-}" ] && [ -f "$root/manifest.env" ]; then
    root=$(dirname "$root")
fi
mkdir -p "$root"
root=$(cd "$root" && pwd)
final="$root/$key"

exec 9>"$root/.lock"
flock 9

if [ -f "$final/manifest.env" ]; then
    log "cached: $final"
    echo "$final" >&3
    exit 0
fi

# --- leftovers of interrupted runs -----------------------------------------------------
unmount_under() {
    local dir=$1 m
    # deepest first
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
}
for stale in "$root"/.tmp-*; do
    [ -e "$stale" ] || continue
    log "removing leftovers of an interrupted run: $stale"
    unmount_under "$stale"
    rm -rf "$stale"
done

tmp="$root/.tmp-$key"
mkdir -p "$tmp/work" "$tmp/out"
W="$tmp/work"
out="$tmp/out"
B=(buildah --root "$W/storage" --runroot "$W/run" --storage-driver overlay)

cleanup() {
    local rc=$?
    if [ "$rc" != 0 ] && [ -n "${SHIPSHAPE_TEST_IMAGES_KEEP_FAILED:-}" ]; then
        log "keeping $tmp for inspection (the next run removes it)"
    elif [ -d "$tmp" ]; then
        "${B[@]}" rm --all >/dev/null 2>&1 || true
        "${B[@]}" rmi --all --force >/dev/null 2>&1 || true
        unmount_under "$tmp"
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)

# --- Debian mirror, from the host's apt configuration ----------------------------------
# Prints "MAIN_URI SECURITY_URI".
debian_mirrors() {
    local main="" sec=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        # deb822 stanzas, fields in any order; skip deb-src and disabled stanzas
        local stanzas
        stanzas=$(awk 'BEGIN { RS = ""; FS = "\n" } {
                u = ""; su = ""; ty = "deb"; en = "yes"
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); u = a[2] }
                    if ($i ~ /^Suites:/) su = $i
                    if ($i ~ /^Types:/) ty = $i
                    if ($i ~ /^Enabled:/) en = $i
                }
                if (u != "" && ty ~ /(^|[ \t:])deb([ \t]|$)/ && en !~ /no/) print (su ~ /-security/ ? "security" : "main"), u
            }' /etc/apt/sources.list.d/debian.sources)
        main=$(awk '$1 == "main" {print $2; exit}' <<<"$stanzas")
        sec=$(awk '$1 == "security" {print $2; exit}' <<<"$stanzas")
    fi
    if [ -z "$main" ] && [ -f /etc/apt/sources.list ]; then
        local lines
        lines=$(grep -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list | sed -E 's/\[[^]]*\]//')
        main=$(awk '$3 !~ /-security/ {print $2; exit}' <<<"$lines")
        sec=$(awk '$3 ~ /-security/ {print $2; exit}' <<<"$lines")
    fi
    [ -n "$main" ] || die "no Debian mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
    main=${main%/}
    [ -n "$sec" ] || sec="${main%/debian}/debian-security"
    echo "$main ${sec%/}"
}
read -r MIRROR SECURITY_MIRROR < <(debian_mirrors)
[ -n "${MIRROR:-}" ] || die "could not determine the Debian mirror"
log "mirror: $MIRROR (security: $SECURITY_MIRROR)"

# --- a. debian-bookworm base -----------------------------------------------------------
suite=bookworm
rootfs="$W/debootstrap"
log "debootstrap --variant=minbase $suite"
# Downloaded .debs are kept across keys (debootstrap verifies them against the index).
mkdir -p "$root/.debootstrap-cache"
debootstrap --variant=minbase --cache-dir="$root/.debootstrap-cache" "$suite" "$rootfs" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
    { tail -20 "$W/debootstrap.log"; die "debootstrap failed"; }

# Clean it like an official image.
rm -rf "$rootfs"/dev/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/archives/partial/* \
    "$rootfs"/var/log/apt/* "$rootfs"/var/log/*.log "$rootfs"/var/log/bootstrap.log \
    "$rootfs"/tmp/* "$rootfs"/etc/apt/sources.list
mkdir -p "$rootfs/var/lib/apt/lists/partial"
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"
[ -f "$rootfs/etc/machine-id" ] && : >"$rootfs/etc/machine-id"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
tar -C "$rootfs" --numeric-owner --sort=name -cf "$W/rootfs.tar" .
rm -rf "$rootfs"

log "committing localhost/test/debian:$suite"
c=$("${B[@]}" from scratch)
"${B[@]}" add "$c" "$W/rootfs.tar" / >/dev/null
"${B[@]}" config --cmd '["bash"]' \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --os linux --arch amd64 \
    --created-by "ADD rootfs.tar / # debootstrap $suite" "$c"
"${B[@]}" commit --rm --quiet "$c" "localhost/test/debian:$suite" >/dev/null
rm -f "$W/rootfs.tar"

# --- b. app ----------------------------------------------------------------------------
ca=""
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
    [ -f "$f" ] && { ca=$f; break; }
done
[ -n "$ca" ] || die "no host CA bundle found"
log "buildah bud tests/images/app"
"${B[@]}" bud --layers --isolation chroot --network host --pull-never \
    -v "$ca:/run/host-ca.crt:ro" \
    -f "$images_src/app/Dockerfile" -t localhost/test/app:1 "$images_src/app" >"$W/app-build.log" 2>&1 ||
    { tail -40 "$W/app-build.log"; die "app build failed"; }

# --- c. exports ------------------------------------------------------------------------
export_image() { # NAME REF TAG
    local name=$1 ref=$2 tag=$3
    log "exporting $name"
    "${B[@]}" push --quiet "$ref" "docker-archive:$out/$name.docker.tar:$ref" >/dev/null
    "${B[@]}" push --quiet "$ref" "oci-archive:$out/$name.oci.tar:$tag" >/dev/null
    "${B[@]}" push --quiet "$ref" "oci:$out/$name.oci:$tag" >/dev/null
    # Merged root filesystem, as root, symlinks intact.
    umoci unpack --image "$out/$name.oci:$tag" "$W/bundle-$name" >/dev/null
    mv "$W/bundle-$name/rootfs" "$out/$name.rootfs"
    rm -rf "$W/bundle-$name"
}
export_image debian-bookworm "localhost/test/debian:$suite" "$suite"
export_image app localhost/test/app:1 1

# --- d. expected data ------------------------------------------------------------------
dpkg_list() { # ADMINDIR
    dpkg-query --admindir="$1" -W -f '${Package}\t${Version}\t${Architecture}\n' 2>/dev/null | LC_ALL=C sort
}

# Layer digests of an OCI layout tag, in order, as blob paths.
layer_blobs() { # LAYOUT TAG
    local layout=$1 tag=$2 mdigest
    mdigest=$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$layout/index.json")
    jq -r '.layers[].digest' "$layout/blobs/${mdigest/://}" | sed "s|^|$layout/blobs/|; s|:|/|"
}
config_blob() { # LAYOUT TAG
    local layout=$1 tag=$2 mdigest
    mdigest=$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$layout/index.json")
    jq -r '.config.digest' "$layout/blobs/${mdigest/://}" | sed "s|^|$layout/blobs/|; s|:|/|"
}

# Apply the var/lib/dpkg part of each layer in turn (whiteouts included) and record the
# dpkg state after each layer; then credit each final (name, version) to the first layer
# from which it is continuously present up to the top.
expected_layers() { # NAME TAG
    local name=$1 tag=$2 state="$W/dpkg-state-$1" i=0 blob entries e dir base
    rm -rf "$state"
    mkdir -p "$state"
    while read -r blob; do
        entries=$(tar -tf "$blob" | sed 's|^\./||' | grep -E '^var/lib/dpkg(/|$)' || true)
        # opaque directories first: their earlier content is gone
        while read -r e; do
            [ -n "$e" ] || continue
            dir=$(dirname "$e")
            rm -rf "${state:?}/$dir"
            mkdir -p "$state/$dir"
        done < <(grep -E '(^|/)\.wh\.\.wh\.\.opq$' <<<"$entries" || true)
        if [ -n "$entries" ]; then
            tar -C "$state" -xf "$blob" --wildcards 'var/lib/dpkg' 'var/lib/dpkg/*' \
                './var/lib/dpkg' './var/lib/dpkg/*' 2>/dev/null || true
        fi
        while read -r e; do
            [ -n "$e" ] || continue
            dir=$(dirname "$e")
            base=$(basename "$e")
            rm -rf "${state:?}/$e"
            [ "$base" = ".wh..wh..opq" ] || rm -rf "${state:?}/$dir/${base#.wh.}"
        done < <(grep -E '(^|/)\.wh\.' <<<"$entries" || true)
        if [ -f "$state/var/lib/dpkg/status" ]; then
            dpkg_list "$state/var/lib/dpkg" | cut -f1,2 >"$W/$name.state.$i"
        else
            : >"$W/$name.state.$i"
        fi
        i=$((i + 1))
    done < <(layer_blobs "$out/$name.oci" "$tag")
    local n=$i
    # Walk from the top layer down; a package's layer is the lowest index reached before
    # it first disappears (or differs).
    for ((i = n - 1; i >= 0; i--)); do
        printf '%s\n' "$W/$name.state.$i"
    done | xargs awk -v n="$n" '
        FNR == 1 { idx = FILENAME; sub(/.*\.state\./, "", idx); idx += 0 }
        {
            k = $1 "\t" $2
            if (idx == n - 1) { intro[k] = idx; alive[k] = idx; order[++cnt] = k }
            else if ((k in alive) && alive[k] == idx + 1) { intro[k] = idx; alive[k] = idx }
        }
        END { for (j = 1; j <= cnt; j++) print order[j] "\t" intro[order[j]] }
    ' | LC_ALL=C sort >"$out/$name.layers.tsv"
}

# history: layer index (or "-" for an empty layer) and created_by.
expected_history() { # NAME TAG
    jq -r '
        reduce .history[] as $h ({i: 0, rows: []};
            if ($h.empty_layer // false)
            then .rows += [["-", ($h.created_by // "")]]
            else .rows += [[(.i | tostring), ($h.created_by // "")]] | .i += 1 end)
        | .rows[] | @tsv' "$(config_blob "$out/$1.oci" "$2")" >"$out/$1.history.tsv"
}

for spec in "debian-bookworm:$suite" "app:1"; do
    name=${spec%%:*}
    tag=${spec#*:}
    log "expected data for $name"
    dpkg_list "$out/$name.rootfs/var/lib/dpkg" >"$out/$name.dpkg.tsv"
    [ -s "$out/$name.dpkg.tsv" ] || die "no dpkg packages found in $name"
    expected_layers "$name" "$tag"
    expected_history "$name" "$tag"
    # the layer walk must agree with the merged rootfs
    cmp -s <(cut -f1,2 "$out/$name.dpkg.tsv") <(cut -f1,2 "$out/$name.layers.tsv") ||
        die "$name: layer walk disagrees with the merged rootfs"
done

# Base packages whose version the app's apt step changed: name, base version, app version,
# layer. The Dockerfile names some explicitly; the build fails if none was upgraded.
join -t "$(printf '\t')" <(cut -f1,2 "$out/debian-bookworm.dpkg.tsv") <(cut -f1,2 "$out/app.dpkg.tsv") |
    awk -F '\t' '$2 != $3' |
    join -t "$(printf '\t')" - <(awk -F '\t' '{print $1 "\t" $3}' "$out/app.layers.tsv") \
        >"$out/app.upgraded.tsv"
[ -s "$out/app.upgraded.tsv" ] ||
    die "the app's apt step upgraded no base package (the mirror has no newer version of the ones named in tests/images/app/Dockerfile)"
awk -F '\t' '$4 != 1 { bad = 1 } END { exit bad }' "$out/app.upgraded.tsv" ||
    die "an upgraded base package is not credited to layer 1"

# Python distributions pip installed (not dpkg-owned): name, version.
for d in "$out"/app.rootfs/usr/local/lib/python3*/dist-packages/*.dist-info; do
    [ -f "$d/METADATA" ] || continue
    awk -F ': ' '/^$/{exit} /^Name: /{n=$2} /^Version: /{v=$2} END{print n "\t" v}' "$d/METADATA"
done | LC_ALL=C sort >"$out/app.python.tsv"
[ -s "$out/app.python.tsv" ] || die "no pip-installed Python packages found in app"

cat >"$out/manifest.env" <<EOF
# shipshape test images; paths relative to this directory. Generated by scripts/test-images/build.sh.
SHIPSHAPE_TEST_IMAGES_KEY=$key
BASE_IMAGE_REF=localhost/test/debian:$suite
BASE_DOCKER_ARCHIVE=debian-bookworm.docker.tar
BASE_OCI_ARCHIVE=debian-bookworm.oci.tar
BASE_OCI_DIR=debian-bookworm.oci
BASE_OCI_TAG=$suite
BASE_ROOTFS=debian-bookworm.rootfs
BASE_DPKG_TSV=debian-bookworm.dpkg.tsv
BASE_LAYERS_TSV=debian-bookworm.layers.tsv
BASE_HISTORY_TSV=debian-bookworm.history.tsv
APP_IMAGE_REF=localhost/test/app:1
APP_DOCKER_ARCHIVE=app.docker.tar
APP_OCI_ARCHIVE=app.oci.tar
APP_OCI_DIR=app.oci
APP_OCI_TAG=1
APP_ROOTFS=app.rootfs
APP_DPKG_TSV=app.dpkg.tsv
APP_LAYERS_TSV=app.layers.tsv
APP_HISTORY_TSV=app.history.tsv
APP_UPGRADED_TSV=app.upgraded.tsv
APP_PYTHON_TSV=app.python.tsv
EOF

"${B[@]}" rm --all >/dev/null 2>&1 || true
"${B[@]}" rmi --all --force >/dev/null 2>&1 || true
unmount_under "$W"
rm -rf "$W"
rm -rf "$final" # only ever a stray without manifest.env: complete ones returned early
mv "$out" "$final"
rm -rf "$tmp"
log "built in $(($(date +%s) - start)) s: $final"
echo "$final" >&3
