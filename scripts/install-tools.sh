#!/bin/sh
# Installs the real peers the protocol examples are tested and benchmarked
# against (Debian packages): redis-cli/redis-benchmark (redis-tools),
# redis-server, curl, wrk, and openssl (s_client/s_server, for the tls
# package). Quick and idempotent: does nothing when all are
# present; otherwise apt-get update once, then install what is missing.
set -e
missing=""
for pair in redis-cli:redis-tools redis-benchmark:redis-tools redis-server:redis-server curl:curl wrk:wrk openssl:openssl; do
	tool=${pair%%:*}
	pkg=${pair#*:}
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-tools: missing$missing and no apt-get: install them by hand" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
pkgs=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
echo "install-tools: apt-get install -y $pkgs"
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $pkgs >/dev/null
# The redis-server package may start a system instance on 6379; the tests
# and benchmarks start their own on free ports, so stop it if it runs.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl stop redis-server >/dev/null 2>&1 || true; fi
