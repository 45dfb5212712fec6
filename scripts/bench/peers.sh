#!/usr/bin/env bash
# What shipshape, trivy and syft each find in the application test images.
#
#   scripts/bench/peers.sh [NAME...]     test image names (default: every application image
#                                        the manifest has: jvm golang rust dotnet-php runtimes)
#
# For each image: a CycloneDX SBOM from each tool (peers under `unshare -n`, trivy with only
# an empty Java index DB, see common.sh), then the application components (every purl type
# but deb, apk and rpm) as `purl<TAB>path`, and a table of which tool found which purl.
# The findings are discussed in docs/peers.md.
set -euo pipefail

BENCH_NEEDS="jq"
# shellcheck source=scripts/bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" 1

work=$(mktemp -d "${TMPDIR:-/tmp}/shipshape-peers.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Application components of a CycloneDX file: purl (qualifiers dropped) and where it was.
app_components() { # FILE
    jq -r '[.. | objects | select(has("bom-ref") and (.purl // "" | test("^pkg:(deb|apk|rpm)/") | not) and (.purl // "") != "")]
        | .[] | [(.purl | sub("\\?.*$"; "")),
                 ([(.properties // [])[] | select(.name | test("FilePath|location:0:path|shipshape:package:db_path")) | .value] | first // "")]
        | @tsv' "$1" | sort -u
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(jvm golang rust dotnet-php runtimes)
for name in "${names[@]}"; do
    var=$(echo "$name" | tr 'a-z-' 'A-Z_')_OCI_DIR
    tagvar=$(echo "$name" | tr 'a-z-' 'A-Z_')_OCI_TAG
    if [ -z "${!var:-}" ]; then
        log "no $name image in $images/manifest.env; skipped"
        continue
    fi
    dir=$images/${!var}
    tag=${!tagvar}
    "$shipshape" sbom "oci-dir:$dir:$tag" --format cyclonedx --output "$work/shipshape.json"
    rm -rf "$work/tc"
    trivy_java_db "$work/tc"
    unshare -n "$trivy" image --input "$dir" --format cyclonedx --output "$work/trivy.json" \
        --cache-dir "$work/tc" --skip-db-update --skip-java-db-update --skip-version-check \
        --disable-telemetry --offline-scan --quiet
    SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "oci-dir:$dir" \
        -o "cyclonedx-json=$work/syft.json" -q
    for tool in shipshape trivy syft; do
        app_components "$work/$tool.json" >"$work/$tool.tsv"
    done
    echo
    echo "## $name"
    echo
    echo "| purl | shipshape | trivy | syft |"
    echo "|---|---|---|---|"
    cut -f1 "$work"/{shipshape,trivy,syft}.tsv | sort -u | while read -r purl; do
        row="| \`$purl\` |"
        for tool in shipshape trivy syft; do
            paths=$(awk -F'\t' -v p="$purl" '$1 == p {print ($2 == "" ? "yes" : $2)}' "$work/$tool.tsv" | paste -sd' ' -)
            row="$row ${paths:--} |"
        done
        echo "$row"
    done
done
