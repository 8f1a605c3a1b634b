package httpd

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
)

// dateCache is the Date header value of one loop, refreshed by a 1 s loop
// interval (as every fast HTTP server does, TechEmpower's rules allow it):
// formatting a date per response would cost more than the rest of a
// plaintext response.
type dateCache struct {
	b []byte
}

// httpDate is RFC 9110's IMF-fixdate layout (net/http.TimeFormat).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

func newDateCache(l *reactor.Loop) *dateCache {
	d := &dateCache{b: make([]byte, 0, len(httpDate))}
	d.update()
	t := l.SetInterval(time.Second, d.update)
	t.Unref() // the clock alone must not keep a loop running
	return d
}

func (d *dateCache) update() {
	d.b = time.Now().UTC().AppendFormat(d.b[:0], httpDate)
}
