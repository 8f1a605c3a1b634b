// Command nethttp is the Go net/http server of the protocol benchmarks:
// TechEmpower's /plaintext and /json handlers on http.Server (goroutine
// per connection; net/http adds Date). -loops sets GOMAXPROCS.
//
//	nethttp -addr 127.0.0.1:8080 -loops 1
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"runtime"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "host:port to listen on")
	loops := flag.Int("loops", 1, "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*loops)
	hello := []byte("Hello, World!")
	mux := http.NewServeMux()
	mux.HandleFunc("/plaintext", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Server"] = []string{"nethttp"}
		h["Content-Type"] = []string{"text/plain"}
		w.Write(hello)
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Server"] = []string{"nethttp"}
		h["Content-Type"] = []string{"application/json"}
		json.NewEncoder(w).Encode(struct {
			Message string `json:"message"`
		}{"Hello, World!"})
	})
	fmt.Printf("net/http listening on %s with GOMAXPROCS=%d\n", *addr, *loops)
	log.Fatal((&http.Server{Addr: *addr, Handler: mux}).ListenAndServe())
}
