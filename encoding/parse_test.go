package encoding_test

import (
	"errors"
	"testing"

	"github.com/nodenet/nodenet/encoding"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name string
		want encoding.Encoding
	}{
		{"", encoding.Buffer},
		{"buffer", encoding.Buffer},
		{"BUFFER", encoding.Buffer},
		{"utf8", encoding.UTF8},
		{"utf-8", encoding.UTF8},
		{"UTF8", encoding.UTF8},
		{"UTF-8", encoding.UTF8},
		{"uTf-8", encoding.UTF8},
		{"ucs2", encoding.UTF16LE},
		{"ucs-2", encoding.UTF16LE},
		{"UCS2", encoding.UTF16LE},
		{"UCS-2", encoding.UTF16LE},
		{"utf16le", encoding.UTF16LE},
		{"utf-16le", encoding.UTF16LE},
		{"UTF16LE", encoding.UTF16LE},
		{"UTF-16LE", encoding.UTF16LE},
		{"Utf-16Le", encoding.UTF16LE},
		{"latin1", encoding.Latin1},
		{"Latin1", encoding.Latin1},
		{"LATIN1", encoding.Latin1},
		{"binary", encoding.Latin1},
		{"BINARY", encoding.Latin1},
		{"ascii", encoding.ASCII},
		{"ASCII", encoding.ASCII},
		{"hex", encoding.Hex},
		{"HEX", encoding.Hex},
		{"Hex", encoding.Hex},
		{"base64", encoding.Base64},
		{"BASE64", encoding.Base64},
		{"Base64", encoding.Base64},
		{"base64url", encoding.Base64URL},
		{"BASE64URL", encoding.Base64URL},
		{"Base64Url", encoding.Base64URL},
	} {
		got, err := encoding.Parse(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, nil", tt.name, got, err, tt.want)
		}
	}
}

func TestParseUnknown(t *testing.T) {
	for _, name := range []string{
		"foo", "FOO", "utf16", "utf-16", "UTF-16", "utf32", "latin-1",
		"iso-8859-1", "base-64", "base64-url", "ucs", " utf8", "utf8 ",
		"utf8\x00", "baſe64", "\u212Aex", "bufferx", "raw", "binary1",
	} {
		got, err := encoding.Parse(name)
		var ue *encoding.UnknownError
		if !errors.As(err, &ue) {
			t.Errorf("Parse(%q) = %v, %v; want *UnknownError", name, got, err)
			continue
		}
		if ue.Name != name {
			t.Errorf("Parse(%q): Name = %q", name, ue.Name)
		}
		if want := "Unknown encoding: " + name; err.Error() != want {
			t.Errorf("Parse(%q): Error() = %q, want %q", name, err.Error(), want)
		}
	}
	if _, err := encoding.Parse("foo"); err.Error() != "Unknown encoding: foo" {
		t.Errorf("Parse(\"foo\") error = %q", err)
	}
}

func TestString(t *testing.T) {
	for e, want := range map[encoding.Encoding]string{
		encoding.Buffer:        "buffer",
		encoding.UTF8:          "utf8",
		encoding.UTF16LE:       "utf16le",
		encoding.Latin1:        "latin1",
		encoding.ASCII:         "ascii",
		encoding.Hex:           "hex",
		encoding.Base64:        "base64",
		encoding.Base64URL:     "base64url",
		encoding.Encoding(200): "Encoding(200)",
	} {
		if got := e.String(); got != want {
			t.Errorf("Encoding(%d).String() = %q, want %q", e, got, want)
		}
	}
	// The canonical name parses back to the same encoding.
	for _, e := range allEncodings {
		if got, err := encoding.Parse(e.String()); err != nil || got != e {
			t.Errorf("Parse(%q) = %v, %v", e.String(), got, err)
		}
	}
}

func TestInvalidEncodingPanics(t *testing.T) {
	bad := encoding.Encoding(99)
	for name, f := range map[string]func(){
		"Reset":      func() { new(encoding.Decoder).Reset(bad) },
		"Append":     func() { encoding.Append(nil, "x", bad) },
		"ByteLength": func() { encoding.ByteLength("x", bad) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with %v did not panic", name, bad)
				}
			}()
			f()
		}()
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = encoding.Parse("UTF-16LE") }); n != 0 {
		t.Errorf("Parse allocates %v times", n)
	}
}
