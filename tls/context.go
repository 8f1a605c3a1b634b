package tls

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/nodenet/nodenet"
)

// SecureContextOptions are Node's tls.createSecureContext options (also
// accepted by CreateServer and Connect). Keys and certificates are PEM, as
// in Node; Go programs may pass parsed Certificates or a whole *tls.Config
// instead.
type SecureContextOptions struct {
	// Key and Cert are a PEM private key and certificate (Cert may carry
	// the chain after the leaf). Node's key/cert.
	Key, Cert []byte
	// Certificates are additional (or instead) key pairs, as crypto/tls
	// takes them; the first is the default.
	Certificates []tls.Certificate
	// CA is one or more PEM certificates trusted to verify the peer instead
	// of the system's roots (Node's ca); CAPool the same, parsed.
	CA     []byte
	CAPool *x509.CertPool
	// Ciphers is Node's colon-separated cipher list of OpenSSL names
	// ("ECDHE-RSA-AES128-GCM-SHA256:...") or IANA names. crypto/tls lets
	// TLS 1.2 suites be chosen but not TLS 1.3 ones: TLS 1.3 names are
	// accepted and always on. Exclusions ("!aNULL") and OpenSSL's group
	// keywords ("HIGH", "DEFAULT") are skipped. No known suite is
	// ERR_SSL_NO_CIPHER_MATCH.
	Ciphers string
	// ECDHCurve is Node's ecdhCurve: "auto" (crypto/tls's default) or
	// colon-separated names (X25519, P-256/prime256v1, P-384/secp384r1,
	// P-521/secp521r1, X25519MLKEM768).
	ECDHCurve string
	// MinVersion and MaxVersion are "TLSv1", "TLSv1.1", "TLSv1.2" or
	// "TLSv1.3" (Node's defaults: TLSv1.2 and TLSv1.3).
	MinVersion, MaxVersion string
	// SessionTimeout: a server's session tickets stop resuming after it
	// (Node's sessionTimeout, default 300 s).
	SessionTimeout time.Duration
	// TicketKeys are 48 random bytes that encrypt a server's session
	// tickets (Node's ticketKeys); servers sharing them resume each
	// other's sessions. Default: random per server.
	TicketKeys []byte
	// Config, when not nil, is the starting point (cloned): fields the
	// options above leave unset keep its values.
	Config *tls.Config
}

// SecureContext is Node's SecureContext: the keys, certificates, trust and
// protocol settings a connection uses. Make one with CreateSecureContext.
type SecureContext struct {
	certs          []tls.Certificate
	roots          *x509.CertPool // nil: the system's
	suites         []uint16
	curves         []tls.CurveID
	minV, maxV     uint16
	base           *tls.Config
	sessionTimeout time.Duration
	ticketKeys     []byte
}

