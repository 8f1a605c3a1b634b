package nodenet

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nodenet/nodenet/internal/jsfmt"
)

// BlockList is Node's net.BlockList: rules that block IP addresses — single
// addresses, ranges and subnets — for a server to refuse connections from
// (server.Options.BlockList) or a socket to refuse to connect to
// (socket.ConnectOptions.BlockList), and for Check.
//
// Families are written as Node writes them: "ipv4" (also when empty, Node's
// default) or "ipv6", in any case. An IPv4 rule also blocks the IPv4-mapped
// IPv6 form of its addresses (::ffff:a.b.c.d), and an IPv6 rule the IPv4
// addresses whose mapped form it covers, as Node's do.
//
// A BlockList may be shared by servers and sockets on any loops and changed
// from any goroutine while they use it: a change takes a lock and publishes
// a new set of rules, and a check reads the current set without locking or
// allocating. The zero value is an empty list ready to use.
type BlockList struct {
	mu    sync.Mutex                 // serialises changes
	rules atomic.Pointer[blockRules] // immutable once published
}

// blockRules is one published state. Each kind is kept newest first, as
// Node lists its subnets and ranges.
type blockRules struct {
	addrs   []netip.Addr // one per address (an IPv4-mapped one counts as its IPv4 address)
	subnets []netip.Prefix
	ranges  [][2]netip.Addr
}

// NewBlockList returns an empty BlockList (Node's new net.BlockList()).
func NewBlockList() *BlockList { return &BlockList{} }

// BlockListPrivateRanges returns Node's net.BlockList.PRIVATE_RANGES: the
// private, loopback, link-local and unique-local networks, as CIDR strings
// for AddCIDRs.
func BlockListPrivateRanges() []string {
	return []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
		"::1/128", "169.254.0.0/16", "fe80::/10", "fc00::/7"}
}

func (b *BlockList) load() *blockRules {
	if r := b.rules.Load(); r != nil {
		return r
	}
	return &blockRules{}
}

// change applies fn to a copy of the rules and publishes it.
func (b *BlockList) change(fn func(r *blockRules)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.load()
	r := &blockRules{
		addrs:   append([]netip.Addr(nil), old.addrs...),
		subnets: append([]netip.Prefix(nil), old.subnets...),
		ranges:  append([][2]netip.Addr(nil), old.ranges...),
	}
	fn(r)
	b.rules.Store(r)
}

// AddAddress blocks one address (Node's blockList.addAddress). Adding an
// address already blocked replaces it (an IPv4-mapped IPv6 address and its
// IPv4 address are the same one).
func (b *BlockList) AddAddress(address, family string) error {
	ip, err := socketAddress(address, family)
	if err != nil {
		return err
	}
	b.change(func(r *blockRules) {
		for i, a := range r.addrs {
			if a.Unmap() == ip.Unmap() {
				r.addrs[i] = ip
				return
			}
		}
		r.addrs = append([]netip.Addr{ip}, r.addrs...)
	})
	return nil
}

// AddAddresses blocks each of addresses, all of one family (Node's
// blockList.addAddresses); nothing is added if one of them is invalid.
func (b *BlockList) AddAddresses(addresses []string, family string) error {
	ips := make([]netip.Addr, 0, len(addresses))
	for _, a := range addresses {
		ip, err := socketAddress(a, family)
		if err != nil {
			return err
		}
		ips = append(ips, ip)
	}
	b.change(func(r *blockRules) {
	next:
		for _, ip := range ips {
			for i, a := range r.addrs {
				if a.Unmap() == ip.Unmap() {
					r.addrs[i] = ip
					continue next
				}
			}
			r.addrs = append([]netip.Addr{ip}, r.addrs...)
		}
	})
	return nil
}

// AddRange blocks every address from start to end inclusive (Node's
// blockList.addRange): ERR_INVALID_ARG_VALUE when start comes after end.
func (b *BlockList) AddRange(start, end, family string) error {
	s, e, err := blockRange(start, end, family)
	if err != nil {
		return err
	}
	if s.Compare(e) > 0 {
		return NewError(CodeInvalidArgValue, "The argument 'start' must come before end. Received "+inspectSocketAddress(s))
	}
	b.change(func(r *blockRules) { r.ranges = append([][2]netip.Addr{{s, e}}, r.ranges...) })
	return nil
}

// AddSubnet blocks the network of prefix bits at network (Node's
// blockList.addSubnet); the rule keeps the address as given, host bits and
// all. prefix is 0-32 for IPv4 and 0-128 for IPv6, else ERR_OUT_OF_RANGE.
func (b *BlockList) AddSubnet(network string, prefix int, family string) error {
	p, err := blockSubnet(network, prefix, family)
	if err != nil {
		return err
	}
	b.change(func(r *blockRules) { r.subnets = append([]netip.Prefix{p}, r.subnets...) })
	return nil
}

