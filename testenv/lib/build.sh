# Builds the control-plane programs from their Go modules into a cache outside the repository.
# Sourced by testenv/local-cluster; expects versions.env loaded and log/die helpers defined.

CACHE_ROOT=${OU_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ou-operator}
K8S_BIN="$CACHE_ROOT/kubernetes-$KUBERNETES_VERSION/bin"
ETCD_BIN="$CACHE_ROOT/etcd-$ETCD_VERSION/bin"
KWOK_BIN="$CACHE_ROOT/kwok-$KWOK_VERSION/bin"
HELM_BIN="$CACHE_ROOT/helm-$HELM_VERSION/bin"
BUILD_LOGS="$CACHE_ROOT/build-logs"

# Never let the go command fetch a toolchain of its own; no VCS stamping in scratch modules.
export GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -trimpath" CGO_ENABLED=0

require_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed, and the control-plane programs are not built yet ($CACHE_ROOT). Install Go 1.25 or newer (https://go.dev/doc/install, or 'apt-get install golang' where it is recent enough), put it on PATH and run again."
  local v minor
  v=$(go env GOVERSION 2>/dev/null); minor=${v#go1.}; minor=${minor%%[.a-z]*}
  [[ $minor =~ ^[0-9]+$ ]] && [ "$minor" -ge 25 ] || die "Go $v is too old to build Kubernetes $KUBERNETES_VERSION; install Go 1.25 or newer (https://go.dev/doc/install)"
}

# run_logged NAME LOGFILE CMD...: runs CMD with its output in LOGFILE, printing elapsed time every 30 s.
run_logged() {
  local name=$1 logfile=$2; shift 2
  local start=$SECONDS next=$((SECONDS + 30))
  "$@" >"$logfile" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    # A deadline rather than SECONDS % 30: a busy machine can skip the exact second.
    if (( SECONDS >= next )); then
      log "  … still building $name ($((SECONDS - start)) s)"
      next=$((SECONDS + 30))
    fi
  done
  wait "$pid" || die "building $name failed after $((SECONDS - start)) s; its log: $logfile (last lines below)
$(tail -n 15 "$logfile")"
  log "  built $name in $((SECONDS - start)) s"
}

check_version() {  # check_version BINARY WANT ARGS...
  local bin=$1 want=$2; shift 2
  local got
  got=$("$bin" "$@" 2>&1 | head -n 3) || die "$bin $* failed: $got"
  grep -q -- "${want#v}" <<<"$got" || die "$bin reports '$got', expected $want"
}

build_kubernetes() {
  local out=$K8S_BIN
  if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && [ -x "$out/kube-scheduler" ] && [ -x "$out/kubectl" ]; then return; fi
  log "building Kubernetes $KUBERNETES_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl); cold: 15-30 min on 2 cores"
  local src=$CACHE_ROOT/src/kubernetes-$KUBERNETES_VERSION
  rm -rf "$src"; mkdir -p "$src" "$out" "$BUILD_LOGS"
  local k8s_dir
  k8s_dir=$(cd "$src" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$k8s_dir" ] && [ -f "$k8s_dir/go.mod" ] || die "could not download k8s.io/kubernetes@$KUBERNETES_VERSION from the Go module proxy"
  local staging_version="v0.${KUBERNETES_VERSION#v1.}"
  (
    cd "$src"
    go mod init ou-testenv/kubernetes >/dev/null 2>&1
    # Kubernetes' go.mod replaces its staging modules with ./staging/src; point them at their published versions.
    awk '/=> \.\/staging\/src\// {print $1}' "$k8s_dir/go.mod" | sort -u | while read -r m; do
      go mod edit -replace "$m=$m@$staging_version"
    done
    grep -E '^godebug' "$k8s_dir/go.mod" >>go.mod || true
    awk '/^godebug \(/,/^\)/' "$k8s_dir/go.mod" >>go.mod
    go mod edit -require "k8s.io/kubernetes@$KUBERNETES_VERSION"
    cat >tools.go <<EOF
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
  )
  run_logged "kubernetes module graph" "$BUILD_LOGS/kubernetes-tidy.log" bash -c "cd '$src' && go mod tidy"
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    ld+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    run_logged "$cmd" "$BUILD_LOGS/$cmd.log" bash -c "cd '$src' && go build -ldflags '$ld' -o '$out/$cmd.tmp' k8s.io/kubernetes/cmd/$cmd && mv '$out/$cmd.tmp' '$out/$cmd'"
  done
  check_version "$out/kube-apiserver" "$KUBERNETES_VERSION" --version
  check_version "$out/kube-controller-manager" "$KUBERNETES_VERSION" --version
  check_version "$out/kube-scheduler" "$KUBERNETES_VERSION" --version
  check_version "$out/kubectl" "$KUBERNETES_VERSION" version --client
}

build_etcd() {
  local out=$ETCD_BIN
  [ -x "$out/etcd" ] && return
  log "building etcd $ETCD_VERSION"
  local src=$CACHE_ROOT/src/etcd-$ETCD_VERSION
  rm -rf "$src"; mkdir -p "$src" "$out" "$BUILD_LOGS"
  (cd "$src" && go mod init ou-testenv/etcd >/dev/null 2>&1 && printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go \
    && go mod edit -require "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  run_logged "etcd module graph" "$BUILD_LOGS/etcd-tidy.log" bash -c "cd '$src' && go mod tidy"
  run_logged etcd "$BUILD_LOGS/etcd.log" bash -c "cd '$src' && go build -ldflags '-s -w' -o '$out/etcd.tmp' go.etcd.io/etcd/server/v3 && mv '$out/etcd.tmp' '$out/etcd'"
  check_version "$out/etcd" "$ETCD_VERSION" --version
}

build_kwok() {
  local out=$KWOK_BIN
  [ -x "$out/kwok" ] && [ -x "$out/kwokctl" ] && return
  log "building kwok and kwokctl $KWOK_VERSION"
  mkdir -p "$out" "$BUILD_LOGS"
  local ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
  run_logged "kwok, kwokctl" "$BUILD_LOGS/kwok.log" env GOBIN="$out" go install -ldflags "$ld" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
  check_version "$out/kwok" "$KWOK_VERSION" --version
  check_version "$out/kwokctl" "$KWOK_VERSION" --version
}

build_helm() {
  local out=$HELM_BIN
  [ -x "$out/helm" ] && return
  log "building helm $HELM_VERSION"
  mkdir -p "$out" "$BUILD_LOGS"
  run_logged helm "$BUILD_LOGS/helm.log" env GOBIN="$out" go install \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  check_version "$out/helm" "$HELM_VERSION" version --short
}

all_built() {
  local b
  for b in "$K8S_BIN"/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl} "$ETCD_BIN/etcd" "$KWOK_BIN"/{kwok,kwokctl} "$HELM_BIN/helm"; do
    [ -x "$b" ] || return 1
  done
}

build_all() {
  all_built && return 0
  require_go
  # One build at a time per cache (a test JVM and a user may both run `up` on a cold machine).
  mkdir -p "$CACHE_ROOT"
  exec 8>"$CACHE_ROOT/build.lock"
  if ! flock -n 8; then
    log "another build of the control-plane programs runs; waiting for it (see $BUILD_LOGS)"
    flock 8
  fi
  local start=$SECONDS
  build_kwok
  build_etcd
  build_helm
  build_kubernetes
  exec 8>&-
  log "all programs ready in $CACHE_ROOT ($((SECONDS - start)) s)"
}
