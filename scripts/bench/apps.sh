#!/usr/bin/env bash
# Application-package benchmark: shipshape vs trivy and syft on an image full of jars and
# executables.
#
#   scripts/bench/apps.sh [N]        N runs per tool (default 5, or $BENCH_N)
#
# - installs the peers, builds shipshape (release) and the test images (common.sh),
# - builds (once; cached under the bench cache, keyed by this script) the "apps" image: the
#   debian-bookworm test image plus one layer (`umoci raw add-layer`) holding
#     /app/lib/<package>/*.jar  every jar of the first Debian `lib*-java` packages (by name,
#                               up to 2 MB installed each) until there are at least 500,
#     /app/go/...               the Go toolchain's programs (`go`, `gofmt`, `pkg/tool/*`)
#                               from Debian's golang-1.19-go, about 50 MB of Go binaries,
#   all extracted from the .debs with `dpkg-deb -x`, so no package owns them;
# - runs shipshape `sbom`, trivy and syft (CycloneDX to /dev/null) alternating, N times,
#   peers under `unshare -n`, trivy with a fresh cache each run (holding only an empty Java
#   index DB, see common.sh: trivy will not read jars without one); /usr/bin/time gives wall
#   time and peak RSS; prints a markdown table of medians and ratios, and the component
#   counts of one untimed run.
# Needs root (unshare -n, the image build), apt-get (downloads .debs), umoci, jq.
set -euo pipefail

BENCH_NEEDS="umoci jq apt-get dpkg-deb"
# shellcheck source=scripts/bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

JARS_WANTED=${BENCH_JARS:-500}
key=$(sha256sum <"$here/apps.sh" | cut -c1-16)
img=$cache/apps-$key
if [ ! -f "$img/done" ]; then
    log "building the apps image in $img"
    rm -rf "$img"
    mkdir -p "$img/debs" "$img/x" "$img/root/app/lib" "$img/root/app/go"
    (
        cd "$img/debs"
        # Library packages by name, small ones (one apt-cache call, one apt-get call), then
        # their jars in name order until enough.
        apt-cache search --names-only '^lib.*-java$' | awk '{print $1}' | sort >"$img/candidates"
        # shellcheck disable=SC2046
        apt-cache show --no-all-versions $(cat "$img/candidates") 2>/dev/null |
            awk '/^Package:/{p=$2} /^Installed-Size:/{if ($2 <= 2048) print p}' |
            sort -u | head -n 600 >"$img/small"
        # shellcheck disable=SC2046
        apt-get download -qq $(cat "$img/small") >/dev/null 2>&1 || true
        jars=0
        while read -r pkg; do
            deb=$(ls ./"${pkg}"_*.deb 2>/dev/null | head -n 1)
            [ -n "$deb" ] || continue
            rm -rf "$img/x/p"
            dpkg-deb -x "$deb" "$img/x/p"
            n=0
            while IFS= read -r -d '' jar; do
                mkdir -p "$img/root/app/lib/$pkg"
                cp "$jar" "$img/root/app/lib/$pkg/"
                n=$((n + 1))
            done < <(find "$img/x/p" -type f -name '*.jar' -print0)
            jars=$((jars + n))
            [ "$jars" -ge "$JARS_WANTED" ] && break
        done <"$img/small"
        log "jars: $jars"
        apt-get download -qq golang-1.19-go >/dev/null
        rm -rf "$img/x/p"
        dpkg-deb -x golang-1.19-go_*.deb "$img/x/p"
        cp "$img"/x/p/usr/lib/go-1.19/bin/* "$img/root/app/go/"
        mkdir -p "$img/root/app/go/tool"
        cp "$img"/x/p/usr/lib/go-1.19/pkg/tool/linux_*/* "$img/root/app/go/tool/"
    )
    tar -C "$img/root" --owner=0 --group=0 --numeric-owner -cf "$img/layer.tar" app
    cp -a "$images/$BASE_OCI_DIR" "$img/apps.oci"
    umoci raw add-layer --image "$img/apps.oci:$BASE_OCI_TAG" \
        --history.created_by "COPY app /app" "$img/layer.tar"
    umoci tag --image "$img/apps.oci:$BASE_OCI_TAG" apps
    umoci rm --image "$img/apps.oci:$BASE_OCI_TAG"
    rm -rf "$img/x" "$img/debs" "$img/layer.tar"
    touch "$img/done"
fi
layout=$img/apps.oci
jar_count=$(find "$img/root/app/lib" -type f -name '*.jar' | wc -l)
bin_mb=$(du -sm "$img/root/app/go" | cut -f1)
jar_mb=$(du -sm "$img/root/app/lib" | cut -f1)

work=$(mktemp -d "${TMPDIR:-/tmp}/shipshape-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
results=$work/results
run() { # TOOL CMD...
    local tool=$1
    shift
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
        { cat "$work/err" >&2; die "$tool failed"; }
    printf '%s %s\n' "$tool" "$(tail -n 1 "$work/time")" >>"$results"
}
trivy_cache=$work/trivy-cache
trivy_args=(image --input "$layout" --format cyclonedx --cache-dir "$trivy_cache"
    --skip-db-update --skip-java-db-update --skip-version-check --disable-telemetry
    --offline-scan --quiet)

declare -A components
count() { # FILE TYPE: components whose purl starts pkg:TYPE/
    jq --arg t "pkg:$2/" '[.. | objects | select(has("bom-ref") and (.purl // "" | startswith($t)))] | length' "$1"
}
log "sanity pass (outputs kept, not timed)"
"$shipshape" sbom "oci-dir:$layout:apps" --format cyclonedx --output "$work/shipshape.json"
rm -rf "$trivy_cache"
trivy_java_db "$trivy_cache"
unshare -n "$trivy" "${trivy_args[@]}" --output "$work/trivy.json"
SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "oci-dir:$layout" -o "cyclonedx-json=$work/syft.json" -q
for tool in shipshape trivy syft; do
    components[$tool]="$(count "$work/$tool.json" maven) maven, $(count "$work/$tool.json" golang) golang"
done

log "running $N rounds (shipshape, trivy, syft alternating)"
for i in $(seq 1 "$N"); do
    log "round $i/$N"
    run shipshape "$shipshape" sbom "oci-dir:$layout:apps" --format cyclonedx --output /dev/null
    rm -rf "$trivy_cache"
    trivy_java_db "$trivy_cache"
    run trivy unshare -n "$trivy" "${trivy_args[@]}" --output /dev/null
    run syft env SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "oci-dir:$layout" -o cyclonedx-json=/dev/null -q
done

echo
echo "SBOM of the apps image ($jar_count jars, $jar_mb MB; $bin_mb MB of Go binaries; OCI layout $(du -sh "$layout" | cut -f1)), median of $N runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| tool | components (untimed run) | wall (s) | peak RSS (MB) | wall / shipshape | RSS / shipshape |"
echo "|---|---|---:|---:|---:|---:|"
sw=$(awk '$1 == "shipshape" {print $2}' "$results" | median)
sm=$(awk '$1 == "shipshape" {print $3}' "$results" | median)
for tool in shipshape trivy syft; do
    w=$(awk -v t="$tool" '$1 == t {print $2}' "$results" | median)
    m=$(awk -v t="$tool" '$1 == t {print $3}' "$results" | median)
    awk -v t="$tool" -v c="${components[$tool]}" -v w="$w" -v m="$m" -v sw="$sw" -v sm="$sm" 'BEGIN {
        printf "| %s | %s | %.2f | %.0f | %.1fx | %.1fx |\n", t, c, w, m / 1024, w / sw, m / sm
    }'
done
