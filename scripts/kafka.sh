#!/usr/bin/env bash
# Fetches, caches, starts and stops a real single-node Apache Kafka broker (KRaft mode: broker and
# controller in one JVM) on 127.0.0.1, without Docker: the jars come from Maven Central and run
# on the machine's Java (17 or later).
#
#   bash scripts/kafka.sh build    # fetch the jars if not cached; prints the folder holding them
#   bash scripts/kafka.sh start    # fetch if needed, format the data folder once, start, wait for the port
#   bash scripts/kafka.sh stop     # stop the broker started by `start` (its data stays for a restart)
#   bash scripts/kafka.sh status   # "running pid=... bootstrap=..." (exit 0) or "stopped" (exit 3)
#   bash scripts/kafka.sh path     # prints where the jars are (or would be); never fetches
#   bash scripts/kafka.sh clean    # stop, then delete the run folder (data and log)
#
# The jars: a throwaway Maven project under ~/.cache/stepmark-otel/kafka-build-<version>/ depends on
# org.apache.kafka:kafka_2.13:<version> (the broker) and Log4j's SLF4J binding, and Maven copies
# them with their runtime dependencies into ~/.cache/stepmark-otel/kafka-<version>/libs/.
#
# Environment:
#   STEPMARK_KAFKA_VERSION          Kafka release (default below); keys the cache
#   STEPMARK_KAFKA_CACHE            cache root (default ~/.cache/stepmark-otel)
#   STEPMARK_KAFKA_RUN              run folder: config, data, pid file and log (default /tmp/stepmark-kafka)
#   STEPMARK_KAFKA_PORT             the client listener (default 9092)
#   STEPMARK_KAFKA_CONTROLLER_PORT  the KRaft controller listener (default 9093)
#   STEPMARK_KAFKA_START_TIMEOUT    seconds to wait for the broker on start (default 90)
#   STEPMARK_KAFKA_HEAP             JVM heap (default 512m)
set -euo pipefail

version="${STEPMARK_KAFKA_VERSION:-4.4.0}"
log4j_version=2.25.5 # the Log4j of Kafka 4.4.0's own dependencies
cache_root="${STEPMARK_KAFKA_CACHE:-$HOME/.cache/stepmark-otel}"
libs="$cache_root/kafka-$version/libs"
build_dir="$cache_root/kafka-build-$version"
run_dir="${STEPMARK_KAFKA_RUN:-/tmp/stepmark-kafka}"
port="${STEPMARK_KAFKA_PORT:-9092}"
controller_port="${STEPMARK_KAFKA_CONTROLLER_PORT:-9093}"
host=127.0.0.1
pid_file="$run_dir/kafka.pid"
log_file="$run_dir/kafka.log"
config="$run_dir/server.properties"

die() { echo "kafka.sh: $*" >&2; exit 1; }
# shellcheck source=lib/pidfile.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pidfile.sh"

build() {
  if [[ -f "$libs/.complete" ]]; then
    echo "$libs"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is not installed (needed to fetch Kafka $version from Maven Central)"
  command -v java >/dev/null 2>&1 || die "Java is not installed (Kafka $version needs Java 17 or later)"
  mkdir -p "$build_dir"
  cat >"$build_dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>stepmark-otel</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>$version</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$version</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$log4j_version</version>
    </dependency>
  </dependencies>
</project>
EOF
  local log="$build_dir/build.log" start=$SECONDS tmp="$libs.tmp.$$"
  rm -rf "$tmp"
  if ! (cd "$build_dir" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp") >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -rf "$tmp"
    die "could not fetch org.apache.kafka:kafka_2.13:$version from Maven Central (log: $log)"
  fi
  rm -rf "$libs"
  mkdir -p "$(dirname "$libs")"
  mv "$tmp" "$libs"
  touch "$libs/.complete"
  echo "kafka.sh: fetched Kafka $version ($(find "$libs" -name '*.jar' | wc -l) jars) in $((SECONDS - start))s" >&2
  echo "$libs"
}

running_pid() { pid_running "$pid_file"; }

write_config() {
  mkdir -p "$run_dir/data"
  cat >"$config" <<EOF
# Written by scripts/kafka.sh: one node, broker and KRaft controller, on $host only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$controller_port
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$run_dir/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$run_dir/log4j2.properties" <<EOF
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=out
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
EOF
}

java_opts=("-Xmx${STEPMARK_KAFKA_HEAP:-512m}" -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$run_dir/log4j2.properties" -cp "$libs/*")

port_open() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

start() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka already running pid=$pid bootstrap=$host:$port"
    return 0
  fi
  for p in "$port" "$controller_port"; do
    port_open "$p" && die "port $host:$p is already in use (another Kafka? try: $0 stop, or set STEPMARK_KAFKA_PORT and STEPMARK_KAFKA_CONTROLLER_PORT)"
  done
  build >/dev/null
  write_config
  : >"$log_file"
  # Format the data folder once; a restart keeps the topics and offsets.
  if [[ ! -f "$run_dir/data/meta.properties" ]]; then
    local id
    id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>>"$log_file" | tail -n 1)"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$id" -c "$config" >>"$log_file" 2>&1 ||
      { tail -n 20 "$log_file" >&2; die "could not format $run_dir/data (log: $log_file)"; }
  fi
  nohup java "${java_opts[@]}" kafka.Kafka "$config" >>"$log_file" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  local timeout="${STEPMARK_KAFKA_START_TIMEOUT:-90}" deadline=$((SECONDS + ${STEPMARK_KAFKA_START_TIMEOUT:-90}))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      tail -n 30 "$log_file" >&2
      die "kafka exited during start (log: $log_file)"
    fi
    # The client port opens once the broker has registered with its controller.
    if port_open "$port" && grep -q 'Kafka Server started' "$log_file"; then
      echo "kafka started pid=$pid version=$version bootstrap=$host:$port log=$log_file"
      return 0
    fi
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  tail -n 30 "$log_file" >&2
  die "kafka did not start within ${timeout}s (log: $log_file)"
}

# A broker writes its logs out before it exits: give it 30 s before SIGKILL.
stop() { pid_stop "$pid_file" kafka 300; }

status() { pid_status "$pid_file" kafka "version=$version bootstrap=$host:$port"; }

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  path) echo "$libs" ;;
  clean)
    stop
    rm -rf "$run_dir"
    ;;
  *)
    echo "usage: $0 build|start|stop|status|path|clean" >&2
    exit 2
    ;;
esac