// CreateSecureContext is Node's tls.createSecureContext(options).
func CreateSecureContext(o SecureContextOptions) (*SecureContext, error) {
	c := &SecureContext{minV: tls.VersionTLS12, maxV: tls.VersionTLS13, sessionTimeout: 300 * time.Second}
	if o.Config != nil {
		c.base = o.Config.Clone()
		c.certs = append(c.certs, c.base.Certificates...)
		c.roots = c.base.RootCAs
		if c.base.MinVersion != 0 {
			c.minV = c.base.MinVersion
		}
		if c.base.MaxVersion != 0 {
			c.maxV = c.base.MaxVersion
		}
		c.suites = c.base.CipherSuites
		c.curves = c.base.CurvePreferences
	}
	if len(o.Key) > 0 || len(o.Cert) > 0 {
		kp, err := keyPair(o.Cert, o.Key)
		if err != nil {
			return nil, err
		}
		c.certs = append([]tls.Certificate{kp}, c.certs...)
	}
	c.certs = append(c.certs, o.Certificates...)
	if len(o.CA) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(o.CA) {
			return nil, tlsError(CodePEMNoStartLine, "error:0480006C:PEM routines::no start line (ca)", nil)
		}
		c.roots = pool
	}
	if o.CAPool != nil {
		c.roots = o.CAPool
	}
	if o.Ciphers != "" {
		s, err := parseCiphers(o.Ciphers)
		if err != nil {
			return nil, err
		}
		c.suites = s
	}
	if o.ECDHCurve != "" && o.ECDHCurve != "auto" {
		cv, err := parseCurves(o.ECDHCurve)
		if err != nil {
			return nil, err
		}
		c.curves = cv
	}
	var err error
	if o.MinVersion != "" {
		if c.minV, err = parseVersion(o.MinVersion, "minimum"); err != nil {
			return nil, err
		}
	}
	if o.MaxVersion != "" {
		if c.maxV, err = parseVersion(o.MaxVersion, "maximum"); err != nil {
			return nil, err
		}
	}
	if c.minV > c.maxV {
		return nil, nodenet.NewError(CodeProtocolVersionConfict, fmt.Sprintf("TLS protocol version %s conflicts with secureProtocol", versionName(c.minV)))
	}
	if o.SessionTimeout > 0 {
		c.sessionTimeout = o.SessionTimeout
	}
	if len(o.TicketKeys) > 0 {
		if len(o.TicketKeys) != 48 {
			return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "Session ticket keys must be a 48-byte buffer")
		}
		c.ticketKeys = append([]byte(nil), o.TicketKeys...)
	}
	return c, nil
}

// keyPair parses a PEM certificate (chain) and key with Node's error codes.
func keyPair(certPEM, keyPEM []byte) (tls.Certificate, error) {
	if b, _ := pem.Decode(certPEM); b == nil {
		return tls.Certificate{}, tlsError(CodePEMNoStartLine, "error:0480006C:PEM routines::no start line (cert)", nil)
	}
	if b, _ := pem.Decode(keyPEM); b == nil {
		return tls.Certificate{}, tlsError(CodePEMNoStartLine, "error:0480006C:PEM routines::no start line (key)", nil)
	}
	kp, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return kp, tlsError(CodeInvalidKeyCert, "error:05800074:x509 certificate routines::key values mismatch", err)
		}
		return kp, tlsError(CodePEMNoStartLine, err.Error(), err)
	}
	return kp, nil
}

func parseVersion(v, which string) (uint16, error) {
	switch v {
	case "TLSv1":
		return tls.VersionTLS10, nil
	case "TLSv1.1":
		return tls.VersionTLS11, nil
	case "TLSv1.2":
		return tls.VersionTLS12, nil
	case "TLSv1.3":
		return tls.VersionTLS13, nil
	}
	return 0, nodenet.NewError(CodeInvalidProtocolVersion, fmt.Sprintf("%q is not a valid %s TLS protocol version", v, which))
}

// versionName is Node's getProtocol() text.
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return "unknown"
}

func parseCurves(s string) ([]tls.CurveID, error) {
	var out []tls.CurveID
	for _, name := range strings.Split(s, ":") {
		switch strings.TrimSpace(name) {
		case "X25519", "x25519":
			out = append(out, tls.X25519)
		case "P-256", "prime256v1", "secp256r1":
			out = append(out, tls.CurveP256)
		case "P-384", "secp384r1":
			out = append(out, tls.CurveP384)
		case "P-521", "secp521r1":
			out = append(out, tls.CurveP521)
		case "X25519MLKEM768":
			out = append(out, tls.X25519MLKEM768)
		default:
			return nil, nodenet.NewError("ERR_CRYPTO_OPERATION_FAILED", "Failed to set ECDH curve "+name)
		}
	}
	return out, nil
}

// config builds the crypto/tls settings every connection of this context
// shares; the caller fills in the side-specific fields.
func (c *SecureContext) config() *tls.Config {
	var cfg *tls.Config
	if c.base != nil {
		cfg = c.base.Clone()
	} else {
		cfg = &tls.Config{}
	}
	cfg.Certificates = c.certs
	cfg.MinVersion = c.minV
	cfg.MaxVersion = c.maxV
	cfg.CipherSuites = c.suites
	cfg.CurvePreferences = c.curves
	return cfg
}
