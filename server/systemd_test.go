//go:build linux

package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

const systemdChildEnv = "NODENET_TEST_SYSTEMD_CHILD"

// TestHelperSystemdChild is the socket-activated child of
// TestSystemdListeners: the parent passed a listening socket as fd 3 and
// LISTEN_FDS=1. LISTEN_PID is set here, as systemd sets it between fork
// and exec (the parent cannot know the pid in advance). It reports what
// SystemdListeners found, listens on it and echoes one connection.
func TestHelperSystemdChild(t *testing.T) {
	if os.Getenv(systemdChildEnv) != "1" {
		t.Skip("helper process for TestSystemdListeners")
	}
	fail := func(v ...any) { fmt.Println("FATAL", fmt.Sprint(v...)); os.Exit(2) }
	os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
	fds, err := server.SystemdListeners(true)
	if err != nil || len(fds) != 1 || fds[0] != 3 {
		fail("SystemdListeners = ", fds, err)
	}
	for _, v := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		if _, set := os.LookupEnv(v); set {
			fail(v, " still set after SystemdListeners(true)")
		}
	}
	flags, err := unix.FcntlInt(3, unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		fail("fd 3 is not close-on-exec: ", flags, err)
	}
	l, err := reactor.New()
	if err != nil {
		fail(err)
	}
	var srv *server.Server
	srv, err = server.New(server.Options{Loop: l}, func(c *socket.Socket) {
		c.OnData(func(b []byte) { c.Send(b, nil) })
		c.OnEnd(func() { srv.Close(nil) }) // one client, then exit
	})
	if err != nil {
		fail(err)
	}
	srv.OnError(func(err error) { fail("server error: ", err) })
	if err := srv.Listen(server.ListenOptions{Handle: fds[0]}, func() {
		a, _ := srv.AddressInfo()
		fmt.Printf("LISTENING %s %d\n", a.Address, a.Port)
	}); err != nil {
		fail(err)
	}
	if err := l.Run(); err != nil {
		fail(err)
	}
	fmt.Println("DONE")
}

// TestSystemdListeners runs a child the way systemd socket activation does
// (a bound, listening socket as fd 3, LISTEN_FDS=1, LISTEN_PID = the
// child) and checks the child serves on it; the environment rules are
// checked in-process.
func TestSystemdListeners(t *testing.T) {
	if os.Getenv(systemdChildEnv) == "1" {
		t.Skip("in the child")
	}
	t.Run("SocketActivatedChild", func(t *testing.T) {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		f, err := ln.(*net.TCPListener).File() // a dup, blocking mode
		ln.Close()                             // the child's copy keeps the socket
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSystemdChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), systemdChildEnv+"=1", "LISTEN_FDS=1", "LISTEN_FDNAMES=test")
		cmd.ExtraFiles = []*os.File{f} // becomes fd 3
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		lines := make(chan string, 8)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		defer func() {
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("child: %v\n%s", err, stderr.String())
				}
			case <-time.After(hangGuard):
				cmd.Process.Kill()
				<-done
				t.Errorf("child did not exit\n%s", stderr.String())
			}
		}()
		next := func(prefix string) []string {
			t.Helper()
			for {
				select {
				case line, ok := <-lines:
					if !ok {
						t.Fatalf("child exited before %s\n%s", prefix, stderr.String())
					}
					if strings.HasPrefix(line, "FATAL") {
						t.Fatalf("child: %s", line)
					}
					if f := strings.Fields(line); len(f) > 0 && f[0] == prefix {
						return f[1:]
					}
				case <-time.After(hangGuard):
					t.Fatalf("timed out waiting for %s", prefix)
				}
			}
		}
		got := next("LISTENING")
		if got[0] != "127.0.0.1" || got[1] != strconv.Itoa(p) {
			t.Errorf("child listens on %v, want 127.0.0.1 %d", got, p)
		}
		c := dial(t, "tcp", loopback(p))
		echoOn(t, c, "activated")
		c.Close()
		next("DONE")
	})

	t.Run("Environment", func(t *testing.T) {
		t.Setenv("LISTEN_FDS", "1")
		t.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()+1))
		if fds, err := server.SystemdListeners(false); fds != nil || err != nil {
			t.Errorf("LISTEN_PID of another process: %v, %v; want nil, nil", fds, err)
		}
		t.Setenv("LISTEN_PID", "")
		if fds, err := server.SystemdListeners(false); fds != nil || err != nil {
			t.Errorf("no LISTEN_PID: %v, %v; want nil, nil", fds, err)
		}
		t.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
		t.Setenv("LISTEN_FDS", "x")
		if _, err := server.SystemdListeners(false); err == nil {
			t.Error("LISTEN_FDS=x: no error")
		}
		t.Setenv("LISTEN_FDS", "0")
		if fds, err := server.SystemdListeners(true); len(fds) != 0 || err != nil {
			t.Errorf("LISTEN_FDS=0: %v, %v", fds, err)
		}
		if _, set := os.LookupEnv("LISTEN_FDS"); set {
			t.Error("LISTEN_FDS still set after SystemdListeners(true)")
		}
	})
}
