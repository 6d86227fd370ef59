#!/usr/bin/env bash
# Builds the two Flux controllers that the GitOps integration test runs
# (source-controller and kustomize-controller) from their Go modules, and
# keeps their CRDs (config/crd/bases of the same module sources) beside them.
# Only the Go toolchain and the Go module proxy are needed. Versions (and the
# one replace that source-controller needs here) are pinned in
# flux-versions.env next to this script.
#
# `go install module@version` refuses modules whose go.mod has replace
# directives, so each controller's module source is copied from the module
# cache and built as the main module with its own go.mod/go.sum; its local
# `./api` replace (the api module is not in the module zip) is pointed at the
# published api module of the version it requires.
#
# Output: progress on stderr; on success the cache directory (bin/ and crds/)
# as the last line on stdout. Already-built binaries are never rebuilt.
#
# Usage: build-flux.sh [--print-dir]
# Env:   SEGMENTATION_FLUX_DIR  cache dir (default below)
#        XDG_CACHE_HOME         base of the default cache dir
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=flux-versions.env
source "$here/flux-versions.env"
: "${FLUX_SOURCE_CONTROLLER_VERSION:?missing in flux-versions.env}"
: "${FLUX_KUSTOMIZE_CONTROLLER_VERSION:?missing in flux-versions.env}"
: "${FLUX_SOURCE_CONTROLLER_REPLACE:?missing in flux-versions.env}"

