package tls

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/nodenet/nodenet"
)

// Node's codes for TLS errors. Certificate verification errors carry
// OpenSSL's X509_V_ERR names, as in Node (err.code and
// tlsSocket.authorizationError); handshake failures carry ERR_SSL_* names
// derived from OpenSSL's reason, as Node's do. Every error unwraps to the
// crypto/tls or crypto/x509 error it was made from.
const (
	CodeHandshakeTimeout       = "ERR_TLS_HANDSHAKE_TIMEOUT"
	CodeCertAltnameInvalid     = "ERR_TLS_CERT_ALTNAME_INVALID"
	CodeDepthZeroSelfSigned    = "DEPTH_ZERO_SELF_SIGNED_CERT"
	CodeSelfSignedInChain      = "SELF_SIGNED_CERT_IN_CHAIN"
	CodeUnableToVerifyLeaf     = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
	CodeUnableToGetIssuerLocal = "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
	CodeUnableToGetIssuer      = "UNABLE_TO_GET_ISSUER_CERT"
	CodeCertHasExpired         = "CERT_HAS_EXPIRED"
	CodeCertNotYetValid        = "CERT_NOT_YET_VALID"
	CodeInvalidCA              = "INVALID_CA"
	CodeInvalidPurpose         = "INVALID_PURPOSE"
	CodeCertChainTooLong       = "CERT_CHAIN_TOO_LONG"
	CodeCertUntrusted          = "CERT_UNTRUSTED"
	CodeCertSignatureFailure   = "CERT_SIGNATURE_FAILURE"
	CodeHTTPRequest            = "ERR_SSL_HTTP_REQUEST"
	CodeWrongVersionNumber     = "ERR_SSL_WRONG_VERSION_NUMBER"
	CodeDataLengthTooLong      = "ERR_SSL_DATA_LENGTH_TOO_LONG"
	CodeUnsupportedProtocol    = "ERR_SSL_UNSUPPORTED_PROTOCOL"
	CodeNoSharedCipher         = "ERR_SSL_NO_SHARED_CIPHER"
	CodePeerNoCertificate      = "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"
	CodeNoApplicationProtocol  = "ERR_SSL_NO_APPLICATION_PROTOCOL"
	CodeHandshakeFailure       = "ERR_SSL_SSL_HANDSHAKE_FAILURE"
	CodeBadRecordMAC           = "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC"
	CodeUnexpectedMessage      = "ERR_SSL_UNEXPECTED_MESSAGE"
	CodeNoRenegotiation        = "ERR_SSL_NO_RENEGOTIATION"
	CodeNoCipherMatch          = "ERR_SSL_NO_CIPHER_MATCH"
	CodeInvalidKeyCert         = "ERR_OSSL_X509_KEY_VALUES_MISMATCH"
	CodePEMNoStartLine         = "ERR_OSSL_PEM_NO_START_LINE"
	CodeInvalidSession         = "ERR_TLS_INVALID_SESSION"
	CodeConnReset              = "ECONNRESET"
	CodeInvalidProtocolVersion = "ERR_TLS_INVALID_PROTOCOL_VERSION"
	CodeProtocolVersionConfict = "ERR_TLS_PROTOCOL_VERSION_CONFLICT"
	CodeSNIFromServer          = "ERR_TLS_SNI_FROM_SERVER"
)

// ErrHandshakeTimeout is what 'tlsClientError' receives when a client did
// not finish its handshake within handshakeTimeout (Node's
// ERR_TLS_HANDSHAKE_TIMEOUT).
var ErrHandshakeTimeout = nodenet.NewError(CodeHandshakeTimeout, "TLS handshake timeout")

func tlsError(code, message string, cause error) *nodenet.Error {
	return &nodenet.Error{Code: code, Message: message, Err: cause}
}

// errHangUp is Node's error for a peer gone before the handshake finished.
func errHangUp(server bool, cause error) error {
	if cause == nil {
		cause = io.EOF
	}
	if server {
		return tlsError(CodeConnReset, "socket hang up", cause)
	}
	return tlsError(CodeConnReset, "Client network socket disconnected before secure TLS connection was established", cause)
}

