# Handover. `make run` opens the app on a demo vault; `make test` runs every test.
# Both first install missing Debian/Ubuntu packages (apt-get; sudo when not root).

GO      ?= go
BIN     := bin/handover
# Packages for cgo GUI builds (Fyne's OpenGL driver, GTK for native file dialogs).
DEB_BUILD := gcc pkg-config libgl1-mesa-dev libxxf86vm-dev libgtk-3-dev
# Packages for tests that look at output (screens under Xvfb, PDFs).
DEB_TEST  := xvfb xauth poppler-utils qpdf openssh-client age

# Version and build time come from FyneApp.toml and the commit, never from the clock.
VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DATE    := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X handover/app/version.Version=$(VERSION) -X handover/app/version.Commit=$(COMMIT) -X handover/app/version.Date=$(DATE)
# Execution counts, not durations: a duration-based -fuzztime can fail with "context deadline
# exceeded" on a loaded machine without any finding (golang/go#51484).
FUZZTIME ?= 100000x
FUZZTIME_SLOW ?= 30000x

export GSETTINGS_BACKEND := memory
# Every go command builds with -trimpath, so vet, tests and the release build share one
# build cache (the cgo GUI stack takes minutes to compile cold).
export GOFLAGS := $(GOFLAGS) -trimpath

.PHONY: run test build bench deps-build deps-test deps-package lint fuzz faults package repro-check clean

run: deps-build build
	./$(BIN) gui --demo

build: deps-build
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

test: deps-test lint
	$(GO) test -race -short ./app/... ./store/... ./crypto/...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory build
	packaging/smoke-gui.sh $(BIN)

# Each parser's fuzz target runs briefly; longer runs: make fuzz FUZZTIME=5m FUZZTIME_SLOW=5m
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./app/idcard/
	$(GO) test -run '^$$' -fuzz '^FuzzUnwrap$$' -fuzztime $(FUZZTIME_SLOW) ./crypto/keyslot/
	$(GO) test -run '^$$' -fuzz '^FuzzOpen$$' -fuzztime $(FUZZTIME) ./crypto/seal/
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshalDate$$' -fuzztime $(FUZZTIME) ./store/model/
	$(GO) test -run '^$$' -fuzz '^FuzzUnpackRepayments$$' -fuzztime $(FUZZTIME) ./store/
	$(GO) test -run '^$$' -fuzz '^FuzzBinaryRecord$$' -fuzztime $(FUZZTIME) ./store/
	$(GO) test -run '^$$' -fuzz '^FuzzIDNumber$$' -fuzztime $(FUZZTIME) ./app/validate/
	$(GO) test -run '^$$' -fuzz '^FuzzAmount$$' -fuzztime $(FUZZTIME) ./app/validate/
	$(GO) test -run '^$$' -fuzz '^FuzzDate$$' -fuzztime $(FUZZTIME) ./app/validate/
	$(GO) test -run '^$$' -fuzz '^FuzzCreditCode$$' -fuzztime $(FUZZTIME) ./app/validate/
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME_SLOW) ./app/importer/
	$(GO) test -run '^$$' -fuzz '^FuzzReaderDirect$$' -fuzztime $(FUZZTIME_SLOW) ./app/importer/
	$(GO) test -run '^$$' -fuzz '^FuzzXLSStream$$' -fuzztime $(FUZZTIME) ./app/importer/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) ./crypto/sshsig/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME_SLOW) ./app/bag/
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyBackup$$' -fuzztime $(FUZZTIME_SLOW) ./store/
	$(GO) test -run '^$$' -fuzz '^FuzzLogDamage$$' -fuzztime $(FUZZTIME_SLOW) ./store/
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyAuditArchive$$' -fuzztime $(FUZZTIME_SLOW) ./store/
	$(GO) test -run '^$$' -fuzz '^FuzzTakeAuthFailures$$' -fuzztime $(FUZZTIME_SLOW) ./store/
	$(GO) test -run '^$$' -fuzz '^FuzzReadReport$$' -fuzztime $(FUZZTIME_SLOW) ./app/notice/
	$(GO) test -run '^$$' -fuzz '^FuzzParseTemplate$$' -fuzztime $(FUZZTIME_SLOW) ./app/notice/
	$(GO) test -run '^$$' -fuzz '^FuzzCodeAndSegments$$' -fuzztime $(FUZZTIME_SLOW) ./app/notice/
	$(GO) test -run '^$$' -fuzz '^FuzzPackageCustomers$$' -fuzztime $(FUZZTIME) ./app/vault/

# The fault-injection suites at full stride (make test runs them short): single-bit flips
# across every file of a vault, its crash image, a backup and a package (docs/VAULT.md).
faults:
	HANDOVER_FAULTS_LONG=1 $(GO) test -count=1 -run '^TestFaults' -timeout 30m ./store/ ./app/handoverpkg/

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Measures unlock, demo generation, imports, packages and destruction; rewrites docs/BENCHMARKS.md.
# The 1,000,000-customer destruction benchmarks run in benchreport, each inside a 600 MiB cgroup.
bench: deps-test build
	$(GO) test -run '^$$' -bench . -skip 'Destroy.*1M' -benchmem ./crypto/... ./store/... ./app/cert/... | tee /tmp/handover-gobench.txt
	$(GO) test -run '^$$' -bench 'Stage' -benchmem ./app/importer/ | tee -a /tmp/handover-gobench.txt
	$(GO) test -run '^$$' -bench 'Receive|Export|PartsWrite' -benchmem ./app/handoverpkg/ | tee -a /tmp/handover-gobench.txt
	$(GO) run ./app/cmd/benchreport -bin $(BIN) -gobench /tmp/handover-gobench.txt -out docs/BENCHMARKS.md

# Release artifacts in dist/: Linux tarballs, Windows .exe, SHA256SUMS and its signature.
#   make package RELEASE_KEY=/path/to/ed25519-key
package: deps-package
	RELEASE_KEY='$(RELEASE_KEY)' packaging/package.sh

# Two builds of the commit, from different folders and caches, must be byte-identical.
repro-check: deps-build
	packaging/repro-check.sh

deps-package:
	@packaging/install-deps.sh $(DEB_BUILD) gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 xz-utils file openssh-client

deps-build:
	@packaging/install-deps.sh $(DEB_BUILD)

deps-test:
	@packaging/install-deps.sh $(DEB_BUILD) $(DEB_TEST)

clean:
	rm -rf bin dist
