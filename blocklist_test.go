package nodenet

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// Node's net.BlockList (conformance blocklist_rules; nodenet had none):
// what each kind of rule blocks, with IPv4-mapped addresses on either side.
func TestBlockListCheck(t *testing.T) {
	b := NewBlockList()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.AddAddress("127.0.0.2", ""))
	must(b.AddRange("10.0.0.1", "10.0.0.10", "ipv4"))
	must(b.AddSubnet("192.168.1.77", 24, "IPv4")) // host bits kept in the rule, ignored by the match
	must(b.AddSubnet("2001:db8:1234::", 48, "ipv6"))
	must(b.AddRange("::1", "::ffff", "ipv6"))
	must(b.AddAddress("::ffff:9.9.9.9", "ipv6"))
	cases := []struct {
		addr, family string
		want         bool
	}{
		{"127.0.0.2", "", true},
		{"127.0.0.2", "IPV4", true},
		{"127.0.0.3", "", false},
		{"::ffff:127.0.0.2", "ipv6", true}, // an IPv4 rule blocks the mapped form
		{"127.0.0.2", "ipv6", false},       // not an IPv6 address
		{"::ffff:127.0.0.2", "ipv4", false},
		{"127.0.0.2", "other", false}, // any other word means IPv6
		{"10.0.0.1", "", true},
		{"10.0.0.10", "", true},
		{"10.0.0.11", "", false},
		{"::ffff:10.0.0.5", "ipv6", true},
		{"192.168.1.0", "", true},
		{"192.168.1.255", "", true},
		{"192.168.2.0", "", false},
		{"2001:db8:1234:ffff::1", "ipv6", true},
		{"2001:db8:1235::", "ipv6", false},
		{"::10", "ipv6", true},
		{"0.0.0.5", "", false}, // ::ffff:0.0.0.5 is past ::ffff
		{"9.9.9.9", "", true},  // a mapped rule blocks the IPv4 address
		{"fe80::1%lo", "ipv6", false},
		{"nope", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		if got := b.Check(c.addr, c.family); got != c.want {
			t.Errorf("Check(%q, %q) = %v, want %v", c.addr, c.family, got, c.want)
		}
	}
	z := NewBlockList()
	must(z.AddCIDR("fe80::/10"))
	if !z.CheckAddr(netip.MustParseAddr("fe80::1%lo")) {
		t.Error("CheckAddr of a zoned address ignores its rules")
	}
	must(z.AddSubnet("::", 0, "ipv6"))
	if !z.Check("8.8.8.8", "") || !z.Check("::1", "ipv6") {
		t.Error("::/0 should block every address, IPv4 included (through its mapped form)")
	}
	var zero BlockList
	if zero.Check("1.2.3.4", "") || zero.Size() != 0 || len(zero.Rules()) != 0 {
		t.Error("zero BlockList is not empty")
	}
}

// Rules, Size, removal and JSON as Node's: addresses, then subnets, then
// ranges, newest first; an address added again (or as its mapped form)
// replaces its rule; duplicate subnets and ranges are kept and removed one
// at a time; a subnet is removed only by the same address and prefix.
func TestBlockListRules(t *testing.T) {
	b := NewBlockList()
	_ = b.AddAddress("1.2.3.4", "")
	_ = b.AddAddress("::ffff:1.2.3.4", "ipv6")
	_ = b.AddRange("10.0.0.1", "10.0.0.10", "")
	_ = b.AddRange("10.0.0.1", "10.0.0.10", "")
	_ = b.AddSubnet("10.1.2.3", 16, "")
	_ = b.AddCIDR("2001:db8::/32")
	want := []string{"Address: IPv6 ::ffff:1.2.3.4", "Subnet: IPv6 2001:db8::/32", "Subnet: IPv4 10.1.2.3/16",
		"Range: IPv4 10.0.0.1-10.0.0.10", "Range: IPv4 10.0.0.1-10.0.0.10"}
	if got := b.Rules(); strings.Join(got, "|") != strings.Join(want, "|") || b.Size() != 5 {
		t.Fatalf("Rules %q (size %d), want %q", got, b.Size(), want)
	}
	js, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	c := NewBlockList()
	if err := json.Unmarshal(js, c); err != nil || c.Size() != 5 || !c.Check("10.1.200.1", "") {
		t.Fatalf("round trip of %s: %v, %q", js, err, c.Rules())
	}
	_ = b.RemoveSubnet("10.1.0.0", 16, "")
	_ = b.RemoveRange("10.0.0.1", "10.0.0.10", "")
	_ = b.RemoveAddress("1.2.3.4", "")
	_ = b.RemoveCIDR("2001:db8::/32")
	want = []string{"Subnet: IPv4 10.1.2.3/16", "Range: IPv4 10.0.0.1-10.0.0.10"}
	if got := b.Rules(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after removals %q, want %q", got, want)
	}
	if s := b.String(); s != "BlockList { rules: [ 'Subnet: IPv4 10.1.2.3/16', 'Range: IPv4 10.0.0.1-10.0.0.10' ] }" {
		t.Errorf("String %s", s)
	}
	b.Clear()
	if b.Size() != 0 || b.Check("10.0.0.1", "") {
		t.Fatal("Clear left rules")
	}
}

