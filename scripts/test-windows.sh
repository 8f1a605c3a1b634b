#!/usr/bin/env bash
# test-windows.sh: run nodenet's Windows build (the IOCP/AFD_POLL poller, the
# reactor, the write queue, and the socket and server packages over TCP) under
# Wine, headless, from Linux.
#
#   scripts/test-windows.sh [go test flags...]     e.g. -v -run TestInLoop
#
# Each run:
#   1. installs Wine and the MinGW-w64 C compiler with apt-get if either is
#      missing (Debian/Ubuntu; sudo is used when not root);
#   2. makes a fresh, throwaway WINEPREFIX under a temporary directory;
#   3. builds internal/winestub/bcryptprimitives.c into the prefix's system32
#      (Go >= 1.22 needs ProcessPrng, which Wine 8.0 lacks);
#   4. puts scripts/go_windows_amd64_exec on PATH, so that
#      GOOS=windows GOARCH=amd64 go test hands each test binary to Wine;
#   5. runs the tests of the packages that support Windows today;
#   6. kills the prefix's wineserver and deletes the prefix, whatever happened.
#
# Environment: GO (default go), WINDOWS_PKGS (default ". ./reactor/ ./buffer/
# ./socket/ ./server/"), TMPDIR (where the prefix goes). See docs/platforms.md
# for what is and is not covered.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
GO=${GO:-go}
read -r -a pkgs <<<"${WINDOWS_PKGS:-. ./reactor/ ./buffer/ ./socket/ ./server/}"

say() { printf 'test-windows: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}
start=$SECONDS

# --- 1. tools --------------------------------------------------------------
command -v "$GO" >/dev/null || die "$GO not found on PATH"
if ! command -v wine >/dev/null || ! command -v wineserver >/dev/null ||
	! command -v x86_64-w64-mingw32-gcc >/dev/null; then
	command -v apt-get >/dev/null ||
		die "need wine (64-bit) and x86_64-w64-mingw32-gcc; install them (no apt-get here)"
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: cannot apt-get install wine"
		sudo=(sudo -n)
	fi
	say "installing wine, wine64, gcc-mingw-w64-x86-64-win32 (apt-get)..."
	log=$(mktemp)
	if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq update &&
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y \
			--no-install-recommends wine wine64 gcc-mingw-w64-x86-64-win32; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "apt-get install failed"
	fi
	rm -f "$log"
	hash -r
	say "installed in $((SECONDS - start))s"
fi

# --- 2. a fresh prefix -----------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodenet-wine.XXXXXX")
export WINEPREFIX="$tmp/prefix" WINEARCH=win64
export WINEDEBUG=-all                   # no fixme/err chatter, no wine32 hint
export WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono/Gecko install prompts
export DISPLAY= WAYLAND_DISPLAY=         # headless: no X, no GUI
export HOME="${HOME:-$tmp}"
# Debian's wineserver makes its socket directory with mkdtemp under $TMPDIR
# (/tmp/wine-XXXXXX) and never removes it; keep it inside what we delete.
export TMPDIR="$tmp"

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "${gotest:-}" ]; then
		kill -TERM "$gotest" 2>/dev/null || true
		wait "$gotest" 2>/dev/null || true
	fi
	# Kill only this prefix's server (and with it any Wine process still
	# running in the prefix), wait for it to go, then drop the prefix. rm -rf
	# does not follow the prefix's dosdevices symlinks (z: -> /).
	wineserver -k >/dev/null 2>&1 || true
	wineserver -w >/dev/null 2>&1 || true
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t=$SECONDS
if ! timeout 180 wineboot --init >"$tmp/wineboot.log" 2>&1; then
	cat "$tmp/wineboot.log" >&2
	die "wineboot --init failed"
fi
sys32="$WINEPREFIX/drive_c/windows/system32"
[ -d "$sys32" ] || die "wineboot made no $sys32"

# --- 3. ProcessPrng for the Go runtime -------------------------------------
# A Wine new enough to ship bcryptprimitives.dll keeps its own.
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
	x86_64-w64-mingw32-gcc -shared -O2 -o "$sys32/bcryptprimitives.dll" \
		internal/winestub/bcryptprimitives.c -lbcrypt
fi
say "$(wine --version 2>/dev/null) prefix ready in $((SECONDS - t))s: $WINEPREFIX"

# --- 4. the exec wrapper ---------------------------------------------------
# Copied so that a checkout without the executable bit still works.
mkdir "$tmp/bin"
cp scripts/go_windows_amd64_exec "$tmp/bin/"
chmod +x "$tmp/bin/go_windows_amd64_exec"
export PATH="$tmp/bin:$PATH"

# --- 5. the tests ----------------------------------------------------------
# -count=1: the result must come from Wine now, never from the test cache.
t=$SECONDS
say "GOOS=windows GOARCH=amd64 go test ${pkgs[*]}"
# In the background so that a signal is handled at once (bash runs traps
# only between foreground commands); cleanup stops it.
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" test -count=1 -timeout 300s "$@" "${pkgs[@]}" &
gotest=$!
status=0
wait "$gotest" || status=$?
gotest=
say "tests took $((SECONDS - t))s, $((SECONDS - start))s in all"
exit "$status"
