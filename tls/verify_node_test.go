package tls_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// Certificate errors differential: Node's client and nodenet's, against the
// same crypto/tls server, report the same code and message.
func TestVerificationErrorsNodeDifferential(t *testing.T) {
	node := nodeBin(t)
	expired := tlstest.New(tlstest.Options{CN: "localhost", DNS: []string{"localhost"}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, chain.CA)
	future := tlstest.New(tlstest.Options{CN: "localhost", DNS: []string{"localhost"}, NotBefore: time.Now().Add(48 * time.Hour), NotAfter: time.Now().Add(72 * time.Hour)}, chain.CA)
	unknown := tlstest.NewChain(tlstest.ECDSA)
	inter := tlstest.New(tlstest.Options{CN: "inter", IsCA: true}, chain.CA)
	viaInter := tlstest.New(tlstest.Options{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, inter)
	interChain := append(append([]byte(nil), viaInter.CertPEM...), inter.CertPEM...)
	d := t.TempDir()
	caFile := filepath.Join(d, "ca.pem")
	if err := os.WriteFile(caFile, chain.CA.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, servername string
		cert, key        []byte
	}{
		{"self-signed", "localhost", ecCert.CertPEM, ecCert.KeyPEM},
		{"leaf of an unknown CA", "localhost", unknown.Leaf.CertPEM, unknown.Leaf.KeyPEM},
		{"chain with an untrusted root", "localhost", unknown.ChainPEM(), unknown.Leaf.KeyPEM},
		{"expired", "localhost", expired.CertPEM, expired.KeyPEM},
		{"not yet valid", "localhost", future.CertPEM, future.KeyPEM},
		{"intermediate not sent", "localhost", viaInter.CertPEM, viaInter.KeyPEM},
		{"intermediate sent", "localhost", interChain, viaInter.KeyPEM},
		{"wrong host", "wrong.example", chain.Leaf.CertPEM, chain.Leaf.KeyPEM},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := goServer(t, serverConfig(c.cert, c.key), nil)
			js := `const tls=require('tls'),fs=require('fs');` +
				`const s=tls.connect({port:` + strconv.Itoa(port) + `,host:'127.0.0.1',servername:process.argv[2],ca:fs.readFileSync(process.argv[1])});` +
				`s.on('error',e=>console.log(e.code+' | '+e.message));s.on('secureConnect',()=>{console.log('ok');s.end()})`
			out, err := exec.Command(node, "-e", js, caFile, c.servername).CombinedOutput()
			if err != nil {
				t.Fatalf("node: %v %s", err, out)
			}
			want := strings.TrimSpace(string(out))
			r := clientRun(t, nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Port: port}, Servername: c.servername,
				SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}})
			got := "ok"
			if r.err != nil {
				got = code(r.err) + " | " + r.err.Error()
			}
			if got != want {
				t.Fatalf("nodenet: %s\nNode:    %s", got, want)
			}
		})
	}
}
