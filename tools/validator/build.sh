#!/usr/bin/env bash
# Builds the HL7 validator tool (tools/validator) with Maven, from Maven Central.
# Every download goes to tools/validator/.m2 inside the clone (gitignored): nothing
# is cached outside it. Does nothing when the build is newer than its sources
# and its classpath (absolute paths) still points inside this clone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$here/target/classpath.txt"
if [ -f "$stamp" ] && [ -z "$(find "$here/pom.xml" "$here/src" -newer "$stamp" -print -quit)" ] && grep -q "^$here/.m2/" "$stamp"; then
  exit 0
fi
started=$(date +%s)
mvn -B -q -Dmaven.repo.local="$here/.m2" -f "$here/pom.xml" package
touch "$stamp"
echo "tools/validator built in $(( $(date +%s) - started )) s" >&2
