#!/bin/sh
# Builds every echo server and the harness into bench/bin/. Fails clearly if a
# tool is missing. Run from anywhere; `make bench` and `make bench-quick` call it.
set -e
cd "$(dirname "$0")"
GO=${GO:-go}
for tool in "$GO" gcc node taskset; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: '$tool' is required but not on PATH" >&2; exit 1; }
done
[ "$(uname -s)" = Linux ] || { echo "bench: Linux only (epoll, /proc, taskset)" >&2; exit 1; }
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || { echo "bench: needs at least 2 CPUs (server on CPU 0, load on CPU 1)" >&2; exit 1; }
mkdir -p bin results
(cd .. && "$GO" build -o bench/bin/nodenet ./examples/echo)
"$GO" build -o bin/gnet ./servers/gnet
"$GO" build -o bin/stdlib ./servers/stdlib
"$GO" build -o bin/nnbench ./cmd/nnbench
gcc -O2 -Wall -o bin/cepoll cepoll/echo.c
echo "bench: built nodenet cepoll gnet stdlib nnbench in bench/bin; node $(node --version)"
