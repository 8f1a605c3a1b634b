//go:build !race

package tls_test

const raceEnabled = false
