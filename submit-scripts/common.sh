# Shared by the launchers: builds the project when its jar is missing or older than the sources,
# and gathers the runtime classpath (Spark's jars come from Maven; no Spark install needed).
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

ensure_built() {
  local stale=0
  if [ ! -f "$APP_JAR" ] || [ ! -d "$LIB_DIR" ]; then
    stale=1
  elif [ -n "$(find "$PROJECT_DIR/src/main" "$PROJECT_DIR/pom.xml" -newer "$APP_JAR" -print -quit)" ]; then
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
