#!/usr/bin/env bash
# Starts HL7's FHIR validator (tools/validator), building it first if needed.
# Reads one JSON request per line on stdin, answers one JSON line on stdout
# (see src/main/java/org/chtfhir/validator/Main.java); prints {"ready":true}
# once the core definitions are loaded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/build.sh"
exec java ${VALIDATOR_JAVA_OPTS:--Xmx1g} -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.chtfhir.validator.Main "$@"
