# The local cluster's life cycle: kwokctl's binary runtime over the programs build.sh made.
# Sourced by testenv/local-cluster after build.sh; expects log/die helpers defined.
# Every command prints its progress on stderr; only `up`, `bin-dir`, `env` and `kubeconfig` print on stdout.

# kwokctl keeps each cluster in $KWOK_WORKDIR/clusters/<name> (pids/, logs/, kubeconfig.yaml, etcd data).
export KWOK_WORKDIR=${KWOK_WORKDIR:-$CACHE_ROOT}
CLUSTERS_DIR="$KWOK_WORKDIR/clusters"
TOOLS_BIN="$CACHE_ROOT/bin"          # symlinks to kubectl, helm, kwokctl of the pinned versions
LOCKS_DIR="$CACHE_ROOT/locks"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok-controller)

# Timings of this test cluster only: real clusters use a node grace period of 40-50 s and 300 s tolerations.
NODE_MONITOR_GRACE_MS=${OU_TESTENV_NODE_GRACE_MS:-12000}
NODE_MONITOR_PERIOD_MS=2000
NODE_LEASE_SECONDS=8                 # kwok renews each node's lease every 2 s
NODE_STATUS_UPDATE_MS=4000
TOLERATION_SECONDS=10                # default not-ready/unreachable NoExecute toleration added by admission
# ClusterIPs: a /16 outside 10/8 (fake pod addresses live there); kube-apiserver's default /24 ran out at ~250 Services.
SERVICE_CIDR=172.30.0.0/16
MANAGED_ANNOTATION="kwok.x-k8s.io/node"
MANAGED_VALUE="fake"
FAILED_ANNOTATION="testenv.ou.availability.dev/failed-at"
FAILED_HOLDER="ou-testenv-failed-node"
ZONES=(zone-a zone-b)

NAME=ou-dev
NODES=4
WAIT=true
RUN_PODS=false


parse_args() {  # sets NAME, NODES, WAIT, ARGS (positional)
  ARGS=()
  while [ $# -gt 0 ]; do
    case $1 in
      --name) [ $# -ge 2 ] || die "--name needs a value"; NAME=$2; shift 2 ;;
      --name=*) NAME=${1#--name=}; shift ;;
      --nodes) [ $# -ge 2 ] || die "--nodes needs a value"; NODES=$2; shift 2 ;;
      --nodes=*) NODES=${1#--nodes=}; shift ;;
      --no-wait) WAIT=false; shift ;;
      --run-pods) RUN_PODS=true; shift ;;
      -h|--help) usage; exit 0 ;;
      --*) die "unknown option '$1' (see testenv/local-cluster help)" ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
  [[ $NAME =~ ^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$ ]] || die "invalid cluster name '$NAME': use lower-case letters, digits and '-'"
  [[ $NODES =~ ^[0-9]+$ ]] && [ "$NODES" -ge 1 ] && [ "$NODES" -le 100 ] || die "--nodes must be between 1 and 100, got '$NODES'"
  WORKDIR="$CLUSTERS_DIR/$NAME"
  KUBECONFIG_PATH="$WORKDIR/kubeconfig.yaml"
}

# fd 9 holds the cluster lock: close it for kwokctl, or the daemons it forks would hold the lock for ever.
kwokctl() { "$KWOK_BIN/kwokctl" "$@" 9>&-; }
kc() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" --request-timeout=10s "$@"; }

with_lock() {  # with_lock NAME CMD...: one `up`/`down`/`restart` per cluster at a time (test JVMs and users may race)
  local lock=$1; shift
  mkdir -p "$LOCKS_DIR"
  exec 9>"$LOCKS_DIR/$lock.lock"
  if ! flock -n 9; then
    log "waiting for another local-cluster command on '$lock' to finish"
    flock 9
  fi
  "$@"
  exec 9>&-
}

ensure_tools_bin() {
  mkdir -p "$TOOLS_BIN"
  ln -sfn "$K8S_BIN/kubectl" "$TOOLS_BIN/kubectl"
  ln -sfn "$HELM_BIN/helm" "$TOOLS_BIN/helm"
  ln -sfn "$KWOK_BIN/kwokctl" "$TOOLS_BIN/kwokctl"
}

cluster_exists() { [ -f "$WORKDIR/kwok.yaml" ]; }

component_pid() {  # prints the pid of a running component, or returns 1
  local f="$WORKDIR/pids/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" && echo "$pid"
}

