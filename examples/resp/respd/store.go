package respd

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/nodenet/nodenet/reactor"
)

// Store is the keyspace: string keys to byte-string values, each with an
// optional expiry. It is shared by every loop of a Server, so it is split
// into shards with a mutex each; with one loop the locks are never
// contended and cost a few nanoseconds per command.
//
// Expiry is Redis's, in two halves: a loop timer per key with a TTL deletes
// it when it is due (so memory is given back without a read), and every
// access checks the deadline first (a timer fires at or after its time, and
// loop time is read once per iteration, so a read just at the deadline must
// not see the value).
type Store struct {
	seed   maphash.Seed
	shards [storeShards]shard
}

const storeShards = 64

type shard struct {
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	val []byte
	// expireAt is the deadline on the store's clock (nanoseconds since
	// epoch); 0 means no expiry.
	expireAt int64
	timer    *reactor.Timer
}

// epoch anchors the store's monotonic clock.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

// NewStore returns an empty keyspace.
func NewStore() *Store {
	st := &Store{seed: maphash.MakeSeed()}
	for i := range st.shards {
		st.shards[i].m = make(map[string]*entry)
	}
	return st
}

func (st *Store) shardOf(key []byte) *shard {
	return &st.shards[maphash.Bytes(st.seed, key)%storeShards]
}

// live returns the key's entry, deleting it first if it has expired.
// The shard lock is held.
func (sh *shard) live(key []byte, t int64) *entry {
	e := sh.m[string(key)]
	if e != nil && e.expireAt != 0 && t >= e.expireAt {
		sh.drop(string(key), e)
		return nil
	}
	return e
}

func (sh *shard) drop(key string, e *entry) {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	delete(sh.m, key)
}

func (e *entry) clearTTL() {
	e.expireAt = 0
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
}

// set stores val under key (copying it), reusing the old value's memory
// when it fits, so overwriting a key allocates nothing. keepTTL keeps an
// existing expiry (SET … KEEPTTL); otherwise it is cleared, as SET does.
// The lock is held.
func (sh *shard) set(key, val []byte, t int64, keepTTL bool) *entry {
	return sh.put(key, val, sh.live(key, t), keepTTL)
}

// put is set for a caller that has just looked the key up (live, under the
// same lock): e is that entry or nil. SET and INCR look the key up before
// writing it, and a second hash lookup was their largest user-space cost in
// the -P 1 profile (runtime.mapaccess1_faststr, 3.4% of the server's CPU).
func (sh *shard) put(key, val []byte, e *entry, keepTTL bool) *entry {
	if e == nil {
		e = &entry{val: append(make([]byte, 0, len(val)), val...)}
		sh.m[string(key)] = e
		return e
	}
	e.val = append(e.val[:0], val...)
	if !keepTTL {
		e.clearTTL()
	}
	return e
}

// expire gives e a deadline d from now, with a timer on loop that deletes
// the key when it comes due.
func (st *Store) expire(sh *shard, loop *reactor.Loop, key []byte, e *entry, d time.Duration, t int64) {
	e.clearTTL()
	e.expireAt = t + int64(d)
	st.arm(sh, loop, string(key), e, d)
}

func (st *Store) arm(sh *shard, loop *reactor.Loop, key string, e *entry, d time.Duration) {
	deadline := e.expireAt
	var tm *reactor.Timer
	tm = loop.SetTimeout(d, func() {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		if sh.m[key] != e || e.expireAt != deadline || e.timer != tm {
			return // overwritten, persisted or re-expired since
		}
		if left := deadline - now(); left > 0 {
			// Loop time runs a little behind the clock: come back for the rest.
			e.timer = nil
			st.arm(sh, loop, key, e, time.Duration(left))
			return
		}
		e.timer = nil
		delete(sh.m, key)
	})
	// An expiry alone must not keep a loop (or a program's Run) alive.
	tm.Unref()
	e.timer = tm
}
