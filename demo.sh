#!/usr/bin/env bash
# The main job, on a fresh machine: build what is needed, start a local Kubernetes control plane,
# install the chart (CRD, RBAC), run the operator, apply a sample unit, fail the primary's node,
# and show the failover with its timings. Cleans up on exit (set KEEP=1 to keep the cluster).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
NAME=${NAME:-ou-demo}
NS=demo
LOGS=$(mktemp -d)
step() { printf '\n\033[1m== %s\033[0m (%s)\n' "$*" "$(date +%H:%M:%S)"; }
pids=()
cleanup() {
  step "cleaning up"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then testenv/local-cluster down --name "$NAME" >/dev/null 2>&1 || true; echo "cluster '$NAME' deleted"; else echo "kept cluster '$NAME' (testenv/local-cluster down --name $NAME)"; fi
  echo "logs: $LOGS"
}
trap cleanup EXIT

STEP_LOGS=$LOGS
. build/steps.sh

step "checking tools"
show_step "checking tools" build/setup
. build/jdk.sh

step "building the control plane from its Go modules (cached; 15-30 min the first time)"
show_step "building the control plane" testenv/local-cluster build

step "building the operator (Maven, a few minutes the first time)"
run_step "building the operator" build/mvn -q -DskipTests package -pl operator,e2e -am

step "starting a local cluster with 4 nodes"
show_step "starting a local cluster" testenv/local-cluster up --name "$NAME" --nodes 4
eval "$(testenv/local-cluster env --name "$NAME")"
kubectl get nodes -L topology.kubernetes.io/zone

step "installing the chart: CRD, RBAC, ServiceAccount (the operator runs locally below)"
if [ -f helm/ou-operator/Chart.yaml ]; then
  helm upgrade --install ou-operator helm/ou-operator -n ou-system --create-namespace --set replicaCount=0 --wait=false >/dev/null
  helm list -n ou-system
else
  kubectl apply --server-side -f crds/
fi

step "running the operator (logs: $LOGS/operator.log)"
java -jar operator/target/quarkus-app/quarkus-run.jar >"$LOGS/operator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "started in" "$LOGS/operator.log" && break; sleep 0.5; done
grep -q "started in" "$LOGS/operator.log" || { tail -n 30 "$LOGS/operator.log"; exit 1; }
echo "operator running"

step "playing the sidecars (KWOK runs no containers; this does through the API server what each sidecar does)"
kubectl create namespace "$NS" >/dev/null
java -cp "e2e/target/classes:e2e/target/lib/*" dev.availability.ou.e2e.DemoSidecars "$KUBECONFIG" "$NS" >"$LOGS/sidecars.log" 2>&1 &
pids+=($!)

step "applying samples/kvstore-synchronous.yaml"
kubectl -n "$NS" apply -f samples/kvstore-synchronous.yaml
for _ in $(seq 1 120); do [ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.phase}')" = Protected ] && break; sleep 0.5; done
kubectl -n "$NS" get ou
kubectl -n "$NS" get pods -o wide

for _ in $(seq 1 120); do [ -n "$(kubectl -n "$NS" get lease kvstore-primary -o jsonpath='{.spec.renewTime}' 2>/dev/null)" ] && break; sleep 0.5; done
echo "primary lease: holder $(kubectl -n "$NS" get lease kvstore-primary -o jsonpath='{.spec.holderIdentity}'), renewed at $(kubectl -n "$NS" get lease kvstore-primary -o jsonpath='{.spec.renewTime}')"
primary=$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.primary.pod}')
node=$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.primary.node}')
step "failing node $node, where the primary $primary runs (kwok stops its heartbeats; its sidecar dies with it)"
testenv/local-cluster fail-node "$node" --name "$NAME" --no-wait
t0=$(date +%s%N)
for _ in $(seq 1 600); do
  [ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.failovers}')" = 1 ] && [ "$(kubectl -n "$NS" get ou kvstore -o jsonpath='{.status.phase}')" = Protected ] && break
  sleep 0.1
done
echo "failed over and protected again $(( ($(date +%s%N) - t0) / 1000000 )) ms after the node failure"
kubectl -n "$NS" get ou
kubectl -n "$NS" get pods -o wide

step "the failover's timings, from status.lastFailover"
kubectl -n "$NS" get ou kvstore -o jsonpath='{range .status.lastFailover}reason:              {.reason}{"\n"}from -> to:          {.formerPrimary} -> {.newPrimary} (epoch {.epoch}){"\n"}detection:           {.detectionMillis} ms{"\n"}promotion:           {.promotionMillis} ms{"\n"}traffic switched:    {.trafficSwitchedMillis} ms after the fault{"\n"}recovery budget:     {.recoveryBudgetMillis} ms, met: {.withinRecoveryBudget}{"\n"}updates lost:        {.updatesLost}{"\n"}{end}'

step "the story, in events"
kubectl -n "$NS" get events --field-selector involvedObject.kind=OperationalUnit --sort-by=.lastTimestamp -o custom-columns=TIME:.lastTimestamp,TYPE:.type,REASON:.reason,MESSAGE:.message | cut -c1-180

testenv/local-cluster heal-node "$node" --name "$NAME" --no-wait >/dev/null
