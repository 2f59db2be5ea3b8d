GO ?= go
BIN := bin

.PHONY: build test lint vet actionlint demo bench bench-compare interop conformance

# The machine's GOFLAGS may turn off Go's VCS stamps (-buildvcs=false), so the version, commit and commit date
# that `kongsnap version` prints are linked in here, as GoReleaser does for releases.
VERSION ?= $(shell git describe --tags 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE ?= $(shell git log -1 --format=%cI 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

actionlint:
	bash scripts/actionlint.sh

test: lint vet actionlint
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

# Every target of issue 17 in one run: dump, delayed dump, backups, diff, drift, restore plan and a 10k restore,
# kongsnap against decK and against its own dump, on generated kongsims (N entities, default 100000), RUNS
# times; one table of medians, ratios and PASS/MISS. See README, Benchmarks.
bench-compare:
	bash scripts/bench-compare.sh

interop: build
	bash scripts/interop.sh
	bash scripts/interop-kongsnap.sh
	bash scripts/interop-yaml11.sh

demo: build
	bash scripts/demo.sh

# go-kong v0.78.0's own kong/ tests against kongsim, or against KONG_ADMIN_URL when set.
conformance:
	bash scripts/conformance.sh
