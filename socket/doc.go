// Package socket is Node's net.Socket on the nodenet reactor: a TCP or Unix
// domain stream socket with Node's events (connect, ready, lookup, data, end,
// drain, error, timeout, close), Node's write queue and backpressure rules,
// half-open handling, encodings, timeouts and pipe.
//
// A Socket belongs to one reactor.Loop for its whole life and every callback
// runs on that loop's goroutine, in Node's order. Every exported method may be
// called from any goroutine: on the loop it acts inline, elsewhere it is posted
// to the loop. Callbacks must not block.
//
// Mapping from Node:
//
//	net.connect(opts, cb)        socket.Connect(socket.ConnectOptions{...}, cb)
//	net.connect(port, host, cb)  socket.ConnectTCP(loop, port, host, cb)
//	net.connect(path, cb)        socket.ConnectPath(loop, path, cb)
//	new net.Socket({fd})         socket.New(socket.Options{FD: fd, Loop: l})
//	socket.write(data, cb)       s.Send(data, cb) bool   (and io.Writer's s.Write)
//	socket.write(str, enc, cb)   s.SendString(str, enc, cb)
//	socket.end(data, cb)         s.End(data, cb)
//	socket.on('data', fn)        s.OnData(fn)            (OnceData, RemoveListener)
//	socket.bufferSize            s.BufferSize()
//	readable.pipe(dst)           s.Pipe(dst, nil)
package socket
