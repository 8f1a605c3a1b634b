package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// The TLS cells: every server gets the same self-signed certificate (made
// at the start of the run, in bin/), the load generator wraps its
// connections in crypto/tls clients that skip verification (the cells
// measure the server), offer only X25519 (Go's default would add the
// hybrid post-quantum X25519MLKEM768, which Node's OpenSSL does not all
// negotiate the same way) and never resume (a full handshake each time).

func certPaths(bin, kind string) (cert, key string) {
	return filepath.Join(bin, "tls-"+kind+"-cert.pem"), filepath.Join(bin, "tls-"+kind+"-key.pem")
}

func writeBenchCerts(bin string) error {
	for _, kind := range []string{"ecdsa", "rsa"} {
		certPEM, keyPEM, err := selfSigned(kind)
		if err != nil {
			return err
		}
		c, k := certPaths(bin, kind)
		if err := os.WriteFile(c, certPEM, 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(k, keyPEM, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func selfSigned(kind string) (certPEM, keyPEM []byte, err error) {
	var key crypto.Signer
	if kind == "rsa" {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(48 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), nil
}

// withTLS is s serving TLS with the kind's certificate.
func withTLS(cfg *config, s system, kind string) system {
	cert, key := certPaths(cfg.bin, kind)
	inner := s.argv
	t := s
	switch s.Name {
	case "node":
		t.argv = func(bin, addr string, loops int) []string {
			return []string{filepath.Join(bin, "node"), filepath.Join(bin, "..", "node", "tlsecho.js"), "-addr", addr, "-cert", cert, "-key", key}
		}
	default: // nodenet (examples/echo) and stdlib take the same flags
		t.argv = func(bin, addr string, loops int) []string {
			return append(inner(bin, addr, loops), "-tls", "-cert", cert, "-key", key)
		}
	}
	return t
}

// clientTLS is the load generator's TLS configuration.
func clientTLS() *tls.Config {
	return &tls.Config{
		InsecureSkipVerify:     true,
		ServerName:             "localhost",
		CurvePreferences:       []tls.CurveID{tls.X25519},
		SessionTicketsDisabled: true,
		MinVersion:             tls.VersionTLS13,
	}
}

// tlsWrap runs the handshake on c (bounded by a deadline).
func tlsWrap(c net.Conn) (net.Conn, error) {
	tc := tls.Client(c, clientTLS())
	tc.SetDeadline(time.Now().Add(20 * time.Second))
	if err := tc.Handshake(); err != nil {
		c.Close()
		return nil, err
	}
	tc.SetDeadline(time.Time{})
	return tc, nil
}

var goroutinesLine = regexp.MustCompile(`goroutines=(\d+)`)

// goroutines asks a nodenet echo server how many goroutines it has
// (SIGUSR1 makes it print "goroutines=N"); 0 for other servers.
func (s *serverProc) goroutines(sys system) int {
	if sys.Name != "nodenet" {
		return 0
	}
	before := len(goroutinesLine.FindAllString(s.log.String(), -1))
	s.cmd.Process.Signal(syscall.SIGUSR1)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		all := goroutinesLine.FindAllStringSubmatch(s.log.String(), -1)
		if len(all) > before {
			n, _ := strconv.Atoi(all[len(all)-1][1])
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0
}
