package tls

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"
)

// CertName is a certificate's subject or issuer as Node shows it: OpenSSL's
// short attribute names ("CN", "O", "OU", "C", "ST", "L", …) to their
// values (several when the attribute repeats, where Node gives an array).
type CertName map[string][]string

// Get returns the first value of attr ("" when absent).
func (n CertName) Get(attr string) string {
	if v := n[attr]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// PeerCertificate is Node's certificate object (getPeerCertificate,
// getCertificate), with the same fields under Go names, plus the parsed
// certificate itself.
type PeerCertificate struct {
	Subject CertName
	Issuer  CertName
	// SubjectAltName is OpenSSL's text: "DNS:localhost, IP Address:127.0.0.1".
	SubjectAltName string
	// InfoAccess is the Authority Information Access extension:
	// "OCSP - URI" and "CA Issuers - URI" to their URLs.
	InfoAccess map[string][]string
	CA         bool
	// Modulus (upper-case hex) and Exponent ("0x10001") of an RSA key;
	// Bits is the key size for RSA and EC keys.
	Modulus  string
	Exponent string
	Bits     int
	// Pubkey is the public key: an RSA key's SubjectPublicKeyInfo, an EC
	// key's uncompressed point.
	Pubkey []byte
	// ASN1Curve ("prime256v1") and NISTCurve ("P-256") of an EC key.
	ASN1Curve string
	NISTCurve string
	// ValidFrom and ValidTo in OpenSSL's text ("Mar  3 12:00:00 2025 GMT"),
	// and as times (Node's validFromDate, validToDate).
	ValidFrom, ValidTo         string
	ValidFromDate, ValidToDate time.Time
	// Fingerprints: SHA-1, SHA-256, SHA-512 of the DER, "AB:CD:…".
	Fingerprint    string
	Fingerprint256 string
	Fingerprint512 string
	// ExtKeyUsage lists the extended key usage OIDs.
	ExtKeyUsage []string
	// SerialNumber in upper-case hex.
	SerialNumber string
	// Raw is the DER encoding.
	Raw []byte
	// IssuerCertificate is the next certificate of the chain (detailed
	// form only); a self-signed root points to itself, as in Node.
	IssuerCertificate *PeerCertificate
	// X509 is the parsed certificate.
	X509 *x509.Certificate
}

// newPeerCertificate builds Node's object for chain[0]; detailed links the
// rest of the chain through IssuerCertificate.
func newPeerCertificate(chain []*x509.Certificate, detailed bool) *PeerCertificate {
	if len(chain) == 0 {
		return nil
	}
	first := certObject(chain[0])
	if !detailed {
		return first
	}
	cur := first
	for i := 1; i < len(chain); i++ {
		next := certObject(chain[i])
		cur.IssuerCertificate = next
		cur = next
	}
	if last := chain[len(chain)-1]; selfSigned(last) {
		cur.IssuerCertificate = cur
	}
	return first
}

func certObject(c *x509.Certificate) *PeerCertificate {
	p := &PeerCertificate{
		Subject:        certName(c.Subject),
		Issuer:         certName(c.Issuer),
		SubjectAltName: altNames(c),
		CA:             c.IsCA,
		ValidFrom:      opensslTime(c.NotBefore),
		ValidTo:        opensslTime(c.NotAfter),
		ValidFromDate:  c.NotBefore,
		ValidToDate:    c.NotAfter,
		Fingerprint:    fingerprint(sha1Sum(c.Raw)),
		Fingerprint256: fingerprint(sha256Sum(c.Raw)),
		Fingerprint512: fingerprint(sha512Sum(c.Raw)),
		SerialNumber:   bnHex(c.SerialNumber),
		Raw:            c.Raw,
		X509:           c,
	}
	if len(c.OCSPServer) > 0 || len(c.IssuingCertificateURL) > 0 {
		p.InfoAccess = map[string][]string{}
		if len(c.OCSPServer) > 0 {
			p.InfoAccess["OCSP - URI"] = c.OCSPServer
		}
		if len(c.IssuingCertificateURL) > 0 {
			p.InfoAccess["CA Issuers - URI"] = c.IssuingCertificateURL
		}
	}
	for _, u := range c.ExtKeyUsage {
		if oid, ok := extKeyUsageOIDs[u]; ok {
			p.ExtKeyUsage = append(p.ExtKeyUsage, oid)
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		p.ExtKeyUsage = append(p.ExtKeyUsage, u.String())
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		p.Modulus = strings.ToUpper(k.N.Text(16))
		p.Exponent = "0x" + strconv.FormatInt(int64(k.E), 16)
		p.Bits = k.N.BitLen()
		p.Pubkey = c.RawSubjectPublicKeyInfo
	case *ecdsa.PublicKey:
		p.Bits = k.Curve.Params().BitSize
		p.NISTCurve = k.Curve.Params().Name
		p.ASN1Curve = asn1Curves[p.NISTCurve]
		if b, err := k.Bytes(); err == nil {
			p.Pubkey = b
		}
	case ed25519.PublicKey:
		p.Bits = 253
		p.Pubkey = []byte(k)
	}
	return p
}

var asn1Curves = map[string]string{"P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", "P-224": "secp224r1"}

var extKeyUsageOIDs = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageServerAuth:      "1.3.6.1.5.5.7.3.1",
	x509.ExtKeyUsageClientAuth:      "1.3.6.1.5.5.7.3.2",
	x509.ExtKeyUsageCodeSigning:     "1.3.6.1.5.5.7.3.3",
	x509.ExtKeyUsageEmailProtection: "1.3.6.1.5.5.7.3.4",
	x509.ExtKeyUsageTimeStamping:    "1.3.6.1.5.5.7.3.8",
	x509.ExtKeyUsageOCSPSigning:     "1.3.6.1.5.5.7.3.9",
	x509.ExtKeyUsageAny:             "2.5.29.37.0",
}

var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
	"2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.17": "postalCode",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1": "UID", "2.5.4.4": "SN", "2.5.4.42": "GN", "2.5.4.12": "title",
}

func certName(n pkix.Name) CertName {
	out := CertName{}
	for _, a := range n.Names {
		key := attrNames[a.Type.String()]
		if key == "" {
			key = a.Type.String()
		}
		if s, ok := a.Value.(string); ok {
			out[key] = append(out[key], s)
		}
	}
	return out
}

// altNames is OpenSSL's subjectAltName text, in the order Node shows it.
func altNames(c *x509.Certificate) string {
	var parts []string
	for _, d := range c.DNSNames {
		parts = append(parts, "DNS:"+d)
	}
	for _, ip := range c.IPAddresses {
		parts = append(parts, "IP Address:"+opensslIP(ip))
	}
	for _, e := range c.EmailAddresses {
		parts = append(parts, "email:"+e)
	}
	for _, u := range c.URIs {
		parts = append(parts, "URI:"+u.String())
	}
	return strings.Join(parts, ", ")
}

// opensslIP prints an IPv6 address as OpenSSL does: eight groups, upper
// case, no compression.
func opensslIP(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	var b strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(ip[i])<<8|uint64(ip[i+1]), 16)))
	}
	return b.String()
}

func opensslTime(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05 2006 GMT") }

func fingerprint(sum []byte) string {
	h := strings.ToUpper(hex.EncodeToString(sum))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

func sha1Sum(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
func sha512Sum(b []byte) []byte { s := sha512.Sum512(b); return s[:] }

// bnHex is OpenSSL's BN_bn2hex: upper case, whole bytes.
func bnHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	s := strings.ToUpper(n.Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}