// handshakeError gives a failed handshake Node's code. What crypto/tls
// says decides, not whether a FIN came: an alert followed by a FIN is the
// alert.
func handshakeError(err error, server bool) error {
	var ne *nodenet.Error
	if errors.As(err, &ne) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return errHangUp(server, err)
	}
	return cryptoError(err)
}

// cryptoError maps a crypto/tls error (not an end of stream) to Node's code.
func cryptoError(err error) error {
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		switch {
		case strings.Contains(rh.Msg, "oversized record"):
			return tlsError(CodeDataLengthTooLong, "data length too long: "+err.Error(), err)
		case strings.Contains(rh.Msg, "SSLv2"):
			return tlsError(CodeUnsupportedProtocol, "unsupported protocol: "+err.Error(), err)
		case looksLikeHTTP(rh.RecordHeader[:]):
			return tlsError(CodeHTTPRequest, "http request: "+err.Error(), err)
		}
		return tlsError(CodeWrongVersionNumber, "wrong version number: "+err.Error(), err)
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		if v := chainError(cv.Err, cv.UnverifiedCertificates); v != nil {
			v.Err = err
			return v
		}
	}
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "remote error" || op.Op == "local error") && op.Err != nil {
		if code, reason, ok := alertCode(op.Err.Error()); ok && op.Op == "remote error" {
			return tlsError(code, reason+": "+err.Error(), err)
		}
	}
	msg := err.Error()
	for _, m := range localMessages {
		if strings.Contains(msg, m.text) {
			return tlsError(m.code, m.reason+": "+msg, err)
		}
	}
	return tlsError(CodeHandshakeFailure, "ssl handshake failure: "+msg, err)
}

var localMessages = []struct{ text, code, reason string }{
	// A renegotiation: crypto/tls never renegotiates (a server answers
	// a second ClientHello with this, a client a HelloRequest with
	// no_renegotiation).
	{"when waiting for *tls.helloRequestMsg", CodeNoRenegotiation, "no renegotiation"},
	{"didn't provide a certificate", CodePeerNoCertificate, "peer did not return a certificate"},
	{"no cipher suite supported", CodeNoSharedCipher, "no shared cipher"},
	{"no key exchanges supported", CodeNoSharedCipher, "no shared cipher"},
	{"unsupported versions", CodeUnsupportedProtocol, "unsupported protocol"},
	{"unsupported application protocols", CodeNoApplicationProtocol, "no application protocol"},
	{"bad record MAC", CodeBadRecordMAC, "decryption failed or bad record mac"},
	{"unexpected message", CodeUnexpectedMessage, "unexpected message"},
	{"no renegotiation", CodeNoRenegotiation, "no renegotiation"},
}

// alertCode maps crypto/tls's alert text to OpenSSL's reason code for a
// received alert ("sslv3 alert bad certificate").
func alertCode(text string) (code, reason string, ok bool) {
	text = strings.TrimPrefix(text, "tls: ")
	for _, a := range alerts {
		if a.text == text {
			reason = strings.ToLower(strings.ReplaceAll(a.name, "_", " "))
			return "ERR_SSL_" + a.name, reason, true
		}
	}
	return "", "", false
}

