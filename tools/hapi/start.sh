#!/usr/bin/env bash
# Starts the HAPI FHIR JPA server (R4) at http://127.0.0.1:<port>/fhir,
# building it first if needed. Options (also as environment variables):
#   --port=8080                 (HAPI_PORT; 0 = any free port, printed on stdout)
#   --host=127.0.0.1            (HAPI_HOST)
#   --database=mem|<path>       (HAPI_DATABASE; a path keeps the data in H2 files)
#   --enforce-referential-integrity-on-write=true|false
#                               (HAPI_FHIR_ENFORCE_REFERENTIAL_INTEGRITY_ON_WRITE)
# Ready when GET /fhir/metadata answers 200.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/build.sh"
exec java ${HAPI_JAVA_OPTS:--Xmx1g} -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.chtfhir.hapi.Main "$@"