// AddCIDR blocks a subnet written "address/prefix" (Node's
// blockList.addCIDR); the family is IPv6 when the address has a ':'.
func (b *BlockList) AddCIDR(cidr string) error {
	address, prefix, family, err := parseCIDR(cidr)
	if err != nil {
		return err
	}
	return b.AddSubnet(address, prefix, family)
}

// AddCIDRs blocks each subnet of cidrs (Node's blockList.addCIDRs): all of
// them are parsed first, so a malformed one adds nothing; a prefix out of
// range stops at that entry, as in Node.
func (b *BlockList) AddCIDRs(cidrs []string) error {
	type parsed struct {
		address, family string
		prefix          int
	}
	ps := make([]parsed, 0, len(cidrs))
	for _, c := range cidrs {
		a, p, f, err := parseCIDR(c)
		if err != nil {
			return err
		}
		ps = append(ps, parsed{a, f, p})
	}
	for _, p := range ps {
		if err := b.AddSubnet(p.address, p.prefix, p.family); err != nil {
			return err
		}
	}
	return nil
}

// RemoveAddress removes the rule blocking address (Node's
// blockList.removeAddress); an address that has no rule is no error.
func (b *BlockList) RemoveAddress(address, family string) error {
	ip, err := socketAddress(address, family)
	if err != nil {
		return err
	}
	b.change(func(r *blockRules) {
		for i, a := range r.addrs {
			if a.Unmap() == ip.Unmap() {
				r.addrs = append(r.addrs[:i], r.addrs[i+1:]...)
				return
			}
		}
	})
	return nil
}

// RemoveRange removes one rule added with the same start and end (Node's
// blockList.removeRange).
func (b *BlockList) RemoveRange(start, end, family string) error {
	s, e, err := blockRange(start, end, family)
	if err != nil {
		return err
	}
	b.change(func(r *blockRules) {
		for i, x := range r.ranges {
			if x[0] == s && x[1] == e {
				r.ranges = append(r.ranges[:i], r.ranges[i+1:]...)
				return
			}
		}
	})
	return nil
}

// RemoveSubnet removes one rule added with the same address and prefix
// (Node's blockList.removeSubnet: 10.1.0.0/16 does not remove 10.1.2.3/16).
func (b *BlockList) RemoveSubnet(network string, prefix int, family string) error {
	p, err := blockSubnet(network, prefix, family)
	if err != nil {
		return err
	}
	b.change(func(r *blockRules) {
		for i, x := range r.subnets {
			if x == p {
				r.subnets = append(r.subnets[:i], r.subnets[i+1:]...)
				return
			}
		}
	})
	return nil
}

// RemoveCIDR removes the subnet rule written "address/prefix" (Node's
// blockList.removeCIDR).
func (b *BlockList) RemoveCIDR(cidr string) error {
	address, prefix, family, err := parseCIDR(cidr)
	if err != nil {
		return err
	}
	return b.RemoveSubnet(address, prefix, family)
}

// Clear removes every rule (Node's blockList.clear).
func (b *BlockList) Clear() {
	b.mu.Lock()
	b.rules.Store(&blockRules{})
	b.mu.Unlock()
}

// Check reports whether a rule blocks address (Node's blockList.check). An
// address that is not one of family ("ipv4" when empty; any other word is
// IPv6, as in Node), or not an address at all, is not blocked.
func (b *BlockList) Check(address, family string) bool {
	ip, err := netip.ParseAddr(address)
	if err != nil || ip.Zone() != "" {
		return false
	}
	if isIPv4Family(family) != ip.Is4() {
		return false
	}
	return b.CheckAddr(ip)
}

// CheckAddr reports whether a rule blocks ip, an IPv4, IPv6 or IPv4-mapped
// IPv6 address (its zone is ignored). It does not allocate: servers call it
// for every connection they accept.
func (b *BlockList) CheckAddr(ip netip.Addr) bool {
	r := b.rules.Load()
	if r == nil || !ip.IsValid() {
		return false
	}
	ip = ip.WithZone("")
	for _, a := range r.addrs {
		if a.Unmap() == ip.Unmap() {
			return true
		}
	}
	for _, p := range r.subnets {
		if x, ok := inFamilyOf(p.Addr(), ip); ok && p.Masked().Contains(x) {
			return true
		}
	}
	for _, rg := range r.ranges {
		if x, ok := inFamilyOf(rg[0], ip); ok && rg[0].Compare(x) <= 0 && x.Compare(rg[1]) <= 0 {
			return true
		}
	}
	return false
}