# The directory name carries every pin, so changing one builds afresh.
replace_tag=${FLUX_SOURCE_CONTROLLER_REPLACE##*@}
cache_dir=${SEGMENTATION_FLUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/segmentation-operator/flux/source-${FLUX_SOURCE_CONTROLLER_VERSION}-artifact${replace_tag}-kustomize-${FLUX_KUSTOMIZE_CONTROLLER_VERSION}}

if [[ ${1-} == --print-dir ]]; then
  echo "$cache_dir"
  exit 0
fi

started=$SECONDS
log() { echo "[flux-build +$((SECONDS - started))s] $*" >&2; }
die() { echo "flux build failed: $*" >&2; exit 1; }

# A controller counts as built when its binary runs (`--help` exits 0 or 2 for
# pflag) and the stamp written after a successful build names the version.
controller_ok() { # name version
  local status=0
  [[ -x $cache_dir/bin/$1 && -f $cache_dir/bin/$1.version ]] || return 1
  [[ $(cat "$cache_dir/bin/$1.version") == "$2" ]] || return 1
  "$cache_dir/bin/$1" --help >/dev/null 2>&1 || status=$?
  ((status == 0 || status == 2)) || return 1
  compgen -G "$cache_dir/crds/$1/*.yaml" >/dev/null
}
all_ok() {
  controller_ok source-controller "$FLUX_SOURCE_CONTROLLER_VERSION $FLUX_SOURCE_CONTROLLER_REPLACE" &&
    controller_ok kustomize-controller "$FLUX_KUSTOMIZE_CONTROLLER_VERSION"
}

if all_ok; then
  log "cached: $cache_dir (source-controller $FLUX_SOURCE_CONTROLLER_VERSION, kustomize-controller $FLUX_KUSTOMIZE_CONTROLLER_VERSION)"
  echo "$cache_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH=/usr/local/go/bin:$PATH
  else
    die "the Go toolchain ('go') is not on PATH and /usr/local/go/bin/go does not exist; install Go >= 1.26"
  fi
fi
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$cache_dir/bin" "$cache_dir/crds"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_dir/.build.lock"
  if ! flock -n 9; then
    log "another build holds $cache_dir/.build.lock; waiting for it"
    flock 9
    if all_ok; then
      log "built by the other process: $cache_dir"
      echo "$cache_dir"
      exit 0
    fi
  fi
fi

work=$(mktemp -d "$cache_dir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "go: $(go env GOVERSION) ($(command -v go)), GOPROXY=$(go env GOPROXY)"
log "building into $cache_dir (about 19 CPU-minutes with cold Go caches: 11-12 minutes on 2 idle cores, an hour on a busy one; seconds when cached)"

# Runs a command with its output in a log file and a heartbeat each minute;
# on failure shows the end of that output, which holds go's reason.
go_in() { # dir logname command...
  local dir=$1 out=$work/$2.log heartbeat status=0
  shift 2
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
  (cd "$dir" && "$@") >>"$out" 2>&1 || status=$?
  kill "$heartbeat" 2>/dev/null || true
  wait "$heartbeat" 2>/dev/null || true
  if ((status != 0)); then
    tail -n 30 "$out" >&2
    if grep -qE 'dial tcp|no such host|connection refused|i/o timeout|GOPROXY=off|TLS handshake|403 Forbidden|410 Gone|404 Not Found|not available' "$out"; then
      die "the Go module proxy ($(go env GOPROXY)) is unreachable or refused a module; '$*' failed (go output above)"
    fi
    die "'$*' failed in $dir (exit $status; go output above)"
  fi
}

# Copies module@version's source out of the module cache (downloading it
# through the proxy if needed) into $work/$name, writable, and prints nothing.
fetch_source() { # name module version
  local json dir
  if ! json=$(cd "$work" && go mod download -json "$2@$3" 2>&1); then
    die "cannot download $2@$3 through the Go module proxy ($(go env GOPROXY)): $(grep -m1 '"Error"' <<<"$json" || tail -n1 <<<"$json")"
  fi
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  [[ -d $dir ]] || die "go mod download gave no source directory for $2@$3"
  cp -R "$dir" "$work/$1"
  chmod -R u+w "$work/$1"
}

# The `./api` replace only works inside the upstream repository (the api is a
# separate module, not part of the module zip): use the published api module
# at the version the controller requires.
point_api_at_published() { # dir api-module
  local version
  version=$(cd "$1" && go list -m -f '{{.Version}}' "$2" 2>/dev/null || true)
  [[ -n $version ]] || version=$(awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$1/go.mod")
  [[ -n $version ]] || die "cannot find the version of $2 required in $1/go.mod"
  (cd "$1" && go mod edit -dropreplace "$2" -replace "$2=$2@$version")
}

build_controller() { # name version extra-replace-or-empty
  local name=$1 module=github.com/fluxcd/$1 version=$2 replace=${3-} src
  src=$work/$name
  log "$name $version: fetching module source"
  fetch_source "$name" "$module" "$version"
  point_api_at_published "$src" "$module/api"
  if [[ -n $replace ]]; then
    (cd "$src" && go mod edit -replace "$replace")
    log "$name: replace $replace (not tested by upstream)"
  fi
  # No `go mod download` first: without arguments it also fetches test-only
  # modules, some of which the proxy refuses; the build fetches what it needs.
  log "$name: downloading dependencies and compiling (the slow part)"
  go_in "$src" "$name" go build -trimpath -ldflags "-s -w" -o "$work/$name.bin" .
  rm -rf "$cache_dir/crds/$name"
  mkdir -p "$cache_dir/crds/$name"
  cp "$src"/config/crd/bases/*.yaml "$cache_dir/crds/$name/"
  mv -f "$work/$name.bin" "$cache_dir/bin/$name"
  printf '%s\n' "$version${replace:+ $replace}" >"$cache_dir/bin/$name.version"
  log "$name done"
}

if ! controller_ok source-controller "$FLUX_SOURCE_CONTROLLER_VERSION $FLUX_SOURCE_CONTROLLER_REPLACE"; then
  build_controller source-controller "$FLUX_SOURCE_CONTROLLER_VERSION" "$FLUX_SOURCE_CONTROLLER_REPLACE"
fi
if ! controller_ok kustomize-controller "$FLUX_KUSTOMIZE_CONTROLLER_VERSION"; then
  build_controller kustomize-controller "$FLUX_KUSTOMIZE_CONTROLLER_VERSION" ""
fi

all_ok || die "the built controllers in $cache_dir do not pass their checks"
log "done in $((SECONDS - started))s: $cache_dir"
echo "$cache_dir"
