package main

// trace.go: the nodenet half of the trace format (see trace.js, which must
// print the same bytes for the same values). A line is
// "<side> <event> key=value ...": strings JSON-quoted, numbers and booleans
// bare, undefined and null as words.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nodenet/nodenet"
)

// undefined and null print as the JavaScript words.
type jsWord string

const (
	undefined jsWord = "undefined"
	null      jsWord = "null"
)

type subst struct {
	num   int
	isNum bool
	str   string
	name  string
	re    *regexp.Regexp
}

var (
	traceMu sync.Mutex
	subs    []subst
)

// sub registers a value that varies per run (a port, a path) and returns it:
// numbers equal to it print as name; strings have it replaced by name.
func sub[T int | string](v T, name string) T {
	traceMu.Lock()
	defer traceMu.Unlock()
	switch x := any(v).(type) {
	case int:
		subs = append(subs, subst{num: x, isNum: true, name: name,
			re: regexp.MustCompile(`(^|[^0-9])` + strconv.Itoa(x) + `($|[^0-9])`)})
	case string:
		subs = append(subs, subst{str: x, name: name})
	}
	return v
}

func norm(s string) string {
	for _, sb := range subs {
		if sb.isNum {
			// Go's regexp has no lookbehind: apply until stable, since
			// adjacent matches share a boundary character.
			for {
				n := sb.re.ReplaceAllString(s, "${1}"+sb.name+"${2}")
				if n == s {
					break
				}
				s = n
			}
		} else if sb.str != "" {
			s = strings.ReplaceAll(s, sb.str, sb.name)
		}
	}
	return s
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case jsWord:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		for _, sb := range subs {
			if sb.isNum && sb.num == x {
				return sb.name
			}
		}
		return strconv.Itoa(x)
	case int64:
		return fmtValue(int(x))
	case string:
		return quote(norm(x))
	case []byte:
		return quote(norm(string(x)))
	case error:
		return quote(norm(x.Error()))
	default:
		return quote(norm(fmt.Sprint(x)))
	}
}

// trace prints one event of one side; kv alternates field names and values.
func trace(side, event string, kv ...any) {
	traceMu.Lock()
	defer traceMu.Unlock()
	var b strings.Builder
	b.WriteString(side)
	b.WriteByte(' ')
	b.WriteString(event)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteByte(' ')
		b.WriteString(fmt.Sprint(kv[i]))
		b.WriteByte('=')
		b.WriteString(fmtValue(kv[i+1]))
	}
	b.WriteByte('\n')
	os.Stdout.WriteString(b.String())
}

// errf is an error's fields as Node users read them (see trace.js): the
// *nodenet.Error properties that are set, then the message. nil is err=null.
func errf(err error) []any {
	if err == nil {
		return []any{"err", nil}
	}
	var agg *nodenet.AggregateError
	if errors.As(err, &agg) {
		f := []any{}
		var first *nodenet.Error
		if len(agg.Errors) > 0 && errors.As(agg.Errors[0], &first) {
			f = append(f, "code", first.Code)
		}
		return append(f, "errors", len(agg.Errors), "message", err.Error())
	}
	var e *nodenet.Error
	if !errors.As(err, &e) {
		return []any{"message", err.Error()}
	}
	f := []any{}
	if e.Code != "" {
		f = append(f, "code", e.Code)
	}
	if e.Syscall != "" {
		f = append(f, "syscall", e.Syscall)
	}
	if e.Address != "" {
		f = append(f, "address", e.Address)
	}
	if e.Port != 0 {
		f = append(f, "port", e.Port)
	}
	if e.LocalAddress != "" {
		f = append(f, "localAddress", e.LocalAddress)
	}
	if e.LocalPort != 0 {
		f = append(f, "localPort", e.LocalPort)
	}
	if e.Hostname != "" {
		f = append(f, "hostname", e.Hostname)
	}
	return append(f, "message", e.Message)
}

// refusedPort is a port nothing listens on, on 127.0.0.1 and ::1 (the
// runner checks): trace.js's REFUSED_PORT.
const refusedPort = 1

// und maps Go's "" (nodenet's "unknown", Node's undefined) to undefined.
func und(s string) any {
	if s == "" {
		return undefined
	}
	return s
}

// undInt maps a zero port (unknown) to undefined.
func undInt(n int) any {
	if n == 0 {
		return undefined
	}
	return n
}

// missing stands for a Node property or method nodenet has no Go API for yet:
// the trace shows it, and the scenario's .pending file says what is missing.
// No scenario needs it today (0 pending); it stays for the next gap.
//
//lint:ignore U1000 kept for scenarios of API not yet built
func missing(api string) any { return jsWord("<no Go API: " + api + ">") }