// inFamilyOf writes ip in the family of a rule's address: an IPv4 rule
// compares IPv4 addresses (an IPv4-mapped one unmapped), an IPv6 rule IPv6
// addresses (an IPv4 one mapped).
func inFamilyOf(rule, ip netip.Addr) (netip.Addr, bool) {
	if rule.Is4() {
		ip = ip.Unmap()
		return ip, ip.Is4()
	}
	if ip.Is4() {
		return netip.AddrFrom16(ip.As16()), true
	}
	return ip, true
}

// Rules lists the rules as Node's blockList.rules does: "Address: IPv4
// 10.0.0.5", "Range: IPv4 10.0.0.1-10.0.0.10", "Subnet: IPv6
// 2001:db8::/48"; addresses first, then subnets, then ranges, each kind
// newest first. (Node lists its addresses in the order of a hash table.)
func (b *BlockList) Rules() []string {
	r := b.load()
	out := make([]string, 0, len(r.addrs)+len(r.subnets)+len(r.ranges))
	for _, a := range r.addrs {
		out = append(out, "Address: "+familyWord(a)+" "+a.String())
	}
	for _, p := range r.subnets {
		out = append(out, "Subnet: "+familyWord(p.Addr())+" "+p.Addr().String()+"/"+strconv.Itoa(p.Bits()))
	}
	for _, rg := range r.ranges {
		out = append(out, "Range: "+familyWord(rg[0])+" "+rg[0].String()+"-"+rg[1].String())
	}
	return out
}

// Size is the number of rules (Node's blockList.size).
func (b *BlockList) Size() int {
	r := b.load()
	return len(r.addrs) + len(r.subnets) + len(r.ranges)
}

// String is how Node's util.inspect shows a BlockList.
func (b *BlockList) String() string {
	rules := b.Rules()
	if len(rules) == 0 {
		return "BlockList { rules: [] }"
	}
	q := make([]string, len(rules))
	for i, r := range rules {
		q[i] = jsfmt.Quote(r)
	}
	return "BlockList { rules: [ " + strings.Join(q, ", ") + " ] }"
}

// MarshalJSON is Node's blockList.toJSON(): the Rules as a JSON array.
func (b *BlockList) MarshalJSON() ([]byte, error) { return json.Marshal(b.Rules()) }

// UnmarshalJSON adds the rules of a JSON array of rule strings, as Node's
// blockList.fromJSON(string) does (it adds to the rules already there).
func (b *BlockList) UnmarshalJSON(data []byte) error {
	var rules []string
	if err := json.Unmarshal(data, &rules); err != nil {
		return NewError(CodeInvalidArgType, `The "data" argument must be of type string or string[]: `+err.Error())
	}
	return b.FromJSON(rules)
}

// ruleFamily is how Node's fromJSON (#parseIPInfo) reads the rules of one
// family: an entry naming tag is matched against the subnet, address and
// range patterns in turn, unanchored as there.
type ruleFamily struct {
	tag, family          string
	subnet, address, rng *regexp.Regexp
}

// ruleFamilies in the order Node tries them: an entry naming IPv4 that no
// IPv4 pattern matches is tried as IPv6 too.
var ruleFamilies = [...]ruleFamily{
	{"IPv4", "ipv4",
		regexp.MustCompile(`Subnet: IPv4 (\d{1,3}(?:\.\d{1,3}){3})/(\d{1,2})`),
		regexp.MustCompile(`Address: IPv4 (\d{1,3}(?:\.\d{1,3}){3})`),
		regexp.MustCompile(`Range: IPv4 (\d{1,3}(?:\.\d{1,3}){3})-(\d{1,3}(?:\.\d{1,3}){3})`)},
	{"IPv6", "ipv6",
		regexp.MustCompile(`(?i)Subnet: IPv6 ([0-9a-fA-F:.]{1,45})/([0-9]{1,3})`),
		regexp.MustCompile(`(?i)Address: IPv6 ([0-9a-fA-F:.]{1,45})`),
		regexp.MustCompile(`(?i)Range: IPv6 ([0-9a-fA-F:.]{1,45})-([0-9a-fA-F:.]{1,45})`)},
}

// FromJSON adds rules written as Rules writes them (Node's
// blockList.fromJSON(array)). As in Node, an entry that matches no rule
// pattern is skipped, and an address or prefix a matched entry holds that
// is invalid stops at that entry with its error.
func (b *BlockList) FromJSON(rules []string) error {
	for _, item := range rules {
		for i := range ruleFamilies {
			f := &ruleFamilies[i]
			if !strings.Contains(item, f.tag) {
				continue
			}
			matched, err := b.addRule(item, f)
			if err != nil {
				return err
			}
			if matched {
				break
			}
		}
	}
	return nil
}

