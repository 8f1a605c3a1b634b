package main

import (
	"encoding/json"
	"strings"

	"github.com/nodenet/nodenet"
)

func init() {
	scenario("blocklist_rules", func() {
		t := func(what string, err error) {
			if err != nil {
				trace("rules", what, errf(err)...)
				return
			}
			trace("rules", what, "ok", true)
		}
		show := func(what string, rules []string, size int) {
			trace("rules", what, "rules", strings.Join(rules, " | "), "size", size)
		}
		bl := nodenet.NewBlockList()
		bl.AddAddress("127.0.0.2", "")
		bl.AddRange("10.0.0.1", "10.0.0.10", "")
		bl.AddSubnet("192.168.1.77", 24, "")
		bl.AddSubnet("2001:db8:1234::", 48, "IPv6")
		bl.AddRange("::1", "::ffff", "ipv6")
		bl.AddCIDR("fe80::/10")
		bl.AddCIDRs([]string{"172.16.0.0/12", "100.64.0.0/10"})
		bl.AddRange("10.0.0.1", "10.0.0.10", "")
		show("added", bl.Rules(), bl.Size())
		js, _ := json.Marshal(bl)
		var back []string
		_ = json.Unmarshal(js, &back)
		show("json", back, 0)
		checks := [][2]string{
			{"127.0.0.2"}, {"127.0.0.3"}, {"::ffff:127.0.0.2", "ipv6"}, {"127.0.0.2", "ipv6"}, {"127.0.0.2", "IPV4"},
			{"127.0.0.2", "foo"}, {"10.0.0.10"}, {"10.0.0.11"}, {"::ffff:10.0.0.5", "ipv6"}, {"192.168.1.200"},
			{"192.168.2.1"}, {"2001:db8:1234:ffff::1", "ipv6"}, {"2001:db8:1235::1", "ipv6"}, {"::10", "ipv6"},
			{"0.0.0.5"}, {"fe80::1", "ipv6"}, {"172.31.255.255"}, {"100.128.0.0"}, {"::1"}, {"nope"}, {"", "ipv6"},
		}
		for _, c := range checks {
			name := c[0]
			if name == "" {
				name = "empty"
			}
			trace("check", name, "family", und(c[1]), "blocked", bl.Check(c[0], c[1]))
		}

		t("bad-address", bl.AddAddress("nope", ""))
		t("v6-default-family", bl.AddAddress("::1", ""))
		t("bad-family", bl.AddAddress("1.2.3.4", "ipv5"))
		t("range-reversed", bl.AddRange("10.0.0.10", "10.0.0.1", ""))
		t("range-mixed", bl.AddRange("10.0.0.1", "::1", ""))
		t("prefix-33", bl.AddSubnet("10.0.0.0", 33, ""))
		t("prefix-129", bl.AddSubnet("::", 129, "ipv6"))
		t("prefix-neg", bl.AddSubnet("10.0.0.0", -1, ""))
		t("cidr-no-slash", bl.AddCIDR("10.0.0.0"))
		t("cidr-bad-prefix", bl.AddCIDR("10.0.0.0/x"))
		t("cidr-padded", bl.AddCIDR("10.0.0.0/08"))
		t("cidr-neg", bl.AddCIDR("10.0.0.0/-1"))
		t("cidrs-bad", bl.AddCIDRs([]string{"1.0.0.0/8", "bad"}))
		show("unchanged", bl.Rules(), bl.Size())

		bl.RemoveAddress("::ffff:127.0.0.2", "ipv6")
		bl.RemoveRange("10.0.0.1", "10.0.0.10", "")
		bl.RemoveSubnet("192.168.1.0", 24, "")
		bl.RemoveCIDR("fe80::/10")
		bl.RemoveAddress("9.9.9.9", "")
		show("removed", bl.Rules(), bl.Size())
		bl.Clear()
		show("cleared", bl.Rules(), bl.Size())

		m := nodenet.NewBlockList()
		m.AddAddress("1.2.3.4", "")
		m.AddAddress("::ffff:1.2.3.4", "ipv6")
		show("mapped-replaces", m.Rules(), m.Size())
		trace("check", "mapped-rule", "blocked", m.Check("1.2.3.4", ""))
		z := nodenet.NewBlockList()
		z.AddSubnet("::", 0, "ipv6")
		z.AddSubnet("0.0.0.0", 0, "")
		trace("check", "zero-prefixes", "v4", z.Check("8.8.8.8", ""), "v6", z.Check("::1", "ipv6"))

		f := nodenet.NewBlockList()
		f.FromJSON([]string{"Subnet: IPv4 192.168.1.0/24", "Address: IPv4 10.0.0.5", "Range: IPv4 192.168.2.1-192.168.2.10",
			"Subnet: IPv6 2001:db8:1234::/48", "subnet: ipv6 fc00::/7 IPv6", "Range: IPv6 ::1-::5", "garbage",
			"Subnet: IPv4 10.0.0.0/8 trailing"})
		show("fromJSON", f.Rules(), f.Size())
		g := nodenet.NewBlockList()
		fj, _ := json.Marshal(f.Rules())
		_ = json.Unmarshal(fj, g)
		show("roundtrip", g.Rules(), g.Size())
		t("fromJSON-prefix", g.FromJSON([]string{"Subnet: IPv4 10.0.0.0/40"}))
		trace("private", "ranges", "list", strings.Join(nodenet.BlockListPrivateRanges(), " "))
		p := nodenet.NewBlockList()
		p.AddCIDRs(nodenet.BlockListPrivateRanges())
		trace("private", "check", "lan", p.Check("192.168.0.7", ""), "public", p.Check("8.8.8.8", ""), "ula", p.Check("fd00::1", "ipv6"))
	})
}