// The argument errors in Node's words.
func TestBlockListErrors(t *testing.T) {
	b := NewBlockList()
	cases := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"bad address", b.AddAddress("nope", ""), CodeInvalidAddress, "Invalid socket address"},
		{"IPv6 as ipv4", b.AddAddress("::1", ""), CodeInvalidAddress, "Invalid socket address"},
		{"bad family", b.AddAddress("1.2.3.4", "ipv5"), CodeInvalidArgValue, "The property 'options.family' is invalid. Received 'ipv5'"},
		{"reversed", b.AddRange("10.0.0.10", "10.0.0.1", ""), CodeInvalidArgValue,
			"The argument 'start' must come before end. Received SocketAddress { address: '10.0.0.10', port: 0, family: 'ipv4', flowlabel: 0 }"},
		{"prefix 33", b.AddSubnet("10.0.0.0", 33, ""), CodeOutOfRange, `The value of "prefix" is out of range. It must be >= 0 && <= 32. Received 33`},
		{"prefix 129", b.AddSubnet("::", 129, "ipv6"), CodeOutOfRange, `The value of "prefix" is out of range. It must be >= 0 && <= 128. Received 129`},
		{"no slash", b.AddCIDR("10.0.0.0"), CodeInvalidArgValue, `The argument 'cidr' must contain a prefix length (e.g. "10.0.0.0/8"). Received '10.0.0.0'`},
		{"padded", b.AddCIDR("10.0.0.0/08"), CodeInvalidArgValue, `The argument 'cidr' prefix length must be a valid integer. Received '10.0.0.0/08'`},
		{"minus zero", b.RemoveCIDR("10.0.0.0/-0"), CodeInvalidArgValue, `The argument 'cidr' prefix length must be a valid integer. Received '10.0.0.0/-0'`},
		{"negative", b.AddCIDR("10.0.0.0/-1"), CodeOutOfRange, `The value of "prefix" is out of range. It must be >= 0 && <= 32. Received -1`},
		{"cidrs", b.AddCIDRs([]string{"1.0.0.0/8", "bad"}), CodeInvalidArgValue, `The argument 'cidr' must contain a prefix length (e.g. "10.0.0.0/8"). Received 'bad'`},
		{"addresses", b.AddAddresses([]string{"1.1.1.1", "x"}, ""), CodeInvalidAddress, "Invalid socket address"},
		{"fromJSON", b.FromJSON([]string{"Subnet: IPv4 10.0.0.0/40"}), CodeOutOfRange, `The value of "prefix" is out of range. It must be >= 0 && <= 32. Received 40`},
	}
	for _, c := range cases {
		var e *Error
		if !errors.As(c.err, &e) || e.Code != c.code || e.Message != c.msg {
			t.Errorf("%s: %v, want %s %q", c.name, c.err, c.code, c.msg)
		}
	}
	if b.Size() != 0 {
		t.Errorf("failed calls added rules: %q", b.Rules())
	}
	if err := json.Unmarshal([]byte(`{"a":1}`), b); err == nil {
		t.Error("UnmarshalJSON of an object succeeded")
	}
}

