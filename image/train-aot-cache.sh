#!/usr/bin/env bash
# Trains the AOT caches (JDK 25, JEP 483/514/515) the image ships next to the sidecar's and the sample store's jars,
# so a brand-new pod's JVMs start with their classes loaded, linked and profiled, as a restart would.
# A cache is only used by the JVM that made it with the same class path, so the training runs in a copy of the image's
# root file system (the jlinked JRE, the jars at their image paths, Jib's file times), chrooted as a kubelet runs a
# container, in a network namespace of its own (fixed ports clash with nothing, nothing leaves the machine).
# Workload: the start a new standby takes after a node failure. The trained sidecar is a Kubernetes-controlled standby
# that takes its role from the assignment file, recovers its log, listens, follows a primary sidecar (untrained,
# standalone) through the peer handshake and the stream of a few hundred writes, and reaches its API server over TLS
# (image/TrainingApiServer.java, run by the build's JDK: its pod, a watch, its report's patch); the trained store is
# that primary's application, which takes the writes over HTTP and sends them through the local API. Both exit on
# SIGTERM, which writes the caches.
# Usage: train-aot-cache.sh JRE_ROOT SIDECAR_TARGET KVSTORE_TARGET OUT_DIR "JAVA_OPTIONS" BUILD_JAVA_HOME
#   The targets hold the jars as image/pom.xml takes them (ou-sidecar.jar, kvstore.jar, lib/*.jar); OUT_DIR gets
#   sidecar/ou-sidecar.aot and samples/kvstore.aot, kept while the JRE, the jars, the options and this script are the
#   same (a stamp of their digests). Needs unshare, chroot and ip (root, or a user namespace); without them it says so
#   and makes no cache: the image is then the same, its JVMs only start colder (the JVM runs on without a cache file).
set -euo pipefail
jre_root=$1
sidecar_target=$2
kvstore_target=$3
out=$4
java_options=$5
build_java=$6/bin/java

if [ "${OU_IMAGE_SKIP_AOT:-0}" = 1 ]; then
  echo "aot-cache: skipped (OU_IMAGE_SKIP_AOT=1): the image's JVMs will start cold"
  rm -rf "$out" && mkdir -p "$out"
  exit 0
