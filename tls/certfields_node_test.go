package tls_test

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// getPeerCertificate(true) differential: Node's client and nodenet's,
// against the same crypto/tls server, show the same fields — names, SAN,
// key details, validity in OpenSSL's text, fingerprints, serial, extended
// key usage and the issuer link — for an ECDSA leaf under a CA the server
// does not send (Node links it from its trust store) and a self-signed RSA
// CA certificate (its own issuer). (A self-signed certificate that is not a
// CA, OpenSSL does not see as its own issuer: Node repeats it twice and
// ends the chain without the self link; nodenet links it to itself.)
func TestPeerCertificateNodeDifferential(t *testing.T) {
	node := nodeBin(t)
	for _, tc := range []struct {
		name      string
		cert, key []byte
		ca        *tlstest.Cert
	}{
		{"ECDSA leaf of a CA", chain.Leaf.CertPEM, chain.Leaf.KeyPEM, chain.CA},
		{"self-signed RSA CA", selfCA.CertPEM, selfCA.KeyPEM, selfCA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := goServer(t, serverConfig(tc.cert, tc.key), nil)
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(caFile, tc.ca.CertPEM, 0o600); err != nil {
				t.Fatal(err)
			}
			js := `const tls=require('tls'),fs=require('fs');` +
				`const s=tls.connect({port:` + strconv.Itoa(port) + `,host:'127.0.0.1',servername:'localhost',ca:fs.readFileSync(process.argv[1])},()=>{` +
				`const c=s.getPeerCertificate(true);` +
				`const name=n=>Object.keys(n).sort().map(k=>k+'='+[].concat(n[k]).join('+')).join(',');` +
				`console.log(['subject '+name(c.subject),'issuer '+name(c.issuer),'subjectaltname '+c.subjectaltname,'ca '+c.ca,` +
				`'bits '+c.bits,'asn1Curve '+c.asn1Curve,'nistCurve '+c.nistCurve,'modulus '+c.modulus,'exponent '+c.exponent,` +
				`'pubkey '+(c.pubkey?c.pubkey.toString('hex'):undefined),'valid_from '+c.valid_from,'valid_to '+c.valid_to,` +
				`'fingerprint '+c.fingerprint,'fingerprint256 '+c.fingerprint256,'fingerprint512 '+c.fingerprint512,` +
				`'ext_key_usage '+c.ext_key_usage,'serialNumber '+c.serialNumber,` +
				`'issuerCertificate.subject '+name(c.issuerCertificate.subject),` +
				`'issuerCertificate is its own issuer '+(c.issuerCertificate.issuerCertificate===c.issuerCertificate)].join('\n'));s.end()});` +
				`s.on('error',e=>{console.log('error '+e.code);process.exitCode=1})`
			out, err := exec.Command(node, "-e", js, caFile).CombinedOutput()
			if err != nil {
				t.Fatalf("node: %v %s", err, out)
			}
			want := strings.TrimSpace(string(out))

			l := newLoop(t)
			var c *nntls.PeerCertificate
			l.Post(func() {
				s, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
					Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: tc.ca.CertPEM}}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				s.OnSecureConnect(func() { c = s.GetPeerCertificate(true); s.End(nil, nil) })
				s.OnData(func([]byte) {})
				s.OnError(func(err error) { t.Error(err) })
			})
			looptest.Run(t, l, hangGuard)
			if c == nil {
				t.Fatal("no peer certificate")
			}
			if got := nodeView(c); got != want {
				t.Fatalf("nodenet:\n%s\nNode:\n%s", got, want)
			}
		})
	}
}

var selfCA = tlstest.New(tlstest.Options{CN: "localhost", DNS: []string{"localhost"}, IsCA: true, Kind: tlstest.RSA}, nil)

// nodeView prints c as the Node script above prints Node's object
// (undefined for a field Node leaves out).
func nodeView(c *nntls.PeerCertificate) string {
	name := func(n nntls.CertName) string {
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + strings.Join(n[k], "+")
		}
		return strings.Join(parts, ",")
	}
	or := func(s string) string {
		if s == "" {
			return "undefined"
		}
		return s
	}
	pub := "undefined"
	if c.Pubkey != nil {
		pub = hex.EncodeToString(c.Pubkey)
	}
	eku := "undefined"
	if c.ExtKeyUsage != nil {
		eku = strings.Join(c.ExtKeyUsage, ",")
	}
	issuerSubject, selfIssued := "", false
	if ic := c.IssuerCertificate; ic != nil {
		issuerSubject, selfIssued = name(ic.Subject), ic.IssuerCertificate == ic
	}
	return strings.Join([]string{
		"subject " + name(c.Subject), "issuer " + name(c.Issuer), "subjectaltname " + or(c.SubjectAltName),
		"ca " + strconv.FormatBool(c.CA), "bits " + strconv.Itoa(c.Bits), "asn1Curve " + or(c.ASN1Curve),
		"nistCurve " + or(c.NISTCurve), "modulus " + or(c.Modulus), "exponent " + or(c.Exponent), "pubkey " + pub,
		"valid_from " + c.ValidFrom, "valid_to " + c.ValidTo, "fingerprint " + c.Fingerprint,
		"fingerprint256 " + c.Fingerprint256, "fingerprint512 " + c.Fingerprint512, "ext_key_usage " + eku,
		"serialNumber " + c.SerialNumber, "issuerCertificate.subject " + issuerSubject,
		"issuerCertificate is its own issuer " + strconv.FormatBool(selfIssued),
	}, "\n")
}