// fromJSON's unanchored patterns, as Node's #parseIPInfo: an entry that
// matches none is skipped.
func TestBlockListFromJSON(t *testing.T) {
	b := NewBlockList()
	if err := b.FromJSON([]string{"Subnet: IPv4 192.168.1.0/24", "xAddress: IPv4 9.9.9.9", "Address: IPv4 1.2.3.4.5",
		"Range: IPv4 192.168.2.1-192.168.2.10", "subnet: ipv6 fc00::/7 IPv6", "Range: IPv6 ::1-::5", "garbage", "Subnet: IPv4 10.0.0.0/100"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"Address: IPv4 1.2.3.4", "Address: IPv4 9.9.9.9", "Subnet: IPv4 10.0.0.0/10", "Subnet: IPv6 fc00::/7",
		"Subnet: IPv4 192.168.1.0/24", "Range: IPv6 ::1-::5", "Range: IPv4 192.168.2.1-192.168.2.10"}
	if got := b.Rules(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Rules %q\nwant  %q", got, want)
	}
	// The families' order, as Node v26 reads these: an entry naming IPv4
	// that no IPv4 pattern matches is read as IPv6; one that matches as
	// IPv4 is not read again; subnet before address before range.
	b = NewBlockList()
	if err := b.FromJSON([]string{"Address: IPv6 ::1 (not IPv4)", "Address: IPv4 1.2.3.4 or Address: IPv6 ::2",
		"Range: IPv4 1.1.1.1-1.1.1.9 Subnet: IPv4 10.0.0.0/8"}); err != nil {
		t.Fatal(err)
	}
	want = []string{"Address: IPv4 1.2.3.4", "Address: IPv6 ::1", "Subnet: IPv4 10.0.0.0/8"}
	if got := b.Rules(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Rules %q\nwant  %q", got, want)
	}
}

// A server checks every connection it accepts: CheckAddr must not allocate,
// and a list changed on one goroutine while others check it is race-free.
func TestBlockListCheckAddrAllocsAndRaces(t *testing.T) {
	b := NewBlockList()
	for _, c := range BlockListPrivateRanges() {
		if err := b.AddCIDR(c); err != nil {
			t.Fatal(err)
		}
	}
	_ = b.AddAddress("203.0.113.7", "")
	_ = b.AddRange("198.51.100.1", "198.51.100.9", "")
	ip := netip.MustParseAddr("::ffff:8.8.8.8")
	if n := testing.AllocsPerRun(1000, func() { _ = b.CheckAddr(ip) }); n != 0 {
		t.Fatalf("CheckAddr allocates %.1f times", n)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if !b.CheckAddr(netip.MustParseAddr("10.1.2.3")) {
					t.Error("10.1.2.3 not blocked while the list changes")
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		_ = b.AddAddress("192.0.2.1", "")
		_ = b.RemoveAddress("192.0.2.1", "")
	}
	wg.Wait()
}

// FuzzBlockListRules: whatever FromJSON accepts, its Rules read back into a
// fresh list give the same rules (Node's toJSON/fromJSON round trip), and
// the CIDR parser never panics.
func FuzzBlockListRules(f *testing.F) {
	for _, s := range []string{"Subnet: IPv4 10.0.0.0/8", "Address: IPv6 ::ffff:1.2.3.4", "Range: IPv6 ::1-::5",
		"Range: IPv4 1.2.3.4-1.2.3.4", "10.0.0.0/8", "::/0", "Subnet: IPv6 :::/1", "x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = NewBlockList().AddCIDR(s)
		a := NewBlockList()
		if a.FromJSON([]string{s}) != nil {
			return
		}
		b := NewBlockList()
		if err := b.FromJSON(a.Rules()); err != nil {
			t.Fatalf("rules %q of %q do not read back: %v", a.Rules(), s, err)
		}
		if strings.Join(a.Rules(), "|") != strings.Join(b.Rules(), "|") {
			t.Fatalf("%q: %q read back as %q", s, a.Rules(), b.Rules())
		}
	})
}
