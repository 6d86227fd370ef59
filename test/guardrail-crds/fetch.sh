#!/usr/bin/env bash
# Fetches the pinned CRDs of the guardrail backends from their Go modules (through the Go module proxy
# into the Go module cache) and copies them, checked against their sha256, into a cache directory outside
# the repository. Versions and checksums: versions.env next to this script.
#
# Output: progress on stderr; the cache directory (holding one YAML file per CRD) as the last stdout line.
# Already-fetched files whose checksum matches are never fetched again.
#
# Env: SEGMENTATION_GUARDRAIL_CRDS_DIR  cache dir (default below); XDG_CACHE_HOME  base of the default
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache_dir=${SEGMENTATION_GUARDRAIL_CRDS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/segmentation-operator/guardrail-crds/cilium-${CILIUM_VERSION}_netpol-api-${NETPOL_API_VERSION}}

started=$SECONDS
log() { echo "[guardrail-crds +$((SECONDS - started))s] $*" >&2; }
die() { echo "guardrail CRD fetch failed: $*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then PATH=/usr/local/go/bin:$PATH; else die "the Go toolchain ('go') is not on PATH"; fi
fi
export GOTOOLCHAIN=local

checksum_ok() { # file sha256
  [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$2" ]]
}

# Prints the module's directory in the Go module cache, downloading it through the proxy if needed.
module_dir() { # module@version
  local json err work
  work=$(mktemp -d)
  # A throwaway module to run `go mod download` in, so that no go.mod of ours is involved.
  (cd "$work" && go mod init segmentation-operator.local/guardrail-crds >/dev/null 2>&1)
  if ! json=$(cd "$work" && go mod download -json "$1" 2>&1); then
    rm -rf "$work"
    err=$(sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n1)
    die "cannot download $1 through the Go module proxy ($(go env GOPROXY)): ${err:-$(tail -n1 <<<"$json")}"
  fi
  rm -rf "$work"
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

fetch() { # module version path-in-module sha256 output-name
  local out=$cache_dir/$5 dir
  if checksum_ok "$out" "$4"; then
    log "cached: $5 ($1@$2)"
    return
  fi
  log "downloading $1@$2"
  dir=$(module_dir "$1@$2")
  [[ -f $dir/$3 ]] || die "$1@$2 has no $3"
  checksum_ok "$dir/$3" "$4" || die "$1@$2 $3 has sha256 $(sha256sum "$dir/$3" | cut -d' ' -f1), expected $4 (versions.env)"
  cp "$dir/$3" "$out.tmp" && mv -f "$out.tmp" "$out"
  log "$5 <- $1@$2/$3"
}

mkdir -p "$cache_dir"
fetch "$CILIUM_MODULE" "$CILIUM_VERSION" "$CILIUM_CCNP_PATH" "$CILIUM_CCNP_SHA256" ciliumclusterwidenetworkpolicies.cilium.io.yaml
fetch "$NETPOL_API_MODULE" "$NETPOL_API_VERSION" "$NETPOL_API_CNP_PATH" "$NETPOL_API_CNP_SHA256" clusternetworkpolicies.policy.networking.k8s.io.yaml
log "done: $cache_dir"
echo "$cache_dir"
