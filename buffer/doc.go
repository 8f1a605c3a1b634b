// Package buffer is a socket's write queue: the bytes a Node-style write() could
// not hand to the kernel at once, kept in pooled fixed-size chunks until the
// socket becomes writable again.
//
// It serves three Node behaviours. socket.bufferSize is Queue.Len, counting each
// queued byte once (Node v11 counted the chunk in flight twice:
// nodejs/node#34078). The 'drain' event and per-write callbacks are driven by
// Queue.Flushed passing an offset taken from Queue.Pushed when the write was
// queued. And Node's writev/cork batching is what Queue.Flush does by default:
// every queued chunk goes to the kernel in one gather write.
//
// # Concurrency
//
// Nothing in this package is safe for concurrent use. A Pool belongs to one
// event loop and every Queue that draws from it is used only from that loop's
// goroutine; that is what lets the steady path run without locks or atomics.
//
// # Memory
//
// Chunks come from slabs of 64 so that a busy loop makes few large allocations,
// and a Pool returns whole idle slabs to the garbage collector once it holds
// more free chunks than its cap, so an idle server gives memory back. An empty
// Queue holds no chunk, which keeps an idle connection's cost to the Queue
// struct itself.
package buffer
