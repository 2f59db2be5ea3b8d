#!/usr/bin/env bash
# Lints action.yml (through the workflow that uses it as ./) and every workflow, with actionlint built from the
# Go module proxy into .cache/ on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v1.7.7
bin=".cache/actionlint-$version/actionlint"
if [ ! -x "$bin" ]; then
  GOBIN="$PWD/$(dirname "$bin")" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
"$bin" -shellcheck= .github/workflows/*.yml examples/workflows/*.yml
echo "actionlint: action.yml and $(ls .github/workflows/*.yml examples/workflows/*.yml | wc -l) workflows clean"
