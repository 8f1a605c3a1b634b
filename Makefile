# nodenet — the two commands a new user needs are `make run` and `make test`.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
CROSS_OSES  := darwin freebsd netbsd openbsd dragonfly windows
PKGS        := ./...

.PHONY: test vet unit conformance conformance-update cross lint bench run soak

# test: what CI runs (.ci/run calls this and nothing else).
test: vet tidy bench-vet unit conformance cross test-windows

vet:
	$(GO) vet $(PKGS)

# tidy: go.mod and go.sum of both modules are exactly what `go mod tidy`
# writes (it prints the difference and fails otherwise).
.PHONY: tidy bench-vet
tidy:
	$(GO) mod tidy -diff
	cd bench && $(GO) mod tidy -diff

# bench-vet: the bench module (its own go.mod) builds and vets against the
# library as it is now, so an API change cannot break `make bench` unseen.
bench-vet:
	cd bench && $(GO) build ./... && $(GO) vet ./...

unit: tools
	$(GO) test -race -timeout 15m $(PKGS)

# tools: the real peers the protocol examples are tested against (redis-cli,
# redis-benchmark, redis-server, curl, wrk, openssl); apt-get only when one is
# missing. Also Node v26 in conformance/.node (npm), for the tls peer tests.
.PHONY: tools
tools:
	sh scripts/install-tools.sh
	$(GO) run ./conformance -node >/dev/null

# conformance: the differential suite (conformance/, docs/differential.md):
# every scenario run in Node v26 (installed with npm into conformance/.node
# when missing) and in nodenet, traces compared. One scenario:
# make conformance RUN=connect_refused (a regexp), or go run ./conformance -v NAME.
conformance:
	GO=$(GO) $(GO) run ./conformance $(RUN)

# conformance-update: after fixing a divergence, rewrite the .pending files
# (a scenario that matches Node loses its own) and conformance/PENDING.md.
conformance-update:
	GO=$(GO) $(GO) run ./conformance -update $(RUN)

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

# bench: every echo server (nodenet 1 loop and a Group of 2, C epoll, gnet v2,
# Node, Go stdlib) under the checked load generator, the TLS cells (handshakes,
# 1 KiB ping-pong, idle memory against Node and crypto/tls), and the protocol cells of
# issue 15 (examples/resp against redis-server and a Go stdlib RESP server
# under redis-benchmark; examples/http against gnet, net/http and Node under
# wrk), and the proxy cells of issue 16 (examples/proxy against HAProxy
# splicing and not, Go's io.Copy, gnet and Node, in front of the C epoll
# echo), echo, protocol and proxy cells alternating in the same 5 rounds,
# then the allocation runs of all; server on CPU 0 and load on CPU 1. At
# most 33 minutes: new work stops at 30 (fewer rounds, or shorter echo
# windows, when other processes force redos), the allocation runs and the
# report fit in the rest. Writes docs/bench.md (echo, protocol and proxy
# tables, one report), docs/bench.svg, docs/bench-protocols.svg and
# docs/bench-proxy.svg (raw data: bench/results/full.json). Installs
# Debian's haproxy when missing. See bench/README.md.
bench: tools haproxy
	cd bench && GO=$(GO) ./build.sh && ./bin/nnbench run -rounds 5 -budget 30m \
		-out results/full -md ../docs/bench.md -svg ../docs/bench.svg -psvg ../docs/bench-protocols.svg \
		-xsvg ../docs/bench-proxy.svg

# bench-quick: a 1-minute subset (ping-pong 64 B at 50 connections and
# streaming, 3 rounds); writes bench/results/quick.{json,md,svg}.
.PHONY: bench-quick
bench-quick:
	cd bench && GO=$(GO) ./build.sh && ./bin/nnbench run -quick -rounds 3 -window 800ms -budget 60s \
		-out results/quick -md results/quick.md -svg results/quick.svg

# bench-protocols: the protocol cells alone (a subset of make bench, for
# work on the examples): 3 rounds plus their allocation runs, at most 6
# minutes; writes bench/results/protocols.{json,md,svg}. The record is
# make bench's docs/bench.md.
.PHONY: bench-protocols
bench-protocols: tools
	cd bench && GO=$(GO) ./build.sh && ./bin/nnbench run -protocols -rounds 3 -budget 5m \
		-out results/protocols -md results/protocols.md -svg results/protocols.svg

# bench-proxy: the proxy cells alone (a subset of make bench, for work on
# Pipe and examples/proxy) with the streaming echo cell, 3 rounds plus the
# proxy allocation runs, at most 10 minutes (the two streaming cells run
# each system 3 times per round: 76 runs a round, ~3 min at load 4; under
# more load nnbench shortens the window to fit); writes
# bench/results/proxy.{json,md,svg}. The record is make bench's
# docs/bench.md. The threshold sweep behind SpliceAuto:
# `cd bench && ./bin/nnbench run -cells splice-pp1k,splice-pp4k,splice-pp16k,splice-pp64k,splice-pp256k,splice-stream`;
# the descriptors of 15,000 idle proxied pairs: `./bin/nnbench fds`.
.PHONY: bench-proxy haproxy
bench-proxy: haproxy
	cd bench && GO=$(GO) ./build.sh && ./bin/nnbench run -proxy -rounds 3 -budget 10m \
		-out results/proxy -md results/proxy.md -svg results/proxy.svg

# haproxy: Debian's HAProxy, for the proxy cells; apt-get only when missing.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy; }

# bench-micro: the library's own go test benchmarks (reactor, write queue,
# socket hot paths); figures in docs/performance.md.
.PHONY: bench-micro
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1s . ./reactor/ ./buffer/ ./socket/

run:
	$(GO) run ./examples/echo -selftest
	$(GO) run ./examples/echo -selftest -tls

# test-windows: the Windows build (poller, reactor, buffer, socket, server) run under Wine,
# headless; installs Wine and MinGW with apt-get when missing and uses a fresh
# Wine prefix each run. See scripts/test-windows.sh and docs/platforms.md.
.PHONY: test-windows
test-windows:
	GO=$(GO) bash scripts/test-windows.sh

# soak: the long reliability runs (15,000 connections for a minute, the
# long fault and abuse variants, and the cross-goroutine contract stress
# harness for NODENET_STRESS_MS, 2 minutes by default) and the timing
# assertions kept out of `make test` (the EMFILE flood's CPU share), 4,000
# idle proxied pairs holding no pipes, 40 seeds of the pipe property test per
# path, and the whole socket package with every pipe splicing
# (NODENET_TEST_SPLICE=always); bounded to 25 minutes in all.
soak:
	NODENET_SOAK=1 $(GO) test -v -count=1 -timeout 15m ./reliability/
	NODENET_SOAK=1 $(GO) test -v -count=1 -timeout 5m -run '^TestEMFILEServerSurvives$$' ./server/
	NODENET_SOAK=1 $(GO) test -v -count=1 -timeout 5m -run '^TestProxyIdlePairsHoldNoPipes$$' ./examples/proxy/
	NODENET_PIPE_SEEDS=40 $(GO) test -race -count=1 -timeout 10m -run '^TestPipeProperty$$' ./socket/
	NODENET_TEST_SPLICE=always $(GO) test -race -count=1 -timeout 10m ./socket/
