#!/usr/bin/env bash
# Builds what tools/openhim/launch.js runs: the in-memory MongoDB (Maven, from
# Maven Central, into tools/openhim/.m2) and openhim-core 4.0.5 (npm ci from the
# npm registry into tools/openhim/node_modules, by package-lock.json). Every
# download stays inside the clone (gitignored). Does nothing when both are
# newer than their sources.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$here/target/classpath.txt"
if [ ! -f "$stamp" ] || [ -n "$(find "$here/pom.xml" "$here/src" -newer "$stamp" -print -quit)" ]; then
  started=$(date +%s)
  mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$here/.m2" -f "$here/pom.xml" package -DskipTests
  touch "$stamp"
  echo "tools/openhim: mongo built in $(( $(date +%s) - started )) s" >&2
fi
npm_stamp="$here/node_modules/.package-lock.json"
if [ ! -f "$npm_stamp" ] || [ "$here/package-lock.json" -nt "$npm_stamp" ]; then
  started=$(date +%s)
  # --ignore-scripts: core-js's postinstall only prints a banner; nothing else has install scripts.
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
  echo "tools/openhim: openhim-core installed in $(( $(date +%s) - started )) s" >&2
fi
