package socket

import "github.com/nodenet/nodenet/reactor"

// ConnectTCP is Node's positional net.connect(port[, host][, connectListener])
// and net.createConnection(port[, host][, connectListener]): Connect with
// only Loop, Port and Host set, every other option at its default. host ""
// is "localhost", as an omitted host in Node; cb, if not nil, is a one-time
// 'connect' listener. Bad arguments are returned at once with Node's codes
// (ERR_SOCKET_BAD_PORT for a port outside 0-65535, …); a port of 0 counts as
// missing, as in ConnectOptions (ERR_MISSING_ARGS; Node would try port 0 and
// report ECONNREFUSED). Use Connect for any other option.
func ConnectTCP(loop *reactor.Loop, port int, host string, cb func()) (*Socket, error) {
	return Connect(ConnectOptions{Loop: loop, Port: port, Host: host}, cb)
}

// ConnectPath is Node's positional net.connect(path[, connectListener]) and
// net.createConnection(path[, connectListener]): Connect to a Unix domain
// socket (a leading '@' or NUL byte is a Linux abstract name) or, on
// Windows, a named pipe (\\.\pipe\name), with every other option at its
// default. cb, if not nil, is a one-time 'connect' listener. An empty path
// is ERR_MISSING_ARGS; failures such as ENOENT come as the socket's 'error'
// event, as in Node.
func ConnectPath(loop *reactor.Loop, path string, cb func()) (*Socket, error) {
	return Connect(ConnectOptions{Loop: loop, Path: path}, cb)
}
