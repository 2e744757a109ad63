#!/bin/sh
# Runs a bench suite from the shaded jar: bench/run.sh [socket|modbus|smtp|print|all] [suite options]
# Build first (from the repository root): ./mvnw -B -q -DskipTests -pl bench -am package
# The socket suite holds 10,000 idle connections in this JVM (the peer's ends live in a child JVM),
# so the soft file-descriptor limit is raised to the hard limit here.
set -e
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "warning: open-file limit $(ulimit -n) < 12000; the idle-connection test needs ~10,100 (use --idle N to lower it)" >&2
fi
if [ ! -f bench/target/bench.jar ]; then
  echo "bench/target/bench.jar missing: build it with ./mvnw -B -q -DskipTests -pl bench -am package" >&2
  exit 2
fi
[ $# -eq 0 ] && set -- socket
exec java -Xms1g -Xmx1g -jar bench/target/bench.jar "$@"
