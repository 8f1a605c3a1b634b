// Package server is Node's net.Server on the nodenet reactor: listen on a TCP
// port, a Unix socket path (or Linux abstract name) or an inherited
// descriptor; accept connections into socket.Sockets; close gracefully; limit
// and count connections; and spread connections over the loops of a
// reactor.Group.
//
// The server's own events (listening, error, close, drop) run on its home
// loop (Options.Loop, or the Group's first loop). Each connection, and its
// 'connection' event, runs on the loop that owns the new socket, so with a
// Group the connection handler runs on several goroutines: keep state it
// shares across connections safe for that, as with Node's cluster.
//
// Listeners follow Node's EventEmitter: On… and Once… for every event, from
// any goroutine; they return an Added, the Server (calls chain, as Node's
// server.on returns the server) with the listener's ID for RemoveListener;
// RemoveAllListeners and ListenerCount take an EventName.
package server
