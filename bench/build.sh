#!/bin/sh
# Builds every server and the harness into bench/bin/. Fails clearly if a
# tool is missing. Run from anywhere; `make bench`, `make bench-quick` and
# `make bench-protocols` call it.
#
# Node: every Node server runs on the pinned oracle, Node v26.10.0, installed
# with npm into bench/.node (gitignored) when missing and linked as bin/node;
# the `node` on PATH (possibly an end-of-life v20) is only used to run npm.
# The protocol cells also need redis-server, redis-benchmark and wrk
# (../scripts/install-tools.sh installs them).
set -e
cd "$(dirname "$0")"
GO=${GO:-go}
NODE_VERSION=26.10.0
for tool in "$GO" gcc taskset; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: '$tool' is required but not on PATH" >&2; exit 1; }
done
[ "$(uname -s)" = Linux ] || { echo "bench: Linux only (epoll, /proc, taskset)" >&2; exit 1; }
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || { echo "bench: needs at least 2 CPUs (server on CPU 0, load on CPU 1)" >&2; exit 1; }
mkdir -p bin results
node_bin=.node/node_modules/node/bin/node
if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
	command -v npm >/dev/null 2>&1 || { echo "bench: npm is required to install node@$NODE_VERSION" >&2; exit 1; }
	echo "bench: installing node@$NODE_VERSION into bench/.node"
	mkdir -p .node
	npm install --silent --no-audit --no-fund --prefix .node "node@$NODE_VERSION" >/dev/null
fi
[ "$("$node_bin" --version)" = "v$NODE_VERSION" ] || { echo "bench: $node_bin is not v$NODE_VERSION" >&2; exit 1; }
ln -sf "../$node_bin" bin/node
(cd .. && "$GO" build -o bench/bin/nodenet ./examples/echo)
(cd .. && "$GO" build -o bench/bin/resp ./examples/resp)
(cd .. && "$GO" build -o bench/bin/http ./examples/http)
(cd .. && "$GO" build -o bench/bin/proxy ./examples/proxy)
"$GO" build -o bin/stdproxy ./servers/stdproxy
"$GO" build -o bin/gnetproxy ./servers/gnetproxy
"$GO" build -o bin/gnet ./servers/gnet
"$GO" build -o bin/stdlib ./servers/stdlib
"$GO" build -o bin/stdresp ./servers/stdresp
"$GO" build -o bin/gnethttp ./servers/gnethttp
"$GO" build -o bin/nethttp ./servers/nethttp
"$GO" build -o bin/nnbench ./cmd/nnbench
gcc -O2 -Wall -o bin/cepoll cepoll/echo.c
echo "bench: built nodenet resp http proxy stdproxy gnetproxy cepoll gnet gnethttp stdlib stdresp nethttp nnbench in bench/bin; node $(bin/node --version)"
