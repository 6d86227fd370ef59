#!/usr/bin/env bash
# Builds kube-router, the NetworkPolicy engine of the data-plane tests
# (test/dataplane/), from its Go module through the Go module proxy, into a
# cache outside the repository (like test/controlplane/build.sh).
#
# TEST-ONLY TOOL. kube-router v2.1.0 is the only version the Go module proxy
# serves here; security advisories are reported against it. It runs only
# inside the private network namespaces that the data-plane tests create, with
# only its firewall (network policy) controller enabled, and is never shipped,
# packaged or used by the operator.
#
# Output: progress on stderr; on success the binary's path as the last line on
# stdout. An existing binary that reports the pinned version is never rebuilt.
# Usage: build-kube-router.sh [--print-path]
# Env:   SEGMENTATION_KUBE_ROUTER_DIR  cache dir (default below)
set -euo pipefail

# The one place where the version is pinned.
KUBE_ROUTER_MODULE=github.com/cloudnativelabs/kube-router/v2
KUBE_ROUTER_VERSION=v2.1.0

cache_dir=${SEGMENTATION_KUBE_ROUTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/segmentation-operator/kube-router/$KUBE_ROUTER_VERSION}
binary=$cache_dir/bin/kube-router

if [[ ${1-} == --print-path ]]; then
  echo "$binary"
  exit 0
fi

started=$SECONDS
log() { echo "[kube-router-build +$((SECONDS - started))s] $*" >&2; }
die() { echo "kube-router build failed: $*" >&2; exit 1; }

# kube-router --version prints e.g. "Running .../kube-router version v2.1.0, built on ..."
binary_ok() {
  local out
  out=$("$binary" --version 2>&1) || true
  [[ $out == *"version $KUBE_ROUTER_VERSION"* ]]
}

if binary_ok; then
  log "cached: $binary ($KUBE_ROUTER_VERSION)"
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH=/usr/local/go/bin:$PATH
  else
    die "the Go toolchain ('go') is not on PATH and /usr/local/go/bin/go does not exist"
  fi
fi
export GOTOOLCHAIN=local CGO_ENABLED=0

mkdir -p "$cache_dir/bin"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_dir/.build.lock"
  if ! flock -n 9; then
    log "another build holds $cache_dir/.build.lock; waiting for it"
    flock 9
    if binary_ok; then
      echo "$binary"
      exit 0
    fi
  fi
fi

work=$(mktemp -d "$cache_dir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "go install $KUBE_ROUTER_MODULE/cmd/kube-router@$KUBE_ROUTER_VERSION (about 3-4 minutes on 2 cores with cold Go caches)"
ldflags="-s -w -X $KUBE_ROUTER_MODULE/pkg/version.Version=$KUBE_ROUTER_VERSION"
if ! GOBIN=$work go install -trimpath -ldflags "$ldflags" "$KUBE_ROUTER_MODULE/cmd/kube-router@$KUBE_ROUTER_VERSION" >"$work/go.log" 2>&1; then
  tail -n 30 "$work/go.log" >&2
  die "'go install $KUBE_ROUTER_MODULE/cmd/kube-router@$KUBE_ROUTER_VERSION' failed (go output above; GOPROXY=$(go env GOPROXY))"
fi
mv -f "$work/kube-router" "$binary"
binary_ok || die "$binary does not report $KUBE_ROUTER_VERSION: $("$binary" --version 2>&1 | head -n 1)"
log "done in $((SECONDS - started))s: $binary"
echo "$binary"
