// Package tlstest makes certificates for the TLS tests and benchmarks:
// self-signed leaves, a CA with leaves, expired ones, with ECDSA P-256 or
// RSA 2048 keys. It is imported by tests only.
package tlstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync/atomic"
	"time"
)

// KeyKind picks the key algorithm.
type KeyKind int

const (
	ECDSA KeyKind = iota // ECDSA P-256
	RSA                  // RSA 2048
)

// Cert is a key pair in PEM and parsed form.
type Cert struct {
	CertPEM, KeyPEM []byte
	X509            *x509.Certificate
	Key             crypto.Signer
}

// Options shape a certificate.
type Options struct {
	CN        string
	DNS       []string
	IPs       []net.IP
	Kind      KeyKind
	NotBefore time.Time // zero: an hour ago
	NotAfter  time.Time // zero: a day from now
	IsCA      bool
	ClientUse bool // client authentication instead of server
}

var serial atomic.Int64

func newKey(k KeyKind) crypto.Signer {
	if k == RSA {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return key
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return key
}

// New makes a certificate signed by parent (self-signed when parent is nil).
func New(o Options, parent *Cert) *Cert {
	key := newKey(o.Kind)
	nb, na := o.NotBefore, o.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1000 + serial.Add(1)),
		Subject:      pkix.Name{CommonName: o.CN, Organization: []string{"nodenet test"}},
		DNSNames:     o.DNS,
		IPAddresses:  o.IPs,
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if o.ClientUse {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if o.IsCA {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = nil
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.X509, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return &Cert{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		X509:    c,
		Key:     key,
	}
}

// Localhost is a self-signed server certificate for localhost, 127.0.0.1
// and ::1.
func Localhost(k KeyKind) *Cert {
	return New(Options{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, Kind: k}, nil)
}

// Chain is a CA and a server certificate it signed.
type Chain struct {
	CA, Leaf *Cert
}

// NewChain makes a CA and a leaf for localhost signed by it.
func NewChain(k KeyKind) *Chain {
	ca := New(Options{CN: "nodenet test CA", IsCA: true, Kind: k}, nil)
	leaf := New(Options{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, Kind: k}, ca)
	return &Chain{CA: ca, Leaf: leaf}
}

// ChainPEM is the leaf followed by the CA: a server's cert option that
// sends the whole chain.
func (c *Chain) ChainPEM() []byte {
	return append(append([]byte(nil), c.Leaf.CertPEM...), c.CA.CertPEM...)
}
