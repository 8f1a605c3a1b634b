//go:build linux

package reliability

import "github.com/nodenet/nodenet/server"

func serverOptions() server.Options { return server.Options{} }
