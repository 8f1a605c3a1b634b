package main

import "github.com/nodenet/nodenet"

func init() {
	scenario("isip", func() {
		inputs := []string{"127.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "01.2.3.4", "1.2.3.4 ", "::1", "::", "::ffff:127.0.0.1",
			"fe80::1%eth0", "2001:db8::1", "2001:db8:::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "[::1]", "localhost", "", "x", "1.2.3.4/24", "::ffff:1.2.3.256"}
		for _, s := range inputs {
			trace("isip", "check", "input", s, "isIP", nodenet.IsIP(s), "isIPv4", nodenet.IsIPv4(s), "isIPv6", nodenet.IsIPv6(s))
		}
	})
}
