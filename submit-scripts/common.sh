# Shared by the launchers: builds the project when its jar is missing or older than the sources,
# gathers the runtime classpath (Spark's jars come from Maven; no Spark install needed), and keeps
# the driver on the loopback address for local masters.
# shellcheck shell=bash
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_JAR="$PROJECT_DIR/target/spark-nmf.jar"
LIB_DIR="$PROJECT_DIR/target/lib"

# The JVM flags Spark needs on Java 17 outside spark-submit.
SPARK_JVM_FLAGS=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true)

# ensure_built [jar]: builds when spark-nmf.jar (and, without "jar", target/lib) is missing, or
# when the sources (if present) are newer than the jar.
ensure_built() {
  local stale=0
  if [ ! -f "$APP_JAR" ] || { [ "${1:-}" != jar ] && [ ! -d "$LIB_DIR" ]; }; then
    stale=1
  elif [ -d "$PROJECT_DIR/src/main" ] \
      && [ -n "$(find "$PROJECT_DIR/src/main" "$PROJECT_DIR/pom.xml" -newer "$APP_JAR" -print -quit)" ]; then
    stale=1
  fi
  if [ "$stale" = 1 ]; then
    echo "Building spark-nmf (mvn package)..." >&2
    # package also copies Spark's jars (the provided dependencies) into target/lib.
    (cd "$PROJECT_DIR" && mvn -q -B -ntp package -DskipTests) >&2
  fi
}

runtime_classpath() {
  local cp="$APP_JAR"
  for jar in "$LIB_DIR"/*.jar; do cp="$cp:$jar"; done
  echo "$cp"
}

# die MESSAGE...: the launcher's name and MESSAGE on stderr, then exit code 2 (bad usage).
die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# loopback_driver MASTER: with a local master (local[...], local-cluster[...], or a standalone one
# on 127.0.0.1/localhost) and no SPARK_LOCAL_IP, bind the driver to 127.0.0.1 so that executors of
# submit-scripts/local-cluster reach it there (and Spark does not warn about the hostname).
loopback_driver() {
  case "${1:-}" in
    local|local\[*|local-cluster\[*|spark://127.0.0.1:*|spark://localhost:*)
      export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" ;;
  esac
}