pid_alive() {  # a zombie answers kill -0 but is gone
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

# kwokctl treats a pid that answers kill -0 as running, zombies included; a killed component can stay a zombie for a
# while where PID 1 reaps slowly (as in some sandboxes). Remove the pid files of dead components so kwokctl starts them.
clear_dead_pidfiles() {
  local c f pid
  for c in "${COMPONENTS[@]}"; do
    f="$WORKDIR/pids/$c.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! pid_alive "$pid"; then rm -f "$f"; fi
  done
}

# Components that were started (they have a pid file) and are gone.
dead_components() {
  local c f pid
  for c in "${COMPONENTS[@]}"; do
    f="$WORKDIR/pids/$c.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! pid_alive "$pid"; then printf '%s ' "$c"; fi
  done
}

# run_kwokctl LOG ARGS...: kwokctl ARGS with its output in LOG (or stderr for -), given up on as soon as a component
# it started has been dead for 5 s (kwokctl itself would wait 2 minutes for an API server that will never answer).
# It is killed with SIGKILL: on SIGTERM it would cancel its context, which kills the components it started.
run_kwokctl() {
  local logf=$1; shift
  if [ "$logf" = - ]; then kwokctl "$@" >&2 2>&1 & else kwokctl "$@" >"$logf" 2>&1 & fi
  local kpid=$! dead_since="" dead
  while kill -0 "$kpid" 2>/dev/null; do
    sleep 1
    dead=$(dead_components)
    if [ -z "$dead" ]; then dead_since=""; continue; fi
    dead_since=${dead_since:-$SECONDS}
    if (( SECONDS - dead_since >= 5 )); then
      log "component(s) exited right after their start: $dead"
      kill -9 "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null
      return 1
    fi
  done
  wait "$kpid"
}

kwokctl_start() {
  clear_dead_pidfiles
  run_kwokctl - start cluster --name "$NAME"
}

# Like wait_until for the API server, but gives up when a component has died.
wait_api_ready() {
  local start=$SECONDS next=$((SECONDS + 10)) dead
  until apiserver_ready; do
    dead=$(dead_components)
    if [ -n "$dead" ]; then log "component(s) not running: $dead"; return 1; fi
    if (( SECONDS - start >= 120 )); then return 1; fi
    if (( SECONDS >= next )); then log "  … still waiting for the API server ($((SECONDS - start)) s)"; next=$((SECONDS + 10)); fi
    sleep 0.5
  done
  log "  API server ready after $((SECONDS - start)) s"
}

apiserver_ready() { [ -f "$KUBECONFIG_PATH" ] && kc get --raw /readyz >/dev/null 2>&1; }

# Prints the tail of every component log, to explain a cluster that did not come up.
explain_failure() {
  local c f
  for c in "${COMPONENTS[@]}"; do
    f="$WORKDIR/logs/$c.log"
    [ -f "$f" ] || continue
    if pid=$(component_pid "$c"); then log "--- $c (pid $pid, running) $f"; else log "--- $c (NOT running) $f"; fi
    tail -n 8 "$f" | sed 's/^/    /' >&2
    if grep -qiE 'address already in use|bind: address' "$f"; then
      log "    ^ $c could not bind its port: another process holds it (see 'ss -ltnp'); stop it or choose another --name"
    fi
  done
}

wait_until() {  # wait_until SECONDS DESCRIPTION CMD...: polls every 0.5 s, prints progress every 10 s
  local timeout=$1 what=$2; shift 2
  local start=$SECONDS next=$((SECONDS + 10))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start >= timeout )); then return 1; fi
    if (( SECONDS >= next )); then log "  … still waiting for $what ($((SECONDS - start)) s)"; next=$((SECONDS + 10)); fi
    sleep 0.5
  done
  log "  $what after $((SECONDS - start)) s"
}

