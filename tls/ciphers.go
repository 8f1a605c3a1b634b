package tls

import (
	"crypto/tls"
	"strings"
)

// openSSLNames maps crypto/tls's suites to OpenSSL's names, which Node's
// ciphers option and getCipher().name use.
var openSSLNames = map[uint16]string{
	tls.TLS_AES_128_GCM_SHA256:                        "TLS_AES_128_GCM_SHA256",
	tls.TLS_AES_256_GCM_SHA384:                        "TLS_AES_256_GCM_SHA384",
	tls.TLS_CHACHA20_POLY1305_SHA256:                  "TLS_CHACHA20_POLY1305_SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ECDHE-ECDSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "ECDHE-RSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ECDHE-ECDSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "ECDHE-RSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "ECDHE-RSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:          "ECDHE-ECDSA-AES128-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:            "ECDHE-RSA-AES128-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:          "ECDHE-ECDSA-AES256-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            "ECDHE-RSA-AES256-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256:       "ECDHE-ECDSA-AES128-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:         "ECDHE-RSA-AES128-SHA256",
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256:               "AES128-GCM-SHA256",
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384:               "AES256-GCM-SHA384",
	tls.TLS_RSA_WITH_AES_128_CBC_SHA:                  "AES128-SHA",
	tls.TLS_RSA_WITH_AES_256_CBC_SHA:                  "AES256-SHA",
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256:               "AES128-SHA256",
	tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA:                 "DES-CBC3-SHA",
	tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:           "ECDHE-RSA-DES-CBC3-SHA",
}

// parseCiphers reads Node's cipher list into crypto/tls's TLS 1.2 suites.
func parseCiphers(list string) ([]uint16, error) {
	byName := make(map[string]uint16, 2*len(openSSLNames))
	for id, name := range openSSLNames {
		byName[name] = id
		byName[tls.CipherSuiteName(id)] = id
	}
	var out []uint16
	matched := false
	for _, name := range strings.FieldsFunc(list, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		if strings.HasPrefix(name, "!") || strings.HasPrefix(name, "-") || strings.HasPrefix(name, "+") {
			continue
		}
		id, ok := byName[name]
		if !ok {
			continue
		}
		matched = true
		if isTLS13Suite(id) {
			continue // always on in crypto/tls
		}
		out = append(out, id)
	}
	if !matched {
		return nil, tlsError(CodeNoCipherMatch, "No cipher match", nil)
	}
	return out, nil
}

func isTLS13Suite(id uint16) bool {
	return id == tls.TLS_AES_128_GCM_SHA256 || id == tls.TLS_AES_256_GCM_SHA384 || id == tls.TLS_CHACHA20_POLY1305_SHA256
}

// CipherInfo is Node's tlsSocket.getCipher() result.
type CipherInfo struct {
	// Name is OpenSSL's name ("ECDHE-RSA-AES128-GCM-SHA256"; TLS 1.3
	// suites keep their IANA name).
	Name string
	// StandardName is the IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").
	StandardName string
	// Version is the lowest protocol version that defines the suite
	// ("TLSv1.3", "TLSv1.2", "TLSv1").
	Version string
}

func cipherInfo(id uint16) CipherInfo {
	std := tls.CipherSuiteName(id)
	name := openSSLNames[id]
	if name == "" {
		name = std
	}
	v := "TLSv1.2"
	switch {
	case isTLS13Suite(id):
		v = "TLSv1.3"
	case strings.HasSuffix(std, "_CBC_SHA"):
		v = "TLSv1"
	}
	return CipherInfo{Name: name, StandardName: std, Version: v}
}