// addRule adds item as the first of f's patterns that matches it says,
// reporting whether one did.
func (b *BlockList) addRule(item string, f *ruleFamily) (bool, error) {
	if m := f.subnet.FindStringSubmatch(item); m != nil {
		p, _ := strconv.Atoi(m[2])
		return true, b.AddSubnet(m[1], p, f.family)
	}
	if m := f.address.FindStringSubmatch(item); m != nil {
		return true, b.AddAddress(m[1], f.family)
	}
	if m := f.rng.FindStringSubmatch(item); m != nil {
		return true, b.AddRange(m[1], m[2], f.family)
	}
	return false, nil
}

// NewIPBlockedError is Node's ERR_IP_BLOCKED: a connect to an address a
// BlockList blocks.
func NewIPBlockedError(ip string) *Error {
	return NewError(CodeIPBlocked, "IP("+ip+") is blocked by net.BlockList")
}

// socketAddress parses address as Node's new SocketAddress({address,
// family}) does: family "ipv4" (the default) or "ipv6", in any case, else
// ERR_INVALID_ARG_VALUE; an address that is not one of that family
// ERR_INVALID_ADDRESS.
func socketAddress(address, family string) (netip.Addr, error) {
	v4, err := blockFamily(family)
	if err != nil {
		return netip.Addr{}, err
	}
	ip, perr := netip.ParseAddr(address)
	if perr != nil || ip.Is4() != v4 || (v4 && ip.Zone() != "") {
		return netip.Addr{}, NewError(CodeInvalidAddress, "Invalid socket address")
	}
	return ip.WithZone(""), nil
}

func blockFamily(family string) (v4 bool, err error) {
	switch strings.ToLower(family) {
	case "", "ipv4":
		return true, nil
	case "ipv6":
		return false, nil
	}
	return false, NewError(CodeInvalidArgValue, "The property 'options.family' is invalid. Received "+jsfmt.Quote(family))
}

// isIPv4Family is Check's reading of family: "ipv4" in any case (or empty)
// is IPv4, anything else IPv6.
func isIPv4Family(family string) bool { return family == "" || strings.EqualFold(family, "ipv4") }

func blockRange(start, end, family string) (netip.Addr, netip.Addr, error) {
	s, err := socketAddress(start, family)
	if err != nil {
		return s, s, err
	}
	e, err := socketAddress(end, family)
	return s, e, err
}

func blockSubnet(network string, prefix int, family string) (netip.Prefix, error) {
	ip, err := socketAddress(network, family)
	if err != nil {
		return netip.Prefix{}, err
	}
	max := 128
	if ip.Is4() {
		max = 32
	}
	if prefix < 0 || prefix > max {
		return netip.Prefix{}, NewError(CodeOutOfRange, `The value of "prefix" is out of range. It must be >= 0 && <= `+strconv.Itoa(max)+`. Received `+jsfmt.OutOfRangeInt(int64(prefix)))
	}
	return netip.PrefixFrom(ip, prefix), nil
}

// parseCIDR is Node's: "address/prefix", the prefix a decimal integer
// written without padding or sign other than '-'.
func parseCIDR(cidr string) (address string, prefix int, family string, err error) {
	slash := strings.LastIndexByte(cidr, '/')
	if slash < 0 {
		return "", 0, "", NewError(CodeInvalidArgValue, `The argument 'cidr' must contain a prefix length (e.g. "10.0.0.0/8"). Received `+jsfmt.Quote(cidr))
	}
	address, ps := cidr[:slash], cidr[slash+1:]
	prefix, perr := strconv.Atoi(ps)
	if perr != nil || strconv.Itoa(prefix) != ps {
		return "", 0, "", NewError(CodeInvalidArgValue, `The argument 'cidr' prefix length must be a valid integer. Received `+jsfmt.Quote(cidr))
	}
	family = "ipv4"
	if strings.Contains(address, ":") {
		family = "ipv6"
	}
	return address, prefix, family, nil
}

func familyWord(ip netip.Addr) string {
	if ip.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// inspectSocketAddress is how Node's util.inspect shows a SocketAddress in
// an error message.
func inspectSocketAddress(ip netip.Addr) string {
	f := "ipv6"
	if ip.Is4() {
		f = "ipv4"
	}
	return "SocketAddress { address: " + jsfmt.Quote(ip.String()) + ", port: 0, family: '" + f + "', flowlabel: 0 }"
}
