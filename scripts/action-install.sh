#!/usr/bin/env bash
# The Action's install step: download the released kongsnap binary matching the action's own ref and verify it
# against the release's checksums file; only a ref that is no release (a branch or a SHA) is built from source.
#
# Environment (action.yml sets it; tests point the URLs at a local server):
#   KONGSNAP_REF          the action's ref: v1.2.3, v1 or v1.2 (the release the tag points at), a branch or a SHA
#   KONGSNAP_RELEASES     base URL of release assets, <base>/<tag>/<file> (default $GITHUB_SERVER_URL/<repo>/releases/download)
#   KONGSNAP_SOURCE       git URL of the action's repository, to resolve a major tag (default $GITHUB_SERVER_URL/<repo>)
#   KONGSNAP_REPOSITORY   owner/name of the action's repository (default kongsnap/kongsnap)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT as the runner sets them
# Outputs: mode=release|source, version, bin-dir.
set -euo pipefail

die() { echo "::error title=kongsnap install::$*" >&2; exit 1; }
out() { [ -n "${GITHUB_OUTPUT:-}" ] && echo "$1=$2" >>"$GITHUB_OUTPUT"; echo "$1=$2"; }

ref=${KONGSNAP_REF:-} # empty for a local action (uses: ./): build it
repo=${KONGSNAP_REPOSITORY:-kongsnap/kongsnap}
server=${GITHUB_SERVER_URL:-https://github.com}
releases=${KONGSNAP_RELEASES:-$server/$repo/releases/download}
source=${KONGSNAP_SOURCE:-$server/$repo}
bin_dir=${RUNNER_TEMP:?RUNNER_TEMP is not set}/kongsnap-bin
mkdir -p "$bin_dir"
out bin-dir "$bin_dir"

semver='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
tag=""
if [ -z "$ref" ]; then
  :
elif [[ $ref =~ $semver ]]; then
  tag=$ref
elif [[ $ref =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
  # A moving major (or minor) tag: the release is the full version tag on the same commit.
  refs=$(git ls-remote --tags "$source" "$ref" "$ref.*" 2>/dev/null) || die "cannot list the tags of $source to resolve $ref"
  commit=$(awk -v r="refs/tags/$ref" '$2 == r"^{}" {print $1; found=1} $2 == r && !found {c=$1} END {if (!found) print c}' <<<"$refs" | tail -1)
  [ -n "$commit" ] || die "tag $ref not found in $source"
  tag=$(awk -v c="$commit" '$1 == c {sub("refs/tags/", "", $2); sub("\\^\\{\\}$", "", $2); print $2}' <<<"$refs" |
    grep -E "$semver" | sort -V | tail -1 || true)
  [ -n "$tag" ] || die "tag $ref points at $commit, which no release tag (vX.Y.Z) names; push a release tag there"
fi
if [ -z "$tag" ]; then
  out mode source
  echo "kongsnap: ref ${ref:-(local action)} is not a release; building from source"
  exit 0
fi

case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS*) os=windows ;;
  *) die "no kongsnap release for runner OS ${RUNNER_OS:-$(uname -s)}" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) die "no kongsnap release for runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
esac
version=${tag#v}
ext=tar.gz
[ "$os" = windows ] && ext=zip
archive="kongsnap_${version}_${os}_${arch}.$ext"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { curl -fsSL --retry 3 --retry-delay 2 -o "$work/$1" "$releases/$tag/$1" || die "downloading $releases/$tag/$1 failed"; }
fetch checksums.txt
fetch "$archive"
want=$(awk -v f="$archive" '$2 == f || $2 == "*"f {print $1}' "$work/checksums.txt")
[ -n "$want" ] || die "checksums.txt of $tag lists no $archive"
if command -v sha256sum >/dev/null; then
  got=$(sha256sum "$work/$archive" | awk '{print $1}')
else
  got=$(shasum -a 256 "$work/$archive" | awk '{print $1}')
fi
[ "$got" = "$want" ] || die "checksum mismatch for $archive of $tag: got sha256 $got, checksums.txt says $want; refusing to run it"
if [ "$ext" = zip ]; then
  unzip -q -o "$work/$archive" -d "$bin_dir"
else
  tar -xzf "$work/$archive" -C "$bin_dir"
fi
[ -x "$bin_dir/kongsnap" ] || [ -f "$bin_dir/kongsnap.exe" ] || die "$archive holds no kongsnap binary"
out mode release
out version "$tag"
echo "kongsnap: installed release $tag ($os/$arch), sha256 $got verified"
