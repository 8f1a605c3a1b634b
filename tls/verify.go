package tls

import (
	"crypto/tls"
	"crypto/x509"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
)

// clock is what certificate checks and session tickets take the time from:
// time.Now, but for tests that move it (export_test.go). Atomic, since
// handshake goroutines read it.
var clock atomic.Pointer[func() time.Time]

func init() {
	f := time.Now
	clock.Store(&f)
}

func now() time.Time { return (*clock.Load())() }

// verifyResult is what the handshake goroutine found about the peer.
type verifyResult struct {
	authorized bool
	err        error // Node's authorizationError (a *nodenet.Error)
	// chain is the verified chain, leaf to trust anchor (nil when it did
	// not verify): getPeerCertificate(true) links through it, as Node
	// completes the peer's chain from its trust store.
	chain []*x509.Certificate
}

// verifyChain checks a peer's chain against roots (nil: the system's) the
// way OpenSSL does for Node, and returns the verified chain or Node's
// error for a failure.
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool, usage x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	if len(certs) == 0 {
		return nil, tlsError(CodeUnableToGetIssuerLocal, "unable to get local issuer certificate", nil)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now(),
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
	if err == nil {
		return chains[0], nil
	}
	return nil, chainError(err, certs)
}

// CheckServerIdentity is Node's tls.checkServerIdentity(hostname, cert):
// nil when cert is valid for hostname (its IP addresses for an IP, else
// its DNS names with a leftmost-label wildcard, else its subject CN when it
// has no DNS names), else ERR_TLS_CERT_ALTNAME_INVALID with Node's reason.
// Pass it as ConnectOptions.CheckServerIdentity to wrap it.
func CheckServerIdentity(hostname string, cert *PeerCertificate) error {
	if cert == nil {
		return altnameError("Cert does not contain a DNS name", hostname, nil)
	}
	var dns, ips []string
	if cert.SubjectAltName != "" {
		for _, n := range strings.Split(cert.SubjectAltName, ", ") {
			switch {
			case strings.HasPrefix(n, "DNS:"):
				dns = append(dns, n[4:])
			case strings.HasPrefix(n, "IP Address:"):
				ips = append(ips, canonicalIP(n[11:]))
			}
		}
	}
	hostname = strings.TrimSuffix(hostname, ".")
	if ip, err := netip.ParseAddr(hostname); err == nil {
		want := ip.Unmap().String()
		for _, i := range ips {
			if i == want {
				return nil
			}
		}
		return altnameError("IP: "+hostname+" is not in the cert's list: "+strings.Join(ips, ", "), hostname, cert)
	}
	cn := cert.Subject["CN"]
	if len(dns) == 0 && len(cn) == 0 {
		return altnameError("Cert does not contain a DNS name", hostname, cert)
	}
	host := splitHost(hostname)
	if len(dns) > 0 {
		for _, d := range dns {
			if hostMatches(host, d) {
				return nil
			}
		}
		return altnameError("Host: "+hostname+". is not in the cert's altnames: "+cert.SubjectAltName, hostname, cert)
	}
	for _, c := range cn {
		if hostMatches(host, c) {
			return nil
		}
	}
	return altnameError("Host: "+hostname+". is not cert's CN: "+strings.Join(cn, ","), hostname, cert)
}

// AltnameError is the error CheckServerIdentity returns: Node's
// ERR_TLS_CERT_ALTNAME_INVALID with its reason, host and cert properties.
type AltnameError struct {
	Reason string
	Host   string
	Cert   *PeerCertificate
}

func (e *AltnameError) Error() string {
	return "Hostname/IP does not match certificate's altnames: " + e.Reason
}

func altnameError(reason, host string, cert *PeerCertificate) error {
	ae := &AltnameError{Reason: reason, Host: host, Cert: cert}
	var cause error = ae
	if cert != nil && cert.X509 != nil {
		cause = &wrapped{ae, x509.HostnameError{Certificate: cert.X509, Host: host}}
	}
	return &nodenet.Error{Code: CodeCertAltnameInvalid, Message: ae.Error(), Err: cause}
}

// wrapped lets errors.As find both the AltnameError and the x509 error.
type wrapped struct {
	*AltnameError
	x509 x509.HostnameError
}

func (w *wrapped) Unwrap() []error { return []error{w.AltnameError, w.x509} }

func canonicalIP(s string) string {
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().String()
	}
	// OpenSSL's uncompressed IPv6 form parses too; anything else stays.
	return strings.ToLower(s)
}

func splitHost(h string) []string {
	return strings.Split(strings.ToLower(strings.TrimSuffix(h, ".")), ".")
}

// hostMatches is Node's check(hostParts, pattern, wildcards=true).
func hostMatches(host []string, pattern string) bool {
	if pattern == "" {
		return false
	}
	pat := splitHost(pattern)
	if len(host) != len(pat) {
		return false
	}
	for _, p := range pat {
		if p == "" {
			return false
		}
		for _, r := range p {
			if r < 0x21 || r > 0x7f {
				return false
			}
		}
	}
	for i := len(host) - 1; i > 0; i-- {
		if host[i] != pat[i] {
			return false
		}
	}
	sub, psub := host[0], pat[0]
	parts := strings.SplitN(psub, "*", 3)
	if len(parts) == 1 || strings.Contains(psub, "xn--") {
		return sub == psub
	}
	if len(parts) > 2 || len(pat) <= 2 {
		return false
	}
	prefix, suffix := parts[0], parts[1]
	return len(prefix)+len(suffix) <= len(sub) && strings.HasPrefix(sub, prefix) && strings.HasSuffix(sub, suffix)
}

// verifyPeer runs on the handshake goroutine once crypto/tls succeeded:
// the chain checks Node makes after the handshake. The client's identity
// check runs here too unless the user gave CheckServerIdentity (user code
// runs on the loop, in secured).
func (t *TLSSocket) verifyPeer(cs tls.ConnectionState) verifyResult {
	if t.e.server {
		if !t.requestCert {
			return verifyResult{}
		}
		if len(cs.PeerCertificates) == 0 {
			return verifyResult{err: tlsError(CodeUnableToGetIssuer, "unable to get issuer certificate", nil)}
		}
		chain, err := verifyChain(cs.PeerCertificates, t.ctx.roots, x509.ExtKeyUsageClientAuth)
		if err != nil {
			return verifyResult{err: err}
		}
		return verifyResult{authorized: true, chain: chain}
	}
	chain, err := verifyChain(cs.PeerCertificates, t.ctx.roots, x509.ExtKeyUsageServerAuth)
	if err != nil {
		return verifyResult{err: err}
	}
	if t.client.checkIdentity == nil && !cs.DidResume {
		if err := CheckServerIdentity(t.client.identityHost, newPeerCertificate(cs.PeerCertificates, false)); err != nil {
			return verifyResult{err: err, chain: chain}
		}
	}
	return verifyResult{authorized: true, chain: chain}
}
