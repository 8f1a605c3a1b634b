# nodenet — the two commands a new user needs are `make run` and `make test`.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
CROSS_OSES  := darwin freebsd netbsd openbsd dragonfly windows
PKGS        := ./...

.PHONY: test vet unit cross lint bench run soak

# test: what CI runs (.ci/run calls this and nothing else).
test: vet unit cross test-windows

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -timeout 15m $(PKGS)

# cross: every platform the library claims must build and vet.
cross:
	@set -e; for os in $(CROSS_OSES); do \
		echo "GOOS=$$os go vet"; \
		GOOS=$$os GOARCH=amd64 $(GO) vet $(PKGS); \
	done
	GOOS=darwin GOARCH=arm64 $(GO) build $(PKGS)
	GOOS=linux GOARCH=386 $(GO) build $(PKGS)
	GOOS=linux GOARCH=arm64 $(GO) build $(PKGS)

lint:
	$(GO) run $(STATICCHECK) $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1s ./reactor/ ./buffer/ .

run:
	$(GO) run ./examples/echo -selftest

# test-windows: the Windows build (poller, reactor, buffer, socket, server) run under Wine,
# headless; installs Wine and MinGW with apt-get when missing and uses a fresh
# Wine prefix each run. See scripts/test-windows.sh and docs/platforms.md.
.PHONY: test-windows
test-windows:
	GO=$(GO) bash scripts/test-windows.sh

# soak: the long reliability runs (15,000 connections for a minute, and the
# long fault and abuse variants); bounded to 15 minutes.
soak:
	NODENET_SOAK=1 $(GO) test -v -count=1 -timeout 15m ./reliability/
