#!/usr/bin/env bash
# The main job, on a fresh machine: build what is needed, start a local Kubernetes control plane whose pods
# really run (the process kubelet: the real sidecar and the real sample app, from the project's image), install
# the chart (CRD, RBAC), run the operator, apply the sample unit, write to it through its Service with a client
# that counts, kill the primary's node, and show what the client saw next to the unit's status. The last line is
# one JSON object. Cleans up on exit (set KEEP=1 to keep the cluster). Needs root (network namespaces, chroot).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
NAME=${NAME:-ou-demo}
NS=demo
LOGS=$(mktemp -d)
step() { printf '\n\033[1m== %s\033[0m (%s)\n' "$*" "$(date +%H:%M:%S)" >&2; }
pids=()
cleanup() {
  step "cleaning up"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then testenv/local-cluster down --name "$NAME" >/dev/null 2>&1 || true; echo "cluster '$NAME' deleted" >&2; else echo "kept cluster '$NAME' (testenv/local-cluster down --name $NAME)" >&2; fi
  echo "logs: $LOGS" >&2
}
trap cleanup EXIT
STEP_LOGS=$LOGS
. build/steps.sh

step "checking tools"
show_step "checking tools" build/setup
. build/jdk.sh

step "building the control plane from its Go modules (cached; 15-30 min the first time)"
show_step "building the control plane" testenv/local-cluster build

step "building the operator, the image its pods run, the process kubelet and kubectl ou (Maven, a few minutes the first time)"
run_step "building" build/mvn -q -Pimage -DskipTests package -pl operator,e2e,image,testenv/kubelet,kubectl-ou -am

step "starting a local cluster with 4 nodes whose pods really run"
show_step "starting a local cluster" testenv/local-cluster up --name "$NAME" --nodes 4 --run-pods
eval "$(testenv/local-cluster env --name "$NAME")"
kubectl get nodes -L topology.kubernetes.io/zone >&2

step "installing the chart: CRD, RBAC, ServiceAccount (the operator runs locally below)"
helm upgrade --install ou-operator helm/ou-operator -n ou-system --create-namespace --set replicaCount=0 --wait=false >/dev/null
helm list -n ou-system >&2

step "running the operator (logs: $LOGS/operator.log)"
java -jar operator/target/quarkus-app/quarkus-run.jar >"$LOGS/operator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "started in" "$LOGS/operator.log" && break; sleep 0.5; done
grep -q "started in" "$LOGS/operator.log" || { tail -n 30 "$LOGS/operator.log" >&2; exit 1; }
echo "operator running" >&2

step "applying samples/kvstore-synchronous.yaml: two pods, each a real sidecar and the real sample store"
kubectl create namespace "$NS" >/dev/null
# With a 10 s response-time budget (the sample says 4 s): on two cores that also run the whole control plane and
# four JVMs, the 4 s budget's 800 ms primary lease, renewed every 267 ms, is not renewed reliably (see drill/).
sed 's/responseTimeBudget: 4s/responseTimeBudget: 10s/' samples/kvstore-synchronous.yaml | kubectl -n "$NS" apply -f - >&2
for _ in $(seq 1 240); do [ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.phase}')" = Protected ] && break; sleep 0.5; done
[ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.phase}')" = Protected ] || { kubectl -n "$NS" describe ou kvstore >&2; echo "error: the unit did not become Protected; kubelet log: $(testenv/local-cluster kubeconfig --name "$NAME" | xargs dirname)/logs/process-kubelet.log" >&2; exit 1; }
kubectl -n "$NS" get ou >&2
kubectl -n "$NS" get pods -o wide >&2
echo "primary lease: holder $(kubectl -n "$NS" get lease kvstore-primary -o jsonpath='{.spec.holderIdentity}'), renewed at $(kubectl -n "$NS" get lease kvstore-primary -o jsonpath='{.spec.renewTime}') (by the real sidecar)" >&2

step "a client writes to the Service (4 writers, 100 writes/s, each write unique and recorded)"
address=$(testenv/local-cluster service-address "$NS" kvstore --name "$NAME")
echo "the Service's address on this machine: $address (a userspace proxy to its ready endpoint)" >&2
java -cp "e2e/target/classes:e2e/target/lib/*" dev.availability.ou.e2e.client.LoadClientMain --address "$address" --writers 4 --rate 100 --seconds 0 \
  >"$LOGS/client.out" 2>"$LOGS/client.err" &
client=$!
pids+=($client)
sleep 6
before=$(grep -o '[0-9]* acked/s' "$LOGS/client.err" | tail -n 1 || true)
echo "client before the fault: ${before:-$(tail -n 1 "$LOGS/client.err")}" >&2

primary=$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.primary.pod}')
node=$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.primary.node}')
step "killing node $node, where the primary $primary runs (SIGKILL to its pods' processes, its heartbeats stop)"
testenv/local-cluster kill-node "$node" --name "$NAME"
t0=$(date +%s%N)
for _ in $(seq 1 1200); do
  [ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.failovers}')" = 1 ] && [ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.phase}')" = Protected ] && break
  sleep 0.1
done
echo "failed over and protected again $(( ($(date +%s%N) - t0) / 1000000 )) ms after the node died" >&2
sleep 3
kill -TERM "$client"; wait "$client" 2>/dev/null || true
kubectl -n "$NS" get ou >&2
kubectl -n "$NS" get pods -o wide >&2

step "what the client saw (its own records, read back from the new primary)"
grep -v '^{' "$LOGS/client.out" >&2 || true
step "the failover, from status.lastFailover"
kubectl -n "$NS" get ou kvstore -o jsonpath='{range .status.lastFailover}reason:              {.reason}{"\n"}from -> to:          {.formerPrimary} -> {.newPrimary} (epoch {.epoch}){"\n"}detection:           {.detectionMillis} ms{"\n"}promotion:           {.promotionMillis} ms{"\n"}traffic switched:    {.trafficSwitchedMillis} ms after the fault{"\n"}recovery budget:     {.recoveryBudgetMillis} ms, met: {.withinRecoveryBudget}{"\n"}{end}' >&2

step "the unit now, by the project's kubectl plugin (kubectl-ou/kubectl-ou on PATH makes it kubectl ou)"
kubectl-ou/kubectl-ou -n "$NS" status kvstore >&2 || echo "(kubectl ou status failed; see above)" >&2

step "the story, in events"
kubectl -n "$NS" get events --field-selector involvedObject.kind=OperationalUnit --sort-by=.lastTimestamp -o custom-columns=TIME:.lastTimestamp,TYPE:.type,REASON:.reason,MESSAGE:.message | cut -c1-180 >&2

json=$(grep '^{' "$LOGS/client.out" | tail -n 1)
[ -n "$json" ] || { echo "error: the client printed no figures; its log: $LOGS/client.err" >&2; exit 1; }
field() { printf '%s' "$json" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
traffic=$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.lastFailover.trafficSwitchedMillis}')
printf '{"fault":"kill-node","acknowledged":%s,"lost":%s,"outage_ms":%s,"failed":%s,"split_brain":%s,"real_processes":true,"traffic_switched_ms":%s}\n' \
  "$(field acknowledged)" "$(field lost)" "$(field outage_ms)" "$(field failed)" "$(field split_brain)" "${traffic:-null}"
