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
# Needs root and: debootstrap buildah umoci dpkg-query tar sha256sum flock jq python3, and
# cargo with cargo-auditable (the rust image compiles tests/images/rust/crate on the host).
set -euo pipefail

exec 3>&1 1>&2
export LC_ALL=C
log() { printf '[test-images %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
images_src="$repo/tests/images"

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and buildah storage need it)"
for tool in debootstrap buildah umoci dpkg-query tar sha256sum flock jq go; do
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

# --- a. Debian base images --------------------------------------------------------------
# Downloaded .debs are kept across keys and suites (debootstrap verifies them against the index).
mkdir -p "$root/.debootstrap-cache"
debootstrap_suite() { # SUITE ROOTFS
    local suite=$1 rootfs=$2
    log "debootstrap --variant=minbase $suite"
    debootstrap --variant=minbase --cache-dir="$root/.debootstrap-cache" "$suite" "$rootfs" "$MIRROR" \
        >"$W/debootstrap-$suite.log" 2>&1 ||
        { tail -20 "$W/debootstrap-$suite.log"; die "debootstrap $suite failed"; }
}

# Clean a rootfs like an official image and point its apt at SUITE, SUITE-updates and
# SUITE-security.
clean_rootfs() { # ROOTFS SUITE
    local rootfs=$1 suite=$2
    rm -rf "$rootfs"/dev/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/archives/partial/* \
        "$rootfs"/var/log/apt/* "$rootfs"/var/log/*.log "$rootfs"/var/log/bootstrap.log \
        "$rootfs"/tmp/* "$rootfs"/etc/apt/sources.list
    : >"$rootfs/etc/resolv.conf"
    : >"$rootfs/etc/hostname"
    [ -f "$rootfs/etc/machine-id" ] && : >"$rootfs/etc/machine-id"
    if [ -d "$rootfs/etc/apt/sources.list.d" ]; then # not in a slimmed rootfs
        mkdir -p "$rootfs/var/lib/apt/lists/partial"
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
    fi
}

# Run a command chrooted into ROOTFS with /proc, a few device nodes and the host's DNS
# configuration; all of it is removed again (clean_rootfs empties /dev and resolv.conf).
chroot_run() { # ROOTFS CMD...
    local rootfs=$1 rc=0
    shift
    mkdir -p "$rootfs/dev" "$rootfs/proc"
    local node
    for node in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do
        # shellcheck disable=SC2086
        [ -e "$rootfs/dev/${node%% *}" ] || mknod -m 666 "$rootfs/dev/"$node
    done
    mount -t proc proc "$rootfs/proc"
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@" || rc=$?
    umount "$rootfs/proc" || umount -l "$rootfs/proc"
    : >"$rootfs/etc/resolv.conf"
    awk -v d="$rootfs/" 'index($2, d) == 1 { bad = 1 } END { exit bad }' /proc/mounts ||
        die "something is still mounted under $rootfs"
    return "$rc"
}

# Purge non-Essential packages that only apt needs (and apt itself). dpkg refuses to remove
# anything another installed package still depends on, so the candidates are tried again
# until nothing more goes; what stays simply stays. The purged names go to stdout.
slim_rootfs() { # ROOTFS
    local rootfs=$1 p progress=1 purged=""
    local candidates=(apt libapt-pkg6.0 adduser debian-archive-keyring gpgv libseccomp2 libxxhash0
        libstdc++6 libgnutls30 libhogweed6 libnettle8 libp11-kit0 libtasn1-6 libidn2-0
        libunistring2 libffi7 libffi8 libgmp10 libgcrypt20 libgpg-error0 liblz4-1)
    while [ "$progress" = 1 ]; do
        progress=0
        for p in "${candidates[@]}"; do
            [ -f "$rootfs/var/lib/dpkg/info/$p.list" ] || [ -f "$rootfs/var/lib/dpkg/info/$p:amd64.list" ] || continue
            if chroot_run "$rootfs" dpkg --purge "$p" >>"$W/slim.log" 2>&1; then
                purged="$purged $p"
                progress=1
            fi
        done
    done
    [ -n "$purged" ] || die "slim: nothing could be purged from $rootfs"
    rm -rf "$rootfs/etc/apt" "$rootfs/var/lib/apt" "$rootfs/var/cache/apt" "$rootfs/var/log/apt"
    chroot_run "$rootfs" dpkg --audit >>"$W/slim.log" 2>&1 || die "slim: dpkg --audit failed on $rootfs"
    chroot_run "$rootfs" dpkg-query -W dpkg >/dev/null 2>&1 || die "slim: dpkg database unusable in $rootfs"
    echo "${purged# }"
}

# One-layer image from ROOTFS: ADD rootfs.tar / # CREATED_BY_NOTE, CMD ["bash"], every TAG
# of localhost/test/debian.
commit_base() { # ROOTFS NOTE TAG...
    local rootfs=$1 note=$2 c t
    shift 2
    tar -C "$rootfs" --numeric-owner --sort=name -cf "$W/rootfs.tar" .
    log "committing localhost/test/debian:$1 ($*)"
    c=$("${B[@]}" from scratch)
    "${B[@]}" add "$c" "$W/rootfs.tar" / >/dev/null
    "${B[@]}" config --cmd '["bash"]' \
        --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --os linux --arch amd64 \
        --created-by "ADD rootfs.tar / # $note" "$c"
    "${B[@]}" commit --rm --quiet "$c" "localhost/test/debian:$1" >/dev/null
    for t in "${@:2}"; do
        "${B[@]}" tag "localhost/test/debian:$1" "localhost/test/debian:$t"
    done
    rm -f "$W/rootfs.tar"
}

suite=bookworm
rootfs="$W/debootstrap"
debootstrap_suite "$suite" "$rootfs"
clean_rootfs "$rootfs" "$suite"
commit_base "$rootfs" "debootstrap $suite" "$suite" 12 12.11
BOOKWORM_SLIM_PURGED=$(slim_rootfs "$rootfs")
log "bookworm-slim: purged $BOOKWORM_SLIM_PURGED"
clean_rootfs "$rootfs" "$suite"
commit_base "$rootfs" "debootstrap $suite, slimmed" bookworm-slim 12-slim
rm -rf "$rootfs"

# bullseye from bullseye main only ("11.6": no -security or -updates applied) ...
brootfs="$W/debootstrap-bullseye"
debootstrap_suite bullseye "$brootfs"
clean_rootfs "$brootfs" bullseye
commit_base "$brootfs" "debootstrap bullseye" 11.6
dpkg-query --admindir="$brootfs/var/lib/dpkg" -W -f '${Package}\t${Version}\n' >"$W/bullseye-old.versions"
# ... then upgraded from bullseye-security and bullseye-updates ("11.11") ...
log "apt-get upgrade in the bullseye rootfs"
chroot_run "$brootfs" sh -c 'apt-get update && apt-get -y -o Dpkg::Options::=--force-confold upgrade && apt-get clean' \
    >"$W/bullseye-upgrade.log" 2>&1 || { tail -30 "$W/bullseye-upgrade.log"; die "apt-get upgrade in bullseye failed"; }
dpkg-query --admindir="$brootfs/var/lib/dpkg" -W -f '${Package}\t${Version}\n' >"$W/bullseye.versions"
BULLSEYE_UPGRADED=$(join -t "$(printf '\t')" <(LC_ALL=C sort "$W/bullseye-old.versions") <(LC_ALL=C sort "$W/bullseye.versions") |
    while IFS="$(printf '\t')" read -r p old new; do
        dpkg --compare-versions "$new" gt "$old" && printf '%s ' "$p"
    done || true)
[ -n "$BULLSEYE_UPGRADED" ] || die "apt-get upgrade from bullseye-security changed no bullseye package"
log "bullseye: upgraded $BULLSEYE_UPGRADED"
clean_rootfs "$brootfs" bullseye
commit_base "$brootfs" "debootstrap bullseye, apt-get upgrade from bullseye-security and bullseye-updates" \
    11.11 11 bullseye
# ... and slimmed.
BULLSEYE_SLIM_PURGED=$(slim_rootfs "$brootfs")
log "bullseye-slim: purged $BULLSEYE_SLIM_PURGED"
clean_rootfs "$brootfs" bullseye
commit_base "$brootfs" "debootstrap bullseye, apt-get upgrade, slimmed" bullseye-slim 11-slim 11.11-slim
rm -rf "$brootfs"

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

log "buildah bud tests/images/guide"
"${B[@]}" bud --layers --isolation chroot --network host --pull-never \
    -f "$images_src/guide/Dockerfile" -t localhost/test/guide:1 "$images_src/guide" >"$W/guide-build.log" 2>&1 ||
    { tail -40 "$W/guide-build.log"; die "guide build failed"; }
for target in dev prod; do
    log "buildah bud --target $target tests/images/multistage"
    "${B[@]}" bud --layers --isolation chroot --network host --pull-never --target "$target" \
        -f "$images_src/multistage/Dockerfile" -t "localhost/test/multistage:$target" "$images_src/multistage" \
        >"$W/multistage-$target-build.log" 2>&1 ||
        { tail -40 "$W/multistage-$target-build.log"; die "multistage $target build failed"; }
done

log "buildah bud tests/images/jvm"
"${B[@]}" bud --layers --isolation chroot --network host --pull-never \
    -f "$images_src/jvm/Dockerfile" -t localhost/test/jvm:1 "$images_src/jvm" >"$W/jvm-build.log" 2>&1 ||
    { tail -40 "$W/jvm-build.log"; die "jvm build failed"; }

# rust: tests/images/rust/crate compiled on the host (the image has no toolchain), once with
# cargo-auditable and once without, from a copy in the work directory (target dirs there too,
# nothing is written into the repository); buildah's context holds only the two binaries.
command -v cargo >/dev/null || die "missing tool: cargo (the rust image builds tests/images/rust/crate on the host)"
cargo auditable --version >/dev/null 2>&1 ||
    die "missing cargo-auditable, which the rust image needs: cargo install cargo-auditable --locked"
rm -rf "$W/rust-src" "$W/rust-context"
mkdir -p "$W/rust-context"
cp -a "$images_src/rust/crate" "$W/rust-src"
log "cargo auditable build --release --locked tests/images/rust/crate (and plain cargo build)"
{
    (cd "$W/rust-src" && CARGO_TARGET_DIR="$W/rust-target" cargo auditable build --release --locked) &&
        (cd "$W/rust-src" && CARGO_TARGET_DIR="$W/rust-target-plain" cargo build --release --locked)
} >"$W/rust-cargo.log" 2>&1 || { tail -40 "$W/rust-cargo.log"; die "building tests/images/rust/crate failed"; }
cp "$W/rust-target/release/shipshape-rust-fixture" "$W/rust-context/shipshape-rust-fixture"
cp "$W/rust-target-plain/release/shipshape-rust-fixture" "$W/rust-context/shipshape-rust-fixture-plain"
log "buildah bud tests/images/rust"
"${B[@]}" bud --layers --isolation chroot --network host --pull-never \
    -f "$images_src/rust/Dockerfile" -t localhost/test/rust:1 "$W/rust-context" >"$W/rust-build.log" 2>&1 ||
    { tail -40 "$W/rust-build.log"; die "rust build failed"; }

# The crates in the rust image's cargo-auditable binary, read from the crate's Cargo.lock by
# `cargo metadata` for the host platform, as NAME<TAB>VERSION<TAB>SOURCE (crates.io, local,
# git, registry). The rule is cargo-auditable's: from the root package, follow normal
# dependencies only (build and dev dependencies are not in the binary, nor is a proc-macro
# and what only it needs); `--filter-platform` drops other platforms' (winapi, hermit-abi).
host_triple=$(rustc -vV | sed -n 's/^host: //p')
[ -n "$host_triple" ] || die "rustc -vV printed no host triple"
(cd "$W/rust-src" && cargo metadata --locked --format-version 1 --filter-platform "$host_triple") \
    >"$W/rust-metadata.json" 2>>"$W/rust-cargo.log" || die "cargo metadata failed on tests/images/rust/crate"
python3 - "$W/rust-metadata.json" <<'PY' | LC_ALL=C sort >"$out/rust.crates.tsv"
import json, sys
meta = json.load(open(sys.argv[1]))
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
proc_macro = {i for i, p in packages.items() if any("proc-macro" in t["kind"] for t in p["targets"])}
root = meta["resolve"]["root"]
seen, todo = {root}, [root]
while todo:
    for dep in nodes[todo.pop()]["deps"]:
        normal = any(k["kind"] is None for k in dep["dep_kinds"])
        if normal and dep["pkg"] not in proc_macro and dep["pkg"] not in seen:
            seen.add(dep["pkg"])
            todo.append(dep["pkg"])
for i in seen:
    p = packages[i]
    src = p["source"]
    if src is None:
        kind = "local"
    elif src.startswith("git+"):
        kind = "git"
    elif src == "registry+https://github.com/rust-lang/crates.io-index":
        kind = "crates.io"
    else:
        kind = "registry"
    print(f"{p['name']}\t{p['version']}\t{kind}")
PY
grep -q "^smallvec$(printf '\t')1\.6\.0$(printf '\t')crates\.io$" "$out/rust.crates.tsv" ||
    die "rust: smallvec 1.6.0 from crates.io is not among the expected crates"
log "buildah bud tests/images/dotnet-php"
"${B[@]}" bud --layers --isolation chroot --network host --pull-never \
    -f "$images_src/dotnet-php/Dockerfile" -t localhost/test/dotnet-php:1 "$images_src/dotnet-php" >"$W/dotnet-php-build.log" 2>&1 ||
    { tail -40 "$W/dotnet-php-build.log"; die "dotnet-php build failed"; }
log "buildah bud tests/images/runtimes"
"${B[@]}" bud --layers --isolation chroot --network host --pull-never \
    -f "$images_src/runtimes/Dockerfile" -t localhost/test/runtimes:1 "$images_src/runtimes" >"$W/runtimes-build.log" 2>&1 ||
    { tail -40 "$W/runtimes-build.log"; die "runtimes build failed"; }
log "buildah bud tests/images/golang"
for target in build final; do
    tag_args=(-t localhost/test/golang:1)
    [ "$target" = build ] && tag_args=(--target build -t localhost/test/golang-build:1)
    "${B[@]}" bud --layers --isolation chroot --network host --pull-never "${tag_args[@]}" \
        -f "$images_src/golang/Dockerfile" "$images_src/golang" >"$W/golang-$target-build.log" 2>&1 ||
        { tail -40 "$W/golang-$target-build.log"; die "golang $target build failed"; }
done
# `go tool nm` of the unstripped program, from the build stage.
golang_ctr=$("${B[@]}" from --pull-never localhost/test/golang-build:1)
golang_mnt=$("${B[@]}" mount "$golang_ctr")
mkdir -p "$out"
cp "$golang_mnt/out/hello.nm" "$out/golang.hello.nm"
"${B[@]}" umount "$golang_ctr" >/dev/null
"${B[@]}" rm "$golang_ctr" >/dev/null
[ -s "$out/golang.hello.nm" ] || die "golang: no go tool nm output"

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

# The other images: an OCI layout dir only.
export_oci() { # NAME REF TAG
    log "exporting $1"
    "${B[@]}" push --quiet "$2" "oci:$out/$1.oci:$3" >/dev/null
}
# "NAME REF OCI_TAG" of every image exported with export_oci.
oci_images=(
    "debian-bullseye-old localhost/test/debian:11.6 11.6"
    "debian-bullseye localhost/test/debian:bullseye bullseye"
    "debian-bullseye-slim localhost/test/debian:bullseye-slim bullseye-slim"
    "debian-bookworm-slim localhost/test/debian:bookworm-slim bookworm-slim"
    "guide localhost/test/guide:1 1"
    "multistage-dev localhost/test/multistage:dev dev"
    "multistage-prod localhost/test/multistage:prod prod"
    "jvm localhost/test/jvm:1 1"
    "rust localhost/test/rust:1 1"
    "dotnet-php localhost/test/dotnet-php:1 1"
    "runtimes localhost/test/runtimes:1 1"
    "golang localhost/test/golang:1 1"
)
for spec in "${oci_images[@]}"; do
    # shellcheck disable=SC2086
    export_oci $spec
done

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

# The Maven packages in the Java archives under app/ of ROOTFS, read independently of
# shipshape with Python's zipfile: one row per META-INF/maven/*/*/pom.properties, nested
# archives (*.jar, *.war inside) opened too, as
# PATH[!/INNER]<TAB>groupId<TAB>artifactId<TAB>version; an archive without pom.properties
# gives its file name (NAME-VERSION.jar) with a "-" group.
expected_maven() { # ROOTFS
    python3 - "$1" <<'PY' | LC_ALL=C sort
import io, os, re, sys, zipfile
root = sys.argv[1]
def props(data):
    d = {}
    for line in data.decode("utf-8", "replace").splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            d[k.strip()] = v.strip()
    return d
def walk(path, z):
    found = False
    for n in sorted(z.namelist()):
        if re.fullmatch(r"META-INF/maven/[^/]+/[^/]+/pom\.properties", n):
            p = props(z.read(n))
            print(f"{path}\t{p['groupId']}\t{p['artifactId']}\t{p['version']}")
            found = True
        elif n.endswith((".jar", ".war")):
            walk(f"{path}!/{n}", zipfile.ZipFile(io.BytesIO(z.read(n))))
    if not found:
        m = re.fullmatch(r"(.+)-(\d[^/]*)\.[jw]ar", os.path.basename(path))
        if m:
            print(f"{path}\t-\t{m.group(1)}\t{m.group(2)}")
for d, _, files in os.walk(os.path.join(root, "app")):
    for f in files:
        if f.endswith((".jar", ".war")):
            full = os.path.join(d, f)
            walk(os.path.relpath(full, root), zipfile.ZipFile(full))
PY
}

# The NuGet packages of the deps.json files under app/ of ROOTFS, read with jq: one row per
# library of type "package", as PATH<TAB>Name<TAB>Version.
expected_nuget() { # ROOTFS
    local root=$1 f
    find "$root/app" -type f -name '*.deps.json' | while read -r f; do
        jq -r --arg p "${f#"$root"/}" '.libraries | to_entries[] | select(.value.type == "package")
            | .key | split("/") | [$p, .[0], .[1]] | @tsv' "$f"
    done | LC_ALL=C sort
}
# Every */composer/installed.json of ROOTFS that a dpkg package lists, as PATH<TAB>PACKAGE.
owned_installed_json() { # ROOTFS
    local root=$1 list
    for list in "$root"/var/lib/dpkg/info/*.list; do
        sed -n 's|^/\(.*/composer/installed\.json\)$|\1|p' "$list" |
            awk -v p="$(basename "$list" .list)" '{ sub(/:[^:]+$/, "", p); print $0 "\t" p }'
    done | LC_ALL=C sort
}
# The Composer packages of every */composer/installed.json of ROOTFS that no dpkg package
# lists, read with jq in both forms (Composer 1 array, Composer 2 object), as
# PATH<TAB>name (lower case)<TAB>version as written<TAB>dev or -.
expected_composer() { # ROOTFS OWNED_TSV
    local root=$1 owned=$2 f rel
    find "$root" -type f -path '*/composer/installed.json' | while read -r f; do
        rel=${f#"$root"/}
        cut -f1 "$owned" | grep -qxF "$rel" && continue
        jq -r --arg p "$rel" '
            (if type == "array" then {packages: ., dev: []}
             else {packages: .packages, dev: (.["dev-package-names"] // [])} end) as $d
            | $d.packages[] | (.name | ascii_downcase) as $n
            | [$p, $n, .version, (if any($d.dev[]; ascii_downcase == $n) then "dev" else "-" end)] | @tsv' "$f"
    done | LC_ALL=C sort
}
# The unmanaged runtimes of the runtimes image: RUNTIME<TAB>PATH<TAB>VERSION, the version
# being the upstream part of the version of the deb the file was copied from (as the image's
# /usr/local/share/runtimes/debs.tsv recorded it with dpkg-deb): epoch and Debian revision
# dropped, what follows "+really" kept, a "+dfsg"/"+build" suffix dropped.
expected_runtimes() { # ROOTFS
    local rootfs=$1 runtime deb path version
    while read -r runtime deb path; do
        [ -f "$rootfs/$path" ] || die "runtimes: $path missing"
        version=$(awk -F '\t' -v d="$deb" '$1 == d {print $2; exit}' "$rootfs/usr/local/share/runtimes/debs.tsv")
        [ -n "$version" ] || die "runtimes: no version recorded for $deb"
        version=${version#*:}
        version=${version%-*}
        version=${version##*+really}
        version=${version%%+*}
        printf '%s\t%s\t%s\n' "$runtime" "$path" "$version"
    done <<'TABLE' | LC_ALL=C sort
node libnode108 usr/local/lib/libnode.so.108
python python3.11-minimal usr/local/bin/python3.11
php php8.2-cli usr/local/bin/php
ruby libruby3.1 usr/local/lib/libruby-3.1.so.3.1.2
nginx nginx usr/local/sbin/nginx
redis redis-tools usr/local/bin/redis-server
busybox busybox usr/local/bin/busybox
go golang-1.19-go usr/local/go/VERSION
java openjdk-17-jre-headless opt/java/openjdk/release
postgresql postgresql-15 opt/postgresql/bin/postgres
httpd apache2-bin opt/apache2/bin/httpd
TABLE
}
# The Go modules of the Go binaries under opt/ of ROOTFS (the image NAME:TAG's merged
# tree), read by the Go toolchain (`go version -m`): one row per module as
# PATH<TAB>LAYER<TAB>MODULE<TAB>VERSION, where a `=>` replacement stands for the module it
# replaces, stdlib is the Go version without `go`, and LAYER is the index of the layer
# whose tar holds PATH.
expected_go() { # ROOTFS NAME TAG
    local root=$1 name=$2 tag=$3 f rel i blob layer
    find "$root/opt" -type f -perm -u+x | LC_ALL=C sort | while read -r f; do
        rel=${f#"$root"/}
        go version -m "$f" >/dev/null 2>&1 || continue
        i=0
        layer=-
        while read -r blob; do
            if tar -tf "$blob" | sed 's|^\./||' | grep -xF "$rel" >/dev/null; then layer=$i; fi
            i=$((i + 1))
        done < <(layer_blobs "$out/$name.oci" "$tag")
        go version -m "$f" | awk -F '\t' -v p="$rel" -v l="$layer" '
            NR == 1 { v = $0; sub(/.*: go/, "", v); sub(/ .*/, "", v); print p "\t" l "\tstdlib\t" v; next }
            $2 == "mod" { print p "\t" l "\t" $3 "\t" $4 }
            $2 == "dep" { if (d != "") print d; d = p "\t" l "\t" $3 "\t" $4 }
            $2 == "=>" { d = p "\t" l "\t" $3 "\t" $4 }
            END { if (d != "") print d }'
    done | LC_ALL=C sort
}

# --- e. expected data of the OCI-only images ---------------------------------------------
for spec in "${oci_images[@]}"; do
    read -r name ref tag <<<"$spec"
    log "expected data for $name"
    umoci unpack --image "$out/$name.oci:$tag" "$W/bundle-$name" >/dev/null
    dpkg_list "$W/bundle-$name/rootfs/var/lib/dpkg" >"$out/$name.dpkg.tsv"
    if [ "$name" = jvm ]; then
        expected_maven "$W/bundle-$name/rootfs" >"$out/jvm.maven.tsv"
        [ "$(wc -l <"$out/jvm.maven.tsv")" -ge 8 ] || die "jvm: expected Maven packages missing"
    fi
    if [ "$name" = dotnet-php ]; then
        rootfs_dp="$W/bundle-$name/rootfs"
        expected_nuget "$rootfs_dp" >"$out/dotnet-php.nuget.tsv"
        owned_installed_json "$rootfs_dp" >"$out/dotnet-php.owned.tsv"
        expected_composer "$rootfs_dp" "$out/dotnet-php.owned.tsv" >"$out/dotnet-php.composer.tsv"
        [ "$(wc -l <"$out/dotnet-php.nuget.tsv")" -ge 5 ] || die "dotnet-php: expected NuGet packages missing"
        [ "$(cut -f1 "$out/dotnet-php.composer.tsv" | sort -u | wc -l)" = 2 ] ||
            die "dotnet-php: expected two Composer trees (v1 and v2 form)"
        [ -s "$out/dotnet-php.owned.tsv" ] || die "dotnet-php: no installed.json owned by a Debian package"
    fi
    if [ "$name" = runtimes ]; then
        expected_runtimes "$W/bundle-$name/rootfs" >"$out/runtimes.runtimes.tsv"
        [ "$(wc -l <"$out/runtimes.runtimes.tsv")" -eq 11 ] || die "runtimes: expected 11 runtimes"
        [ -f "$W/bundle-$name/rootfs/usr/sbin/nginx" ] || die "runtimes: apt's nginx missing"
    fi
    if [ "$name" = golang ]; then
        expected_go "$W/bundle-$name/rootfs" "$name" "$tag" >"$out/golang.modules.tsv"
        grep -q "^opt/zabbix/zabbix_web_service	2	golang.org/x/sys	" "$out/golang.modules.tsv" ||
            die "golang: the Debian binary's module dependencies are missing"
        grep -q "^opt/hello/hello	3	stdlib	" "$out/golang.modules.tsv" ||
            die "golang: the program built in the image is missing"
    fi
    rm -rf "$W/bundle-$name"
    [ -s "$out/$name.dpkg.tsv" ] || die "no dpkg packages found in $name"
    expected_layers "$name" "$tag"
    expected_history "$name" "$tag"
    cmp -s <(cut -f1,2 "$out/$name.dpkg.tsv") <(cut -f1,2 "$out/$name.layers.tsv") ||
        die "$name: layer walk disagrees with the merged rootfs"
done

# 11.11 has strictly newer versions than 11.6 of several packages.
newer=$(join -t "$(printf '\t')" <(cut -f1,2 "$out/debian-bullseye-old.dpkg.tsv") <(cut -f1,2 "$out/debian-bullseye.dpkg.tsv") |
    while IFS="$(printf '\t')" read -r p old new; do
        if dpkg --compare-versions "$new" gt "$old"; then echo "$p"; fi
    done | wc -l)
[ "$newer" -ge 2 ] || die "debian-bullseye has newer versions of only $newer packages than debian-bullseye-old"
log "debian-bullseye: $newer packages newer than in debian-bullseye-old"
# A slim image's packages are a strict subset of its full image's, at the same versions.
for pair in debian-bullseye-slim:debian-bullseye debian-bookworm-slim:debian-bookworm; do
    slim=${pair%%:*}
    full=${pair#*:}
    [ -z "$(comm -23 "$out/$slim.dpkg.tsv" "$out/$full.dpkg.tsv")" ] ||
        die "$slim has packages or versions that $full does not"
    [ "$(wc -l <"$out/$slim.dpkg.tsv")" -lt "$(wc -l <"$out/$full.dpkg.tsv")" ] ||
        die "$slim has as many packages as $full"
done

# guide: base packages whose version the image changed (as app.upgraded.tsv) ...
join -t "$(printf '\t')" <(cut -f1,2 "$out/debian-bullseye-old.dpkg.tsv") <(cut -f1,2 "$out/guide.dpkg.tsv") |
    awk -F '\t' '$2 != $3' |
    join -t "$(printf '\t')" - <(awk -F '\t' '{print $1 "\t" $3}' "$out/guide.layers.tsv") \
        >"$out/guide.upgraded.tsv"
awk -F '\t' '$4 == 1 { ok = 1 } END { exit !ok }' "$out/guide.upgraded.tsv" ||
    die "the guide's first apt step upgraded no base package (tests/images/guide/Dockerfile names some)"
# ... and every dpkg package whose info/<pkg>.list file a non-base layer writes, with the
# last such layer: how a reinstall at the same version shows in the layers.
touched_layers() { # NAME TAG
    local name=$1 tag=$2 i=0 blob
    while read -r blob; do
        if [ "$i" -ge 1 ]; then
            tar -tf "$blob" | sed 's|^\./||' |
                sed -nE 's|^var/lib/dpkg/info/([^/]+)\.list$|\1|p' | { grep -v '^\.wh\.' || true; } |
                sed -E 's/:[^:]+$//' | awk -v i="$i" '{print $0 "\t" i}'
        fi
        i=$((i + 1))
    done < <(layer_blobs "$out/$name.oci" "$tag")
}
touched_layers guide 1 |
    awk -F '\t' 'NR == FNR { keep[$1] = 1; next } ($1 in keep) { last[$1] = $2 } END { for (p in last) print p "\t" last[p] }' \
        "$out/guide.dpkg.tsv" - | LC_ALL=C sort >"$out/guide.touched.tsv"
reinstalled=$(grep -oE -- '--reinstall +[a-z0-9][a-z0-9.+-]+' "$images_src/guide/Dockerfile" | awk '{print $2; exit}')
[ -n "$reinstalled" ] || die "tests/images/guide/Dockerfile reinstalls no package"
grep -q "^$reinstalled$(printf '\t')" "$out/guide.touched.tsv" ||
    die "the reinstalled $reinstalled is not in guide.touched.tsv"
[ "$(grep "^$reinstalled$(printf '\t')" "$out/debian-bullseye-old.dpkg.tsv")" = "$(grep "^$reinstalled$(printf '\t')" "$out/guide.dpkg.tsv")" ] ||
    die "the reinstalled $reinstalled changed version"

# What .ci/run pushes into the plain registry: OCI_DIR:TAG<TAB>REPO:TAG.
{
    printf '%s\t%s\n' "debian-bookworm.oci:$suite" test/debian:bookworm debian-bookworm.oci:$suite test/debian:12 \
        debian-bookworm.oci:$suite test/debian:12.11 \
        debian-bookworm-slim.oci:bookworm-slim test/debian:bookworm-slim \
        debian-bookworm-slim.oci:bookworm-slim test/debian:12-slim \
        debian-bullseye-old.oci:11.6 test/debian:11.6 \
        debian-bullseye.oci:bullseye test/debian:11.11 \
        debian-bullseye.oci:bullseye test/debian:11 \
        debian-bullseye.oci:bullseye test/debian:bullseye \
        debian-bullseye-slim.oci:bullseye-slim test/debian:11-slim \
        debian-bullseye-slim.oci:bullseye-slim test/debian:11.11-slim \
        debian-bullseye-slim.oci:bullseye-slim test/debian:bullseye-slim \
        app.oci:1 test/app:1 \
        guide.oci:1 test/guide:1 \
        multistage-dev.oci:dev test/multistage:dev \
        multistage-prod.oci:prod test/multistage:prod
} >"$out/registry-tags.tsv"

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
BASE_TAGS="bookworm 12 12.11"
REGISTRY_TAGS_TSV=registry-tags.tsv
EOF
oci_keys() { # PREFIX NAME REF TAG
    cat <<EOF
${1}_IMAGE_REF=$3
${1}_OCI_DIR=$2.oci
${1}_OCI_TAG=$4
${1}_DPKG_TSV=$2.dpkg.tsv
${1}_LAYERS_TSV=$2.layers.tsv
${1}_HISTORY_TSV=$2.history.tsv
EOF
}
{
    oci_keys BULLSEYE_OLD debian-bullseye-old localhost/test/debian:11.6 11.6
    echo 'BULLSEYE_OLD_TAGS="11.6"'
    oci_keys BULLSEYE debian-bullseye localhost/test/debian:bullseye bullseye
    echo 'BULLSEYE_TAGS="11.11 11 bullseye"'
    echo "BULLSEYE_UPGRADED=\"${BULLSEYE_UPGRADED% }\""
    oci_keys BULLSEYE_SLIM debian-bullseye-slim localhost/test/debian:bullseye-slim bullseye-slim
    echo 'BULLSEYE_SLIM_TAGS="11-slim 11.11-slim bullseye-slim"'
    echo "BULLSEYE_SLIM_PURGED=\"$BULLSEYE_SLIM_PURGED\""
    oci_keys BOOKWORM_SLIM debian-bookworm-slim localhost/test/debian:bookworm-slim bookworm-slim
    echo 'BOOKWORM_SLIM_TAGS="12-slim bookworm-slim"'
    echo "BOOKWORM_SLIM_PURGED=\"$BOOKWORM_SLIM_PURGED\""
    oci_keys GUIDE guide localhost/test/guide:1 1
    echo "GUIDE_DOCKERFILE=tests/images/guide/Dockerfile"
    echo "GUIDE_UPGRADED_TSV=guide.upgraded.tsv"
    echo "GUIDE_TOUCHED_TSV=guide.touched.tsv"
    echo "GUIDE_REINSTALLED=$reinstalled"
    oci_keys MULTISTAGE_DEV multistage-dev localhost/test/multistage:dev dev
    oci_keys MULTISTAGE_PROD multistage-prod localhost/test/multistage:prod prod
    echo "MULTISTAGE_DOCKERFILE=tests/images/multistage/Dockerfile"
    oci_keys JVM jvm localhost/test/jvm:1 1
    echo "JVM_MAVEN_TSV=jvm.maven.tsv"
    oci_keys RUST rust localhost/test/rust:1 1
    echo "RUST_CRATES_TSV=rust.crates.tsv"
    echo "RUST_DOCKERFILE=tests/images/rust/Dockerfile"
    echo "RUST_AUDITABLE_BIN=opt/rust-app/bin/rust-app"
    echo "RUST_PLAIN_BIN=opt/rust-app/bin/rust-app-plain"
    oci_keys DOTNET_PHP dotnet-php localhost/test/dotnet-php:1 1
    echo "DOTNET_PHP_NUGET_TSV=dotnet-php.nuget.tsv"
    echo "DOTNET_PHP_COMPOSER_TSV=dotnet-php.composer.tsv"
    echo "DOTNET_PHP_OWNED_TSV=dotnet-php.owned.tsv"
    echo "DOTNET_PHP_DOCKERFILE=tests/images/dotnet-php/Dockerfile"
    oci_keys RUNTIMES runtimes localhost/test/runtimes:1 1
    echo "RUNTIMES_TSV=runtimes.runtimes.tsv"
    echo "RUNTIMES_DOCKERFILE=tests/images/runtimes/Dockerfile"
    oci_keys GOLANG golang localhost/test/golang:1 1
    echo "GOLANG_DOCKERFILE=tests/images/golang/Dockerfile"
    echo "GOLANG_MODULES_TSV=golang.modules.tsv"
    echo "GOLANG_HELLO_NM=golang.hello.nm"
} >>"$out/manifest.env"

"${B[@]}" rm --all >/dev/null 2>&1 || true
"${B[@]}" rmi --all --force >/dev/null 2>&1 || true
unmount_under "$W"
rm -rf "$W"
rm -rf "$final" # only ever a stray without manifest.env: complete ones returned early
mv "$out" "$final"
rm -rf "$tmp"
log "built in $(($(date +%s) - start)) s: $final"
echo "$final" >&3