var alerts = []struct{ text, name string }{
	{"unexpected message", "SSLV3_ALERT_UNEXPECTED_MESSAGE"},
	{"bad record MAC", "SSLV3_ALERT_BAD_RECORD_MAC"},
	{"decryption failed", "TLSV1_ALERT_DECRYPTION_FAILED"},
	{"record overflow", "TLSV1_ALERT_RECORD_OVERFLOW"},
	{"decompression failure", "SSLV3_ALERT_DECOMPRESSION_FAILURE"},
	{"handshake failure", "SSLV3_ALERT_HANDSHAKE_FAILURE"},
	{"bad certificate", "SSLV3_ALERT_BAD_CERTIFICATE"},
	{"unsupported certificate", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE"},
	{"revoked certificate", "SSLV3_ALERT_CERTIFICATE_REVOKED"},
	{"expired certificate", "SSLV3_ALERT_CERTIFICATE_EXPIRED"},
	{"unknown certificate", "SSLV3_ALERT_CERTIFICATE_UNKNOWN"},
	{"illegal parameter", "SSLV3_ALERT_ILLEGAL_PARAMETER"},
	{"unknown certificate authority", "TLSV1_ALERT_UNKNOWN_CA"},
	{"access denied", "TLSV1_ALERT_ACCESS_DENIED"},
	{"error decoding message", "TLSV1_ALERT_DECODE_ERROR"},
	{"error decrypting message", "TLSV1_ALERT_DECRYPT_ERROR"},
	{"protocol version not supported", "TLSV1_ALERT_PROTOCOL_VERSION"},
	{"insufficient security level", "TLSV1_ALERT_INSUFFICIENT_SECURITY"},
	{"internal error", "TLSV1_ALERT_INTERNAL_ERROR"},
	{"inappropriate fallback", "TLSV1_ALERT_INAPPROPRIATE_FALLBACK"},
	{"user canceled", "TLSV1_ALERT_USER_CANCELLED"},
	{"no renegotiation", "TLSV1_ALERT_NO_RENEGOTIATION"},
	{"missing extension", "TLSV13_ALERT_MISSING_EXTENSION"},
	{"unsupported extension", "TLSV1_ALERT_UNSUPPORTED_EXTENSION"},
	{"unrecognized name", "TLSV1_UNRECOGNIZED_NAME"},
	{"certificate required", "TLSV13_ALERT_CERTIFICATE_REQUIRED"},
	{"no application protocol", "TLSV1_ALERT_NO_APPLICATION_PROTOCOL"},
}

// looksLikeHTTP is OpenSSL's test for a plaintext HTTP request sent to a
// TLS port.
func looksLikeHTTP(h []byte) bool {
	for _, m := range [][]byte{[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("CONNE")} {
		n := min(len(m), len(h))
		if bytes.Equal(h[:n], m[:n]) {
			return true
		}
	}
	return false
}

// readError maps an error of an established connection's read side: a
// FIN inside a record, a record that fails to decrypt, an alert.
func readError(err error) error { return cryptoError(err) }

func writeError(err error) error { return cryptoError(err) }

// chainError gives a certificate chain verification failure OpenSSL's
// X509_V_ERR code and text, as Node reports it. presented is the chain the
// peer sent (leaf first).
func chainError(err error, presented []*x509.Certificate) *nodenet.Error {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var sr x509.SystemRootsError
	switch {
	case errors.As(err, &ua):
		switch {
		case len(presented) == 1 && selfSigned(presented[0]):
			return tlsError(CodeDepthZeroSelfSigned, "self-signed certificate"+systemCAHint, err)
		case len(presented) > 1 && selfSigned(presented[len(presented)-1]):
			return tlsError(CodeSelfSignedInChain, "self-signed certificate in certificate chain", err)
		case len(presented) == 1:
			return tlsError(CodeUnableToVerifyLeaf, "unable to verify the first certificate"+systemCAHint, err)
		}
		return tlsError(CodeUnableToGetIssuerLocal, "unable to get local issuer certificate"+systemCAHint, err)
	case errors.As(err, &ci):
		switch ci.Reason {
		case x509.Expired:
			if ci.Cert != nil && now().Before(ci.Cert.NotBefore) {
				return tlsError(CodeCertNotYetValid, "certificate is not yet valid", err)
			}
			return tlsError(CodeCertHasExpired, "certificate has expired", err)
		case x509.NotAuthorizedToSign:
			return tlsError(CodeInvalidCA, "invalid CA certificate", err)
		case x509.IncompatibleUsage:
			return tlsError(CodeInvalidPurpose, "unsupported certificate purpose", err)
		case x509.TooManyIntermediates:
			return tlsError(CodeCertChainTooLong, "certificate chain too long", err)
		}
		return tlsError(CodeCertUntrusted, "certificate not trusted", err)
	case errors.As(err, &sr):
		return tlsError(CodeUnableToGetIssuerLocal, "unable to get local issuer certificate", err)
	case err != nil:
		return tlsError(CodeCertSignatureFailure, "certificate signature failure", err)
	}
	return nil
}

// systemCAHint is what Node 26 appends to the verification errors a
// missing root explains.
const systemCAHint = "; if the root CA is installed locally, try running Node.js with --use-system-ca"

func selfSigned(c *x509.Certificate) bool {
	// CheckSignature, not CheckSignatureFrom: a self-signed leaf is not a CA.
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}
