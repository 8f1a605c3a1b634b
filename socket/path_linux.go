//go:build linux

package socket

// maxUnixPath is sizeof(sun_path) on Linux.
const maxUnixPath = 108