fi
stamp=$( (cat "${BASH_SOURCE[0]}" "$(dirname "${BASH_SOURCE[0]}")/TrainingApiServer.java" "$jre_root/opt/java/openjdk/lib/modules" "$sidecar_target"/ou-sidecar.jar \
  "$sidecar_target"/lib/*.jar "$kvstore_target"/kvstore.jar "$kvstore_target"/lib/*.jar; echo "$java_options") \
  | sha256sum | cut -d' ' -f1)
if [ -s "$out/sidecar/ou-sidecar.aot" ] && [ -s "$out/samples/kvstore.aot" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "aot-cache: up to date in $out"
  exit 0
fi
rm -rf "$out"

for t in unshare chroot ip mount curl; do
  command -v "$t" >/dev/null || {
    echo "aot-cache: WARNING: no $t here, so no AOT cache: the image's sidecar starts cold (install util-linux, iproute2 and curl)" >&2
    mkdir -p "$out"
    exit 0
  }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
cp -a "$jre_root" "$root"
mkdir -p "$root/deployments" "$root/proc" "$root/dev" "$root/var/run/ou" "$root/train"
mkdir -p "$root/deployments/sidecar/lib" "$root/deployments/samples/lib"
cp "$sidecar_target/ou-sidecar.jar" "$root/deployments/sidecar/"
cp "$sidecar_target"/lib/*.jar "$root/deployments/sidecar/lib/"
cp "$kvstore_target/kvstore.jar" "$root/deployments/samples/"
cp "$kvstore_target"/lib/*.jar "$root/deployments/samples/lib/"
# Jib gives every file of the image this time (1970-01-01T00:00:01Z); the JVM compares the jars it finds with the ones
# the cache was made from.
find "$root/opt" "$root/deployments" -exec touch -h -d @1 {} +
for d in null zero random urandom; do touch "$root/dev/$d"; done
chmod 1777 "$root/train" "$root/tmp"
head -c 32 /dev/urandom > "$root/train/key"
chmod 644 "$root/train/key"
echo '{"role":"Standby","epoch":1,"peer":"127.0.0.1:17480","mode":"Synchronous"}' > "$root/train/assignment"
echo "training-token" > "$root/train/token"
# The training API server's own certificate is the cluster's CA.
"$jre_root/opt/java/openjdk/bin/keytool" -genkeypair -keystore "$work/ca.p12" -storepass training -alias ca \
  -keyalg EC -dname CN=training-api -ext san=ip:127.0.0.1 -validity 2 > /dev/null 2>&1
"$jre_root/opt/java/openjdk/bin/keytool" -exportcert -rfc -keystore "$work/ca.p12" -storepass training -alias ca \
  > "$root/train/ca.crt" 2>/dev/null

cp "$(dirname "${BASH_SOURCE[0]}")/TrainingApiServer.java" "$work/"
cat > "$work/inside.sh" <<'INSIDE'
set -euo pipefail
root=$1 java_options=$2 userspec=$3 build_java=$4 work=$5
ip link set lo up
mount -t proc proc "$root/proc"
for d in null zero random urandom; do mount --bind "/dev/$d" "$root/dev/$d"; done
chroot=$(command -v chroot)
user=()
[ -z "$userspec" ] || user=(--userspec="$userspec")
run() { # run NAME ENV... -- ARGS...: one chrooted JVM in the background, its output in /train/NAME.log
  local name=$1; shift
  local envs=(); while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  env -i PATH=/opt/java/openjdk/bin LANG=C.UTF-8 JAVA_HOME=/opt/java/openjdk "${envs[@]}" \
    "$chroot" "${user[@]}" "$root" /opt/java/openjdk/bin/java "$@" > "$root/train/$name.log" 2>&1 &
}
wait_for() { # wait_for PID FILE TEXT SECONDS
  local i=0
  until grep -q "$3" "$2" 2>/dev/null; do
    i=$((i + 1)); [ $i -le $(($4 * 20)) ] && kill -0 "$1" 2>/dev/null || { echo "aot-cache: no '$3' in $2 (within $4 s, or it exited); the logs:" >&2; tail -n 30 "$root"/train/*.log >&2; return 1; }
    sleep 0.05
  done
}
"$build_java" "$work/TrainingApiServer.java" 17443 "$work/ca.p12" training "$(cat "$root/train/assignment")" \
  > "$root/train/api.log" 2>&1 &
wait_for $! "$root/train/api.log" "training API server on" 60
common=(OU_DATA_DURABILITY=required OU_MODE=Synchronous OU_PEER_KEY_FILE=/train/key OU_FSYNC=always)
run standby "${common[@]}" "JAVA_TOOL_OPTIONS=$java_options -XX:AOTCacheOutput=/train/ou-sidecar.aot" \
  OU_CONTROL=kubernetes OU_NAMESPACE=training OU_POD_NAME=train-1 OU_UNIT=train OU_POD_IP=127.0.0.1 \
  OU_DATA_DIR=/train/standby OU_REPLICATION_ADDRESS=127.0.0.1:17480 OU_LOCAL_API_ADDRESS=127.0.0.1:17481 \
  OU_HEALTH_ADDRESS=127.0.0.1:17482 OU_ASSIGNMENT_FILE=/train/assignment OU_API_SERVER=https://127.0.0.1:17443 \
  OU_API_TOKEN_FILE=/train/token OU_API_CA_FILE=/train/ca.crt -- -jar /deployments/sidecar/ou-sidecar.jar
standby=$!
run primary "${common[@]}" "JAVA_TOOL_OPTIONS=$java_options" OU_CONTROL=standalone OU_ROLE=Primary OU_EPOCH=1 \
  OU_PEER_ENDPOINT=127.0.0.1:17480 OU_MEMBER_NAME=train-0 OU_DATA_DIR=/train/primary \
  OU_REPLICATION_ADDRESS=127.0.0.1:27480 OU_LOCAL_API_ADDRESS=127.0.0.1:27481 OU_HEALTH_ADDRESS=127.0.0.1:27482 \
  -- -jar /deployments/sidecar/ou-sidecar.jar
primary=$!
run kvstore "JAVA_TOOL_OPTIONS=$java_options -XX:AOTCacheOutput=/train/kvstore.aot" OU_MEMBER_NAME=train-0 \
  KVSTORE_LISTEN=127.0.0.1:28080 OU_LOCAL_API_ADDRESS=127.0.0.1:27481 KVSTORE_DRAIN_MAX=0s \
  -- -jar /deployments/samples/kvstore.jar
kvstore=$!
# The standby's primary streaming to it first (the path a Synchronous unit waits for), then the writes; it reports
# itself started once it has also read its pod through the API server.
wait_for "$primary" "$root/train/primary.log" "streaming from" 60
ok=0
for i in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X PUT --data "value-$i" "http://127.0.0.1:28080/kv/key-$((i % 50))" || true)
  [ "$code" != 200 ] || ok=$((ok + 1))
  [ $ok -gt 0 ] || sleep 0.05
done
curl -s -m 5 http://127.0.0.1:17482/status > /dev/null || true
wait_for "$standby" "$root/train/standby.log" "ou-sidecar started" 30
echo "aot-cache: training: $ok of 300 writes acknowledged through the trained store and standby"
[ $ok -gt 0 ] || { echo "aot-cache: no write was acknowledged; the logs:" >&2; tail -n 30 "$root"/train/*.log >&2; exit 1; }
kill -TERM "$kvstore" "$standby"
wait "$kvstore" "$standby" || true
kill -TERM "$primary"; wait "$primary" || true
INSIDE
# As the image's user (1001) when run as root; in a user namespace of its own otherwise (then as its root).
if [ "$(id -u)" = 0 ]; then
  unshare --net --mount --pid --fork --kill-child bash "$work/inside.sh" "$root" "$java_options" 1001:1001 "$build_java" "$work"
else
  unshare --user --map-root-user --net --mount --pid --fork --kill-child bash "$work/inside.sh" "$root" "$java_options" "" "$build_java" "$work"
fi

for cache in sidecar/ou-sidecar.aot:ou-sidecar.aot samples/kvstore.aot:kvstore.aot; do
  [ -s "$root/train/${cache#*:}" ] || {
    echo "aot-cache: the training wrote no ${cache#*:}; the logs:" >&2; tail -n 30 "$root"/train/*.log >&2; exit 1; }
  mkdir -p "$out/$(dirname "${cache%%:*}")"
  cp "$root/train/${cache#*:}" "$out/${cache%%:*}"
done
echo "$stamp" > "$out/stamp"
echo "aot-cache: $(du -sh "$out" | cut -f1) in $out ($(cd "$out" && find . -name '*.aot' | tr '\n' ' '))"
