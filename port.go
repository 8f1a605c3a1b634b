package nodenet

import (
	"encoding/json"
	"strconv"
	"strings"
)

// ValidatePort is Node's validatePort: a port must be an integer in
// 0..65535, else ERR_SOCKET_BAD_PORT with Node's message ("<name> should be
// >= 0 and < 65536. Received type number (65536)."). name defaults to
// "Port".
func ValidatePort(port int, name string) error {
	if port >= 0 && port <= 0xFFFF {
		return nil
	}
	return badPort(name, "type number ("+strconv.Itoa(port)+")")
}

// jsStringType is how Node's error messages describe a string argument
// (determineSpecificType): type string ('abc'), cut to 25 characters and
// "..." past 28, in JSON quotes when it holds a single quote.
func jsStringType(s string) string {
	if r := []rune(s); len(r) > 28 {
		s = string(r[:25]) + "..."
	}
	if !strings.ContainsRune(s, '\'') {
		return "type string ('" + s + "')"
	}
	b, _ := json.Marshal(s)
	return "type string (" + string(b) + ")"
}

func badPort(name, received string) error {
	if name == "" {
		name = "Port"
	}
	return &Error{Code: CodeSocketBadPort, Message: name + " should be >= 0 and < 65536. Received " + received + "."}
}

// ParsePort converts a port given as text the way Node does when a port
// arrives as a string ('1234', '0x4d2', ' 80 '): JavaScript's Number()
// conversion (decimal, 0x/0o/0b prefixes, surrounding white space), then
// validatePort. An empty or blank string, a fraction, a sign on a prefixed
// number, NaN or anything out of range is ERR_SOCKET_BAD_PORT.
func ParsePort(s string) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, badPort("", jsStringType(s))
	}
	var v float64
	if len(t) > 2 && t[0] == '0' && strings.ContainsRune("xXoObB", rune(t[1])) {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[t[1]]
		n, err := strconv.ParseUint(t[2:], base, 64)
		if err != nil {
			return 0, badPort("", jsStringType(s))
		}
		v = float64(n)
	} else {
		if strings.ContainsAny(t, "_xXoObBpP") || strings.EqualFold(strings.TrimLeft(t, "+-"), "infinity") || strings.EqualFold(t, "nan") {
			return 0, badPort("", jsStringType(s))
		}
		n, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return 0, badPort("", jsStringType(s))
		}
		v = n
	}
	if v != float64(int64(v)) || v < 0 || v > 0xFFFF {
		return 0, badPort("", jsStringType(s))
	}
	return int(v), nil
}
