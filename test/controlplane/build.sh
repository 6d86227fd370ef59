#!/usr/bin/env bash
# Builds the binaries of a real Kubernetes control plane for the integration
# tests and `npm run cluster`: kube-apiserver and kube-controller-manager from
# the Go module k8s.io/kubernetes, etcd from go.etcd.io/etcd/server/v3. Only
# the Go toolchain and the Go module proxy are needed (no Docker, no release
# downloads). Versions are pinned in versions.env next to this script.
#
# Output: progress on stderr; on success the cache directory (containing
# bin/kube-apiserver, bin/kube-controller-manager, bin/etcd) as the last line
# on stdout. Already-built binaries are never rebuilt.
#
# Usage: build.sh [--print-dir]   (--print-dir: print the cache dir and exit)
# Env:   SEGMENTATION_CONTROLPLANE_DIR  cache dir (default below)
#        XDG_CACHE_HOME                 base of the default cache dir
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# versions.env holds plain KEY=value lines, which is also valid bash.
# shellcheck source=versions.env
source "$here/versions.env"
: "${KUBERNETES_VERSION:?missing in versions.env}" "${ETCD_VERSION:?missing in versions.env}"

cache_dir=${SEGMENTATION_CONTROLPLANE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/segmentation-operator/controlplane/${KUBERNETES_VERSION}-etcd${ETCD_VERSION#v}}

if [[ ${1-} == --print-dir ]]; then
  echo "$cache_dir"
  exit 0
fi

started=$SECONDS
log() { echo "[controlplane-build +$((SECONDS - started))s] $*" >&2; }
die() { echo "controlplane build failed: $*" >&2; exit 1; }

# `--version` must run and name the pinned version: a truncated or foreign
# binary counts as missing.
binary_ok() { # name expected-substring
  local out
  out=$("$cache_dir/bin/$1" --version 2>/dev/null) || return 1
  [[ $out == *"$2"* ]]
}
all_ok() {
  binary_ok kube-apiserver "Kubernetes $KUBERNETES_VERSION" &&
    binary_ok kube-controller-manager "Kubernetes $KUBERNETES_VERSION" &&
    binary_ok etcd "etcd Version: ${ETCD_VERSION#v}"
}

if all_ok; then
  log "cached: $cache_dir/bin (kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION)"
  echo "$cache_dir"
  exit 0
fi

# --- prerequisites -----------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH=/usr/local/go/bin:$PATH
  else
    die "the Go toolchain ('go') is not on PATH and /usr/local/go/bin/go does not exist; install Go >= 1.26"
  fi
fi
# Never let go fetch another toolchain: if the local one is too old for the
# pinned modules, go says so and we fail with that message.
export GOTOOLCHAIN=local CGO_ENABLED=0

mkdir -p "$cache_dir/bin"
# Two test runs starting at once must not build twice into the same place.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_dir/.build.lock"
  if ! flock -n 9; then
    log "another build holds $cache_dir/.build.lock; waiting for it"
    flock 9
    if all_ok; then
      log "built by the other process: $cache_dir/bin"
      echo "$cache_dir"
      exit 0
    fi
  fi
fi

# Everything is built below this temp dir (same filesystem as the cache, so
# the final `mv` is an atomic rename) and removed on exit, whatever happens.
work=$(mktemp -d "$cache_dir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT # so that the EXIT trap also runs when interrupted
trap 'exit 143' TERM
mkdir -p "$work/out"

log "go: $(go env GOVERSION) ($(command -v go)), GOPROXY=$(go env GOPROXY)"
log "building into $cache_dir/bin (10-20 minutes on 2 cores with cold Go caches, under a minute with warm ones)"

# Prints the GoMod file path of module@version, downloading it (and the
# module's source) through the proxy. Fails with go's own one-line reason.
download_gomod() {
  local json err
  if ! json=$(cd "$work" && go mod download -json "$1" 2>&1); then
    err=$(sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1)
    err=${err%%\\n*}
    die "cannot download $1 through the Go module proxy ($(go env GOPROXY)): ${err:-$(tail -n1 <<<"$json")}"
  fi
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

# Module paths that a go.mod both requires and replaces with a local directory
# (k8s.io/kubernetes: ./staging/src/k8s.io/*, etcd server: ../api etc.).
# Those replaces only work inside the upstream repository, which is why
# `go install module@version` refuses such modules. Requiring-and-replacing
# filters out guards like etcd's `go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY`.
local_replaced_requires() { # go.mod path
  awk '
    /^require[[:space:]]*\($/ { blk = "req"; next }
    /^replace[[:space:]]*\($/ { blk = "rep"; next }
    /^\)/ { blk = ""; next }
    /^require[[:space:]]/ { req[$2] = 1; next }
    /^replace[[:space:]]/ { $1 = ""; rep_line($0); next }
    blk == "req" && NF >= 2 { req[$1] = 1 }
    blk == "rep" && /=>/ { rep_line($0) }
    function rep_line(l,   parts, lhs, rhs) {
      split(l, parts, "=>")
      split(parts[1], lhs, " "); split(parts[2], rhs, " ")
      if (rhs[1] ~ /^\.\.?\//) local_rep[lhs[1]] = 1
    }
    END { for (m in local_rep) if (m in req) print m }
  ' "$1" | sort
}

# Creates a wrapper module in $work/$1 that requires $2@$3 and replaces each
# locally-replaced module of it with the published module at version $4.
make_wrapper() { # dir main-module main-version replacement-version
  local dir=$work/$1 gomod mods m
  gomod=$(download_gomod "$2@$3")
  mods=$(local_replaced_requires "$gomod")
  mkdir -p "$dir"
  (
    cd "$dir"
    go mod init "segmentation-operator.local/controlplane-$1" 2>/dev/null
    for m in $mods; do go mod edit -replace "$m=$m@$4"; done
  )
  log "$2@$3: wrapper module with $(wc -w <<<"$mods") replaces -> @$4"
}

# Runs a command in a wrapper module with its (long, "go: downloading ...")
# output in a log file, printing a heartbeat each minute; on failure shows
# the end of that output, which holds go's real reason.
go_in() { # wrapper-dir command...
  local dir=$1 out=$work/$1.log heartbeat status=0
  shift
  # The heartbeat must not outlive us: a leftover `sleep` would keep the lock
  # fd and the caller's stdout/stderr pipes open. So it kills its own sleep
  # on TERM, and does not inherit the lock fd at all.
  (
    nap=
    trap '[[ -n $nap ]] && kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 60 &
      nap=$!
      wait "$nap"
      log "  ... still running: $1 ${2-}"
    done
  ) 9>&- &
  heartbeat=$!
  (cd "$work/$dir" && "$@") >>"$out" 2>&1 || status=$?
  kill "$heartbeat" 2>/dev/null || true
  wait "$heartbeat" 2>/dev/null || true
  if ((status != 0)); then
    tail -n 30 "$out" >&2
    if grep -qE 'dial tcp|no such host|connection refused|i/o timeout|GOPROXY=off|TLS handshake' "$out"; then
      die "the Go module proxy ($(go env GOPROXY)) is unreachable or refused a module; '$1 ${2-}' failed (go output above)"
    fi
    die "'$*' failed in the $dir wrapper module (exit $status; go output above)"
  fi
}

# --- kube-apiserver, kube-controller-manager ----------------------------------
if ! binary_ok kube-apiserver "Kubernetes $KUBERNETES_VERSION" ||
  ! binary_ok kube-controller-manager "Kubernetes $KUBERNETES_VERSION"; then
  staging_version=v0.${KUBERNETES_VERSION#v1.} # v1.37.2 -> v0.37.2
  make_wrapper k8s k8s.io/kubernetes "$KUBERNETES_VERSION" "$staging_version"
  pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
  log "resolving dependencies of ${pkgs[*]}"
  go_in k8s go get "${pkgs[@]/%/@$KUBERNETES_VERSION}"
  # The same variables as upstream's hack/lib/version.sh, so /version and
  # --version report the pinned version. buildDate is the module's publish
  # time (from the proxy's .info file), which keeps the build reproducible.
  minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.info" 2>/dev/null || true)
  ldflags="-s -w"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}"
  done
  log "compiling ${pkgs[*]} (the slow part)"
  go_in k8s go build -trimpath -ldflags "$ldflags" -o "$work/out/" "${pkgs[@]}"
  for b in kube-apiserver kube-controller-manager; do
    mv -f "$work/out/$b" "$cache_dir/bin/$b" # atomic rename, same filesystem
  done
  log "kube-apiserver and kube-controller-manager done"
fi

# --- etcd -------------------------------------------------------------------
if ! binary_ok etcd "etcd Version: ${ETCD_VERSION#v}"; then
  # etcd's server module has the etcd main package at its root (main.go
  # calling etcdmain.Main); its sibling modules are published at the same tag.
  make_wrapper etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION"
  log "resolving dependencies of go.etcd.io/etcd/server/v3"
  go_in etcd go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  log "compiling etcd"
  go_in etcd go build -trimpath -ldflags "-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3
  mv -f "$work/out/etcd" "$cache_dir/bin/etcd"
  log "etcd done"
fi

all_ok || die "built binaries in $cache_dir/bin do not report the pinned versions (kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION)"
log "done in $((SECONDS - started))s: $cache_dir/bin"
echo "$cache_dir"
