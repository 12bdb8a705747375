# Faults of the local cluster: nodes that fail and heal, control-plane components restarted.
# Sourced by testenv/local-cluster after cluster.sh; the pods' own faults are in pods.sh.

node_ready_status() { kc get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'; }
node_not_ready() { [ "$(node_ready_status "$1")" != True ]; }
node_ready() { [ "$(node_ready_status "$1")" = True ]; }

# A node "fails" the way a dead kubelet does: nobody renews its lease or posts its status any more.
# kwok v0.8 keeps renewing a lease it holds even after the node loses the annotation it selects nodes by,
# so fail-node also hands the lease to a holder that never renews it; kwok then treats the node as read-only.
fail_node() {
  local node=$1
  kc get node "$node" >/dev/null 2>&1 || die "no node '$node' in '$NAME' (nodes: $(kc get nodes -o name | sed 's|node/||' | tr '\n' ' '))"
  kc annotate node "$node" --overwrite "$MANAGED_ANNOTATION-" "$FAILED_ANNOTATION=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null || die "could not annotate node $node"
  local patch="{\"spec\":{\"holderIdentity\":\"$FAILED_HOLDER\",\"leaseDurationSeconds\":86400}}"
  kc -n kube-node-lease patch lease "$node" --type merge -p "$patch" >/dev/null || die "could not take over the lease of node $node"
}

heal_node() {
  local node=$1
  kc get node "$node" >/dev/null 2>&1 || die "no node '$node' in '$NAME'"
  kc annotate node "$node" --overwrite "$MANAGED_ANNOTATION=$MANAGED_VALUE" "$FAILED_ANNOTATION-" >/dev/null || die "could not annotate node $node"
  # kwok recreates the lease it finds missing and manages the node again.
  kc -n kube-node-lease delete lease "$node" --ignore-not-found >/dev/null || die "could not delete the lease of node $node"
}

cmd_fail_node() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster fail-node NODE [--name NAME] [--no-wait]"
  require_running
  local node=${ARGS[0]}
  if is_process_node "$node"; then kubelet_call "kill-node/$node"; return; fi
  log "failing node $node: kwok stops renewing its lease and status (node grace period ${NODE_MONITOR_GRACE_MS} ms)"
  fail_node "$node"
  if $WAIT; then
    wait_until 120 "node $node NotReady" node_not_ready "$node" || die "node $node still Ready after 120 s"
  fi
}

cmd_heal_node() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster heal-node NODE [--name NAME] [--no-wait]"
  require_running
  local node=${ARGS[0]}
  if is_process_node "$node"; then kubelet_call "heal-node/$node"; return; fi
  log "healing node $node: kwok manages it again"
  heal_node "$node"
  if $WAIT; then
    wait_until 120 "node $node Ready" node_ready "$node" || die "node $node not Ready after 120 s"
  fi
}

cmd_restart() {
  [ ${#ARGS[@]} -eq 1 ] || die "usage: testenv/local-cluster restart COMPONENT [--name NAME] (one of: ${COMPONENTS[*]})"
  local comp=${ARGS[0]}
  [[ " ${COMPONENTS[*]} " == *" $comp "* ]] || die "unknown component '$comp'; one of: ${COMPONENTS[*]}"
  cluster_exists || die "no cluster '$NAME'"
  with_lock "cluster-$NAME" restart_locked "$comp"
}

restart_locked() {
  local comp=$1 pid start=$SECONDS
  if pid=$(component_pid "$comp"); then
    log "stopping $comp (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do pid_alive "$pid" || break; sleep 0.25; done
    if pid_alive "$pid"; then log "$comp still shutting down after 5 s; killing it"; kill -9 "$pid" 2>/dev/null || true; sleep 0.5; fi
  else
    log "$comp was not running"
  fi
  log "starting $comp again"
  kwokctl_start || { explain_failure; die "kwokctl start cluster failed while restarting $comp"; }
  local newpid
  newpid=$(component_pid "$comp") || { explain_failure; die "$comp did not start again; its log: $WORKDIR/logs/$comp.log"; }
  wait_api_ready || { explain_failure; die "the API server did not become ready after restarting $comp"; }
  sleep 1
  pid_alive "$newpid" || { explain_failure; die "$comp exited right after its restart; its log: $WORKDIR/logs/$comp.log"; }
  log "$comp restarted (pid $newpid) in $((SECONDS - start)) s"
}

# The components' ports, a block of ten fixed per cluster name in 20000-27999. kwokctl otherwise picks every port by
# scanning down from 32767 and binds it later: two clusters created at once took the same etcd port, and a cluster
# created while another's API server was stopped took its port (seen: the restarted API server never came back).
# Sets PORT_BASE; the block moves on while any of its ports is taken.
cluster_ports() {
  local base=$((20000 + ($(printf '%s' "$NAME" | cksum | cut -d' ' -f1) % 790) * 10)) tries=0 p taken
  while [ "$tries" -lt 50 ]; do
    taken=false
    for p in $(seq "$base" $((base + 5))); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then taken=true; break; fi
    done
    $taken || break
    base=$((20000 + ((base - 20000) / 10 + 1) % 790 * 10)); tries=$((tries + 1))
  done
  PORT_BASE=$base
}
