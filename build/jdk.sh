# Selects a JDK 21 or newer into JAVA_HOME/PATH (sourced by build scripts and .ci/run).
jdk_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(jdk_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
  JAVA_HOME=
  for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V); do
    d=${d%/}
    [ -x "$d/bin/javac" ] && [ "$(jdk_major "$d")" -ge 21 ] 2>/dev/null && JAVA_HOME=$d
  done
  [ -n "$JAVA_HOME" ] || { echo "error: no JDK 21+ found under /usr/lib/jvm. Install one (for example 'apt-get install openjdk-21-jdk-headless' or Temurin 21/25) or set JAVA_HOME." >&2; exit 1; }
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
