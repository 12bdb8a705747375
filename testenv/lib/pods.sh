# Pods that really run (up --run-pods): the process kubelet (testenv/kubelet) runs the pods of its own nodes as
# processes from the project's image, and the faults a machine has. Sourced by testenv/local-cluster after cluster.sh.

KUBELET_JAR="$REPO_ROOT/testenv/kubelet/target/ou-kubelet.jar"
IMAGE_TAR="$REPO_ROOT/image/target/jib/ou-operator-image.tar"
kubelet_dir() { echo "$WORKDIR/process-kubelet"; }
kubelet_pid() { local f; f="$(kubelet_dir)/pid"; [ -f "$f" ] && pid_alive "$(cat "$f")" && cat "$f"; }
runs_pods() { [ -f "$(kubelet_dir)/control-address" ] && kubelet_pid >/dev/null; }

# 10.X.0.0/16 for the pods, X from the cluster's name, so two clusters on one machine do not share a network.
pod_network() { echo $((200 + $(printf '%s' "$NAME" | cksum | cut -d' ' -f1) % 50)); }

require_pod_tools() {
  [ "$(id -u)" = 0 ] || die "--run-pods needs root: each pod gets a network namespace, mounts and a chroot into the image"
  local t
  for t in ip unshare chroot socat mount; do
    command -v "$t" >/dev/null 2>&1 || die "--run-pods needs '$t' (build/setup installs socat and iproute2)"
  done
}

# The kubelet's jar and the image it runs, built from this checkout when missing (a few minutes the first time).
ensure_pod_artifacts() {
  if [ ! -f "$KUBELET_JAR" ] || [ ! -f "$IMAGE_TAR" ]; then
    log "building the process kubelet and the project's image (build/mvn -Pimage package; a few minutes the first time)"
    local out="$CACHE_ROOT/config/$NAME.pods-build.log"
    "$REPO_ROOT/build/mvn" -q -Pimage -DskipTests package -pl image,testenv/kubelet -am >"$out" 2>&1 \
      || { tail -n 30 "$out" >&2; die "building the process kubelet or the image failed (log: $out)"; }
  fi
}

start_process_kubelet() {
  require_pod_tools
  ensure_pod_artifacts
  local dir; dir=$(kubelet_dir)
  if runs_pods; then log "process kubelet already runs (pid $(kubelet_pid))"; return 0; fi
  mkdir -p "$dir" "$WORKDIR/logs"
  rm -f "$dir/control-address"
  . "$REPO_ROOT/build/jdk.sh"
  log "starting the process kubelet: nodes ou-node-0..$((NODES - 1)), pods on 10.$(pod_network).0.0/16 (log: $WORKDIR/logs/process-kubelet.log)"
  setsid "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx256m --sun-misc-unsafe-memory-access=allow -jar "$KUBELET_JAR" --kubeconfig "$KUBECONFIG_PATH" --work-dir "$dir" \
    --image-tar "$IMAGE_TAR" --nodes "$NODES" --zones "$(IFS=,; echo "${ZONES[*]}")" --pod-network "$(pod_network)" \
    --lease-seconds "$NODE_LEASE_SECONDS" --cluster "$NAME" >>"$WORKDIR/logs/process-kubelet.log" 2>&1 9>&- &
  echo $! >"$dir/pid"
  wait_until 180 "the process kubelet" test -f "$dir/control-address" \
    || { tail -n 30 "$WORKDIR/logs/process-kubelet.log" >&2; die "the process kubelet did not start (log: $WORKDIR/logs/process-kubelet.log)"; }
}

stop_process_kubelet() {
  local pid dir
  dir=$(kubelet_dir)
  if pid=$(kubelet_pid); then
    log "stopping the process kubelet (pid $pid): its pods' processes and network go with it"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do pid_alive "$pid" || break; sleep 0.25; done
    pid_alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  [ -d "$dir" ] || return 0
  # Whatever a kubelet that died could not stop: programs chrooted into its root file system (they changed their
  # user, so they do not die with their parent), then its pods' network namespaces and links, and its bridge.
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    case "$root" in "$dir/rootfs"*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
  done
  local uid
  for uid in $(ls "$dir/pods" 2>/dev/null); do
    ip netns del "ou-${uid:0:8}" 2>/dev/null || true
    ip link del "ouv${uid:0:8}" 2>/dev/null || true
  done
  ip link del "oubr$(pod_network)" 2>/dev/null || true
  rm -f "$dir/pid" "$dir/control-address"
}