write_config() {  # the kwokctl configuration of our test clusters
  local f=$1
  cluster_ports
  cat >"$f" <<EOF
# Generated by testenv/local-cluster for cluster '$NAME'. Field names: sigs.k8s.io/kwok $KWOK_VERSION,
# pkg/apis/config/v1alpha1/kwokctl_configuration_types.go.
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeApiserverPort: $PORT_BASE
  etcdPort: $((PORT_BASE + 1))
  etcdPeerPort: $((PORT_BASE + 2))
  kubeControllerManagerPort: $((PORT_BASE + 3))
  kubeSchedulerPort: $((PORT_BASE + 4))
  kwokControllerPort: $((PORT_BASE + 5))
  securePort: true
  kubeAuthorization: true
  kubeAdmission: true
  heartbeatFactor: 1
  kubeVersion: $KUBERNETES_VERSION
  kubeApiserverBinary: $K8S_BIN/kube-apiserver
  kubeControllerManagerBinary: $K8S_BIN/kube-controller-manager
  kubeSchedulerBinary: $K8S_BIN/kube-scheduler
  kubectlBinary: $K8S_BIN/kubectl
  etcdBinary: $ETCD_BIN/etcd
  kwokControllerBinary: $KWOK_BIN/kwok
  nodeLeaseDurationSeconds: $NODE_LEASE_SECONDS
  nodeStatusUpdateFrequencyMilliseconds: $NODE_STATUS_UPDATE_MS
  kubeControllerManagerNodeMonitorPeriodMilliseconds: $NODE_MONITOR_PERIOD_MS
  kubeControllerManagerNodeMonitorGracePeriodMilliseconds: $NODE_MONITOR_GRACE_MS
componentsPatches:
- name: kwok-controller
  extraArgs:
  # Manage only annotated nodes, so that fail-node can take a node away from kwok.
  - {key: manage-all-nodes, value: "false", override: true}
  - {key: manage-nodes-with-annotation-selector, value: "$MANAGED_ANNOTATION=$MANAGED_VALUE"}
# One instance each, and nothing restarts them the way a kubelet restarts static pods: without leader election they
# ride out an API server or etcd restart instead of exiting when their lease cannot be renewed.
- name: kube-controller-manager
  extraArgs:
  - {key: leader-elect, value: "false"}
- name: kube-scheduler
  extraArgs:
  - {key: leader-elect, value: "false"}
- name: kube-apiserver
  extraArgs:
  # Pods tolerate a NotReady/unreachable node for 10 s instead of 300 s (test cluster only).
  - {key: default-not-ready-toleration-seconds, value: "$TOLERATION_SECONDS"}
  - {key: default-unreachable-toleration-seconds, value: "$TOLERATION_SECONDS"}
  # Room for 65,000 Services (scale runs of 1,000+ units); applies to clusters created from now on.
  - {key: service-cluster-ip-range, value: "$SERVICE_CIDR"}
EOF
}

nodes_ready_count() { kc get nodes --no-headers 2>/dev/null | awk '$2=="Ready"' | wc -l; }
all_nodes_ready() { [ "$(nodes_ready_count)" -ge "$NODES" ]; }

ensure_nodes() {
  local have
  have=$(kc get nodes -l type=kwok --no-headers 2>/dev/null | wc -l)
  local want=$NODES
  $RUN_PODS && want=0  # the process kubelet brings the nodes
  if [ "$have" -ne "$want" ]; then
    log "scaling fake nodes from $have to $want"
    local last=$((NODES - 1))
    kwokctl scale node --name "$NAME" --replicas "$want" --serial-length "${#last}" >&2 2>&1 || die "kwokctl scale node failed"
  fi
  # Zone labels spread over ${#ZONES[@]} zones, in name order, so topology tests see a stable layout.
  local i=0 node
  for node in $(kc get nodes -l type=kwok -o name | sort); do
    kc label "$node" --overwrite "topology.kubernetes.io/zone=${ZONES[i % ${#ZONES[@]}]}" "topology.kubernetes.io/region=local" >/dev/null \
      || die "could not label $node"
    i=$((i + 1))
  done
  # A failed node left behind by an interrupted test run is healed, so every run starts from healthy nodes.
  for node in $(kc get nodes -o go-template="{{range .items}}{{\$n := .metadata.name}}{{with .metadata.annotations}}{{if index . \"$FAILED_ANNOTATION\"}}{{\$n}} {{end}}{{end}}{{end}}"); do
    log "healing node $node, left failed by an earlier run"
    heal_node "$node"
  done
}

print_exports() {
  printf "export PATH='%s':\"\$PATH\"\n" "$TOOLS_BIN"
  printf "export KUBECONFIG='%s'\n" "$KUBECONFIG_PATH"
}

cmd_up() {
  build_all
  ensure_tools_bin
  with_lock "cluster-$NAME" up_locked
  print_exports
}

up_locked() {
  local start=$SECONDS
  if [ -d "$WORKDIR" ] && ! cluster_exists; then
    log "removing the remains of a cluster '$NAME' whose creation did not finish"
    down_locked
  fi
  if cluster_exists; then
    if ! apiserver_ready || ! all_components_running; then
      log "cluster '$NAME' exists but not all of it runs; starting what is missing"
      kwokctl_start || { explain_failure; die "kwokctl start cluster failed; 'testenv/local-cluster down --name $NAME' starts over"; }
    fi
  else
    log "creating cluster '$NAME' in $WORKDIR (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok-controller on 127.0.0.1)"
    mkdir -p "$CLUSTERS_DIR"
    local conf="$CACHE_ROOT/config/$NAME.yaml"
    mkdir -p "$(dirname "$conf")"
    write_config "$conf"
    if ! run_kwokctl "$CACHE_ROOT/config/$NAME.create.log" create cluster --name "$NAME" --config "$conf" --runtime binary --kubeconfig ""; then
      tail -n 15 "$CACHE_ROOT/config/$NAME.create.log" | sed 's/^/    /' >&2
      explain_failure
      die "cluster '$NAME' did not come up (kwokctl log: $CACHE_ROOT/config/$NAME.create.log, component logs: $WORKDIR/logs). 'testenv/local-cluster down --name $NAME' cleans up."
    fi
  fi
  wait_api_ready || { explain_failure; die "the API server of '$NAME' did not become ready; 'testenv/local-cluster down --name $NAME' starts over"; }
  wait_until 120 "default namespace and service account" kc get serviceaccount default -n default || { explain_failure; die "the controller-manager of '$NAME' did not create the default service account"; }
  ensure_nodes
  if $RUN_PODS; then start_process_kubelet; fi
  wait_until 120 "$NODES nodes Ready" all_nodes_ready || { explain_failure; kc get nodes >&2 || true; die "fewer than $NODES nodes of '$NAME' became Ready in 120 s"; }
  log "cluster '$NAME' is up ($((SECONDS - start)) s); kubeconfig: $KUBECONFIG_PATH"
}

