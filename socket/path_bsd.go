//go:build unix && !linux

package socket

// maxUnixPath is sizeof(sun_path) on the BSDs and macOS.
const maxUnixPath = 104