kubelet_call() {  # kubelet_call PATH: POST to the kubelet's control server, prints its answer, fails with it
  runs_pods || die "cluster '$NAME' runs no pods for real (start it with: testenv/local-cluster up --run-pods --name $NAME)"
  local out
  out=$(curl -sS -X POST --max-time 30 -w '\n%{http_code}' "http://$(cat "$(kubelet_dir)/control-address")/$1") || die "the process kubelet did not answer"
  local code=${out##*$'\n'}
  out=${out%$'\n'*}
  [ "$code" = 200 ] || die "$out"
  log "$out"
}

is_process_node() { [ "$(kc get node "$1" -o jsonpath='{.metadata.labels.testenv\.ou\.availability\.dev/process-kubelet}' 2>/dev/null)" = true ]; }

cmd_kill_node() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster kill-node NODE [--name NAME]"
  kubelet_call "kill-node/${ARGS[0]}"
}

cmd_partition_node() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster partition-node NODE [--name NAME]"
  kubelet_call "partition-node/${ARGS[0]}"
}

cmd_kill_container() {
  [ ${#ARGS[@]} -eq 3 ] || die "usage: testenv/local-cluster kill-container NAMESPACE POD CONTAINER [--name NAME]"
  kubelet_call "kill-container/${ARGS[0]}/${ARGS[1]}/${ARGS[2]}"
}

# A stable loopback host:port forwarding each new connection to the Service's current ready endpoint.
cmd_service_address() {
  [ ${#ARGS[@]} -ge 2 ] && [ ${#ARGS[@]} -le 3 ] || die "usage: testenv/local-cluster service-address NAMESPACE SERVICE [PORT] [--name NAME]"
  runs_pods || die "cluster '$NAME' runs no pods for real (testenv/local-cluster up --run-pods --name $NAME)"
  local dir f
  dir="$(kubelet_dir)/services/${ARGS[0]}/${ARGS[1]}"
  wait_until 30 "service ${ARGS[0]}/${ARGS[1]} proxied" test -d "$dir" || die "no Service ${ARGS[0]}/${ARGS[1]} (or it has no TCP port)"
  if [ ${#ARGS[@]} -eq 3 ]; then
    f="$dir/${ARGS[2]}"
    [ -f "$f" ] || die "Service ${ARGS[0]}/${ARGS[1]} has no TCP port '${ARGS[2]}' (ports: $(ls "$dir" | tr '\n' ' '))"
    cat "$f"
  else
    # A named port has two files (name and number) with one address: one address in all means one port.
    local addresses; addresses=$(cat "$dir"/* | sort -u)
    [ "$(printf '%s\n' "$addresses" | wc -l)" = 1 ] || die "Service ${ARGS[0]}/${ARGS[1]} has several ports: name one ($(ls "$dir" | tr '\n' ' '))"
    printf '%s\n' "$addresses"
  fi
}

# stop/start COMPONENT: hold a control-plane component down for a while (restart is stop then start).
cmd_stop() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster stop COMPONENT [--name NAME] (one of: ${COMPONENTS[*]})"
  local comp=${ARGS[0]} pid
  [[ " ${COMPONENTS[*]} " == *" $comp "* ]] || die "unknown component '$comp'; one of: ${COMPONENTS[*]}"
  pid=$(component_pid "$comp") || { log "$comp is not running"; return 0; }
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do pid_alive "$pid" || break; sleep 0.25; done
  pid_alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  log "$comp stopped (was pid $pid); 'testenv/local-cluster start $comp --name $NAME' starts it again"
}

cmd_start() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster start COMPONENT [--name NAME] (one of: ${COMPONENTS[*]})"
  cluster_exists || die "no cluster '$NAME'"
  with_lock "cluster-$NAME" kwokctl_start || { explain_failure; die "kwokctl start cluster failed while starting ${ARGS[0]}"; }
  wait_api_ready || { explain_failure; die "the API server did not become ready"; }
  log "${ARGS[0]} running (pid $(component_pid "${ARGS[0]}" || echo '?'))"
}