all_components_running() {
  local c
  for c in "${COMPONENTS[@]}"; do component_pid "$c" >/dev/null || return 1; done
}

# Processes whose command line names this cluster's work dir (the components run from $WORKDIR/bin).
cluster_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    [ "${p#/proc/}" = $$ ] || [ "${p#/proc/}" = "$BASHPID" ] && continue
    case $cmd in *"$WORKDIR/"*) echo "${p#/proc/}" ;; esac
  done
}

cmd_down() {
  with_lock "cluster-$NAME" down_locked
}

down_locked() {
  if [ ! -d "$WORKDIR" ]; then
    log "no cluster '$NAME' (nothing in $WORKDIR)"
    return 0
  fi
  local start=$SECONDS
  log "deleting cluster '$NAME'"
  stop_process_kubelet
  # kwokctl rejects --kubeconfig "": name a file that does not exist, so no kubeconfig of the user's is touched.
  [ -x "$KWOK_BIN/kwokctl" ] && kwokctl delete cluster --name "$NAME" --kubeconfig "$WORKDIR/no-such-kubeconfig" >&2 2>&1 \
    || log "kwokctl delete cluster failed; stopping the processes myself"
  # kwokctl kills what its pid files name; anything else started from the work dir goes too.
  local pids pid
  pids=$(cluster_pids)
  if [ -n "$pids" ]; then
    log "stopping leftover processes: $(echo $pids)"
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 10); do pids=$(cluster_pids); [ -z "$pids" ] && break; sleep 0.5; done
    for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
  fi
  pids=$(cluster_pids)
  [ -z "$pids" ] || die "processes of '$NAME' still run: $pids"
  rm -rf "$WORKDIR" "$CACHE_ROOT/config/$NAME.yaml" "$CACHE_ROOT/config/$NAME.create.log"
  log "cluster '$NAME' deleted, no process left ($((SECONDS - start)) s)"
}

cmd_status() {
  if ! cluster_exists; then
    log "no cluster '$NAME'"
    return 1
  fi
  local c pid rc=0
  printf 'cluster %s (%s)\n' "$NAME" "$WORKDIR"
  for c in "${COMPONENTS[@]}"; do
    if pid=$(component_pid "$c"); then
      printf '  %-24s running  pid %-7s rss %s\n' "$c" "$pid" "$(awk '/^VmRSS:/ {print $2 " " $3}' "/proc/$pid/status" 2>/dev/null)"
    else
      printf '  %-24s STOPPED  log %s\n' "$c" "$WORKDIR/logs/$c.log"; rc=1
    fi
  done
  printf 'kubeconfig %s\n' "$KUBECONFIG_PATH"
  printf 'server     %s\n' "$(sed -n 's/^ *server: //p' "$KUBECONFIG_PATH" 2>/dev/null | head -n 1)"
  if apiserver_ready; then
    printf 'api        ready\n'
    kc get nodes -L topology.kubernetes.io/zone 2>/dev/null | sed 's/^/  /'
  else
    printf 'api        NOT ready\n'; rc=1
  fi
  return $rc
}

require_running() {
  cluster_exists || die "no cluster '$NAME'; start it with 'testenv/local-cluster up --name $NAME'"
  apiserver_ready || die "the API server of '$NAME' does not answer; 'testenv/local-cluster status --name $NAME' shows what runs"
}

cmd_kubeconfig() {
  cluster_exists || die "no cluster '$NAME'"
  echo "$KUBECONFIG_PATH"
}

cmd_bin_dir() {
  build_all
  ensure_tools_bin
  echo "$TOOLS_BIN"
}

cmd_env() {
  ensure_tools_bin
  if cluster_exists; then print_exports; else printf "export PATH='%s':\"\$PATH\"\n" "$TOOLS_BIN"; fi
}
