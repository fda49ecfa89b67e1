#!/usr/bin/env bash
# Everything the Spark target needs on this machine, built locally (no Maven access needed):
#   1. Debian's libjarjar-java (to relocate classes inside a jar), installed if missing;
#   2. a Java 17 runtime (checked, not installed);
#   3. the Python packages of the `spark` dependency group in .venv (synced if missing);
#   4. the Iceberg Spark runtime jar, patched: the jar shipped in the PyPI package
#      snowpark-connect-deps-iceberg lacks the relocated Jackson classes it refers to
#      (org.apache.iceberg.shaded.com.fasterxml.jackson.*); they are made here from
#      pyspark's own Jackson jars and added to a copy of the runtime jar.
# The jar goes to <WAREHOUSE_DATA_DIR or data>/spark/jars/ (never into version control);
# WAREHOUSE_SPARK_JARS points Spark at it. Idempotent: a second run changes nothing.
# Machines with Maven access can skip the jar and use spark.jars.packages instead (docs/spark.md).
set -euo pipefail
cd "$(dirname "$0")/.."

ICEBERG_JAR_NAME="iceberg-spark-runtime-3.5_2.12-1.10.2.jar"
PATCHED_JAR_NAME="iceberg-spark-runtime-3.5_2.12-1.10.2-jackson.jar"
JACKSON_JARS=(jackson-core jackson-databind jackson-annotations)
PY="${WAREHOUSE_SPARK_PYTHON:-.venv/bin/python}"
DATA_DIR="${WAREHOUSE_DATA_DIR:-data}"
JAR_DIR="$(mkdir -p "$DATA_DIR/spark/jars" && cd "$DATA_DIR/spark/jars" && pwd)"
OUT="$JAR_DIR/$PATCHED_JAR_NAME"

say() { echo "setup-spark: $*"; }
fail() { echo "setup-spark: error: $*" >&2; exit 1; }

# 1. jarjar
if dpkg-query -W -f='${Status}' libjarjar-java 2>/dev/null | grep -q "install ok installed"; then
    say "libjarjar-java present"
else
    command -v apt-get >/dev/null 2>&1 || fail "libjarjar-java is missing and apt-get is not available"
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || fail "libjarjar-java is missing; run this script as root"
        sudo_cmd=(sudo)
    fi
    say "installing libjarjar-java"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends libjarjar-java >/dev/null \
        || { "${sudo_cmd[@]}" apt-get update -qq \
             && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends libjarjar-java >/dev/null; }
fi
JARJAR=/usr/share/java/jarjar.jar
[ -f "$JARJAR" ] || fail "$JARJAR not found after installing libjarjar-java"

# 2. Java 17
command -v java >/dev/null 2>&1 || fail "no java on PATH; Spark 3.5 needs a Java 17 runtime (apt-get install openjdk-17-jre-headless)"
java_version="$(java -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')"
[ "$java_version" = "17" ] || fail "java $java_version found; Spark 3.5 here is tested with Java 17"
say "java $java_version present"

# 3. Python packages of the spark group (located without importing them: imports are slow)
locate_jars() {
    "$PY" -c '
import importlib.util as u, os
specs = [u.find_spec(m) for m in ("pyspark", "snowpark_connect_deps_iceberg", "dbt.adapters.spark")]
if all(specs):
    print(*(os.path.join(os.path.dirname(s.origin), "jars") for s in specs[:2]))
' 2>/dev/null || true
}
read -r PYSPARK_JARS ICEBERG_DIR < <(locate_jars) || true
if [ -z "${ICEBERG_DIR:-}" ]; then
    UV="$(command -v uv || echo "$HOME/.local/bin/uv")"
    say "syncing the spark dependency group into .venv"
    UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --inexact --python python3 --group spark
    read -r PYSPARK_JARS ICEBERG_DIR < <(locate_jars) || true
    [ -n "${ICEBERG_DIR:-}" ] || fail "pyspark, dbt-spark or snowpark-connect-deps-iceberg missing in $PY"
fi
say "python packages present"
SOURCE_JAR="$ICEBERG_DIR/$ICEBERG_JAR_NAME"
[ -f "$SOURCE_JAR" ] || fail "$SOURCE_JAR not found in the snowpark-connect-deps-iceberg package"

# 4. the patched runtime jar (rebuilt only when missing or older than its inputs)
inputs=("$SOURCE_JAR")
for name in "${JACKSON_JARS[@]}"; do
    found=("$PYSPARK_JARS/$name"-2.*.jar)
    [ -f "${found[0]}" ] || fail "$name jar not found in $PYSPARK_JARS"
    inputs+=("${found[0]}")
done
fresh=1
if [ -f "$OUT" ]; then
    for f in "${inputs[@]}"; do [ "$f" -nt "$OUT" ] && fresh=0; done
else
    fresh=0
fi
if [ "$fresh" = 1 ]; then
    say "patched Iceberg runtime up to date: $OUT"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    echo 'rule com.fasterxml.jackson.** org.apache.iceberg.shaded.com.fasterxml.jackson.@1' \
        > "$work/rules.txt"
    mkdir -p "$work/classes"
    for jar in "${inputs[@]:1}"; do
        base="$(basename "$jar" .jar)"
        # multi-release variants (META-INF/versions/*) would collide once relocated; the
        # base classes run on Java 17
        cp "$jar" "$work/$base.jar"
        zip -q -d "$work/$base.jar" 'META-INF/versions/*' >/dev/null 2>&1 || true
        java -jar "$JARJAR" process "$work/rules.txt" "$work/$base.jar" "$work/$base-relocated.jar"
        (cd "$work/classes" && unzip -q -o "$work/$base-relocated.jar" 'org/*')
    done
    cp "$SOURCE_JAR" "$work/patched.jar"
    (cd "$work/classes" && zip -q -r "$work/patched.jar" org)
    mv "$work/patched.jar" "$OUT"
    classes="$(unzip -l "$OUT" | grep -c 'org/apache/iceberg/shaded/com/fasterxml/jackson/.*\.class' || true)"
    say "built $OUT ($classes relocated Jackson classes added to $ICEBERG_JAR_NAME)"
fi
echo "export WAREHOUSE_SPARK_JARS=$OUT"
