#!/usr/bin/env bash
# load-test/jar-of.sh COMMIT: the app jar (fanout.jar) of COMMIT, for side-by-side runs against the working
# tree's jar, e.g.
#   JARS="$(load-test/jar-of.sh 00f8666) app/target/fanout.jar" load-test/capacity.sh
# Builds COMMIT in a temporary git worktree (tests skipped; nothing is installed into ~/.m2) and keeps the
# jar in a cache, ${FANOUT_JAR_CACHE:-~/.cache/fanout/jars}/<full commit id>.jar, so a second call costs
# nothing. A commit whose build writes a class-data archive (app/target/fanout.jsa) gets one beside the cached
# jar, <full commit id>.jsa, made by a training run of the cached jar itself (an archive is bound to its jar's
# path). Prints the jar's path on stdout and nothing else; the build's output goes to stderr.
set -euo pipefail
commit=${1:?usage: load-test/jar-of.sh COMMIT (a commit id, tag or branch of this repository)}
cd "$(dirname "$0")/.."
sha=$(git rev-parse --verify --quiet "$commit^{commit}") || { echo "jar-of: no commit '$commit' here" >&2; exit 2; }
cache=${FANOUT_JAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fanout/jars}
jar="$cache/$sha.jar"
if [ -s "$jar" ]; then
  echo "$jar"
  exit 0
fi
mkdir -p "$cache"
tree=$(mktemp -d "${TMPDIR:-/tmp}/fanout-jar-of.XXXXXX")
cleanup() {
  git worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"
  git worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT
echo "jar-of: building ${sha:0:12} in a temporary worktree" >&2
git worktree add --detach --quiet "$tree" "$sha" >&2
(cd "$tree" && ./mvnw -B -q -pl app -am package -DskipTests) >&2
built="$tree/app/target/fanout.jar"
[ -s "$built" ] || { echo "jar-of: ${sha:0:12} built no app/target/fanout.jar" >&2; exit 1; }
# copied under a temporary name first: a concurrent call never sees half a jar
cp "$built" "$jar.$$.tmp"
mv "$jar.$$.tmp" "$jar"
if [ -s "$tree/app/target/fanout.jsa" ]; then
  # the same training run as app/pom.xml's, on the cached jar
  java "-XX:ArchiveClassesAtExit=$cache/$sha.jsa" -Dfanout.cds-training=true -jar "$jar" --port 0 \
    --data-dir "$tree/cds-training" > "$tree/cds-training.log" 2>&1 \
    || { echo "jar-of: the training run of ${sha:0:12} failed; no archive" >&2; rm -f "$cache/$sha.jsa"; }
fi
echo "$jar"
