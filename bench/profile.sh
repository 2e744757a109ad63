#!/bin/sh
# JFR profiles of the bench rows that miss issue 12's targets, on the code as built:
#   bench/profile.sh [out-dir]        (default bench/target/profiles; bench.jar must be built first)
# Each row is run on its own in a fresh JVM with the JDK's "profile" settings and Java and native
# method sampling every millisecond; each recording is summarised per thread group
# (org.rawsockets.bench.JfrSummary: share of samples, methods on top of the stack and anywhere on it)
# into <out-dir>/profiles.txt, the .jfr files kept beside it (open them in JDK Mission Control).
# About 4 minutes on 2 cores. Run it on an otherwise idle machine: other load lands in the profiles.
set -e
cd "$(dirname "$0")/.."
out=${1:-bench/target/profiles}
jar=bench/target/bench.jar
if [ ! -f "$jar" ]; then
  echo "$jar missing: build it with ./mvnw -B -q -DskipTests -pl bench -am package" >&2
  exit 2
fi
mkdir -p "$out"
jfc="$out/sampling-1ms.jfc"
sed -e 's|<setting name="period" control="method-sampling-java-interval">[^<]*<|<setting name="period" control="method-sampling-java-interval">1 ms<|' \
    -e 's|<setting name="period" control="method-sampling-native-interval">[^<]*<|<setting name="period" control="method-sampling-native-interval">1 ms<|' \
    "$(dirname "$(readlink -f "$(command -v java)")")/../lib/jfr/profile.jfc" > "$jfc"
report="$out/profiles.txt"
{
  echo "JFR profiles of issue 12's missed rows, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "$(java -version 2>&1 | head -1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: the JDK's profile.jfc, Java and native method sampling every 1 ms; one fresh JVM per row"
} > "$report"

# profile <name> <what it measures> <bench.jar arguments...>
profile() {
  name=$1
  what=$2
  shift 2
  echo "profiling $name: $what" >&2
  java -Xms1g -Xmx1g -XX:StartFlightRecording=filename="$out/$name.jfr",settings="$jfc" \
    -jar "$jar" "$@" > "$out/$name.out" 2>&1
  {
    echo
    echo "######## $name: $what"
    echo "command: bench.jar $*"
    grep -E '^(TcpSocket|raw MINA|Netty|engine|window|1 |this client|rawsockets|Angus)' "$out/$name.out" | head -12 || true
    java -cp "$jar" org.rawsockets.bench.JfrSummary "$out/$name.jfr"
  } >> "$report"
}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
down="--tests throughput --direction download --mib 2048 --warmup 1 --rounds 4"
up="--tests throughput --direction upload --mib 2048 --warmup 1 --rounds 4"
profile download-async "CPU and MiB/s download, async read()" socket --only tcpsocket $down
profile download-byob "CPU download, BYOB readInto" socket --only byob $down
profile download-views "CPU download, blocking views" socket --only streams $down
profile download-netty "the baseline of the three above" socket --only netty $down
profile upload-byob "CPU upload, BYOB client" socket --only byob $up
profile upload-netty "the baseline of the upload row" socket --only netty $up
profile tls "TLS bulk and full handshakes, engine and Netty SslHandler in one JVM" tls 5 TLSv1.3 256 3 0
profile modbus "Modbus FC3 window 1, this client and j2mod in one JVM" modbus --window 1
profile smtp "SMTP PIPELINING + DATA, this client and Angus Mail in one JVM" smtp
echo "written: $report" >&2
