// Package ldaptest runs a real OpenLDAP server (slapd, with the ppolicy
// overlay) for tests, in a temporary folder on a loopback port, set up by
// scripts/test-slapd.sh. Without slapd installed the tests skip, unless
// PROVISIO_TEST_REQUIRE_LDAP is set (as .ci/run does), when they fail.
package ldaptest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/provisio/provisio/internal/directory"
)

// The test directory's names (scripts/test-slapd.sh).
const (
	Suffix   = "dc=provisio,dc=test"
	AdminDN  = "cn=admin," + Suffix
	AdminPW  = "admin-secret"
	PeopleDN = "ou=people," + Suffix
)

// Server is a running slapd.
type Server struct {
	t    testing.TB
	dir  string
	port int
	URL  string
}

// Start runs a fresh slapd for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	slapd := "/usr/sbin/slapd"
	if p, err := exec.LookPath("slapd"); err == nil {
		slapd = p
	}
	if _, err := os.Stat(slapd); err != nil {
		if os.Getenv("PROVISIO_TEST_REQUIRE_LDAP") != "" {
			t.Fatalf("slapd is not installed (apt-get install -y slapd ldap-utils)")
		}
		t.Skip("slapd is not installed; apt-get install -y slapd ldap-utils")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{t: t, dir: t.TempDir(), port: port, URL: "ldap://127.0.0.1:" + strconv.Itoa(port) + "/"}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "test-slapd.sh")
	if out, err := exec.Command(script, s.dir, strconv.Itoa(port)).CombinedOutput(); err != nil {
		t.Fatalf("starting slapd: %v\n%s", err, out)
	}
	t.Cleanup(s.Stop)
	return s
}

// Config is the directory settings for the server's people folder.
func (s *Server) Config() directory.Config {
	return directory.Config{URL: s.URL, BindDN: AdminDN, BindPassword: AdminPW, BaseDN: PeopleDN, Flavor: directory.OpenLDAP}
}

// Stop kills the server (the directory is down until Restart).
func (s *Server) Stop() {
	b, err := os.ReadFile(filepath.Join(s.dir, "slapd.pid"))
	if err != nil {
		return
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
	_ = os.Remove(filepath.Join(s.dir, "slapd.pid"))
}

// Restart starts the stopped server again, with its data.
func (s *Server) Restart() {
	s.t.Helper()
	slapd, err := exec.LookPath("slapd")
	if err != nil {
		slapd = "/usr/sbin/slapd"
	}
	if out, err := exec.Command(slapd, "-f", filepath.Join(s.dir, "slapd.conf"), "-h", s.URL, "-s", "0").CombinedOutput(); err != nil {
		s.t.Fatalf("restarting slapd: %v\n%s", err, out)
	}
	for i := 0; i < 100; i++ {
		if c, err := ldap.DialURL(s.URL); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("slapd did not come back")
}

// admin is a connection bound as the directory's manager.
func (s *Server) admin() *ldap.Conn {
	s.t.Helper()
	c, err := ldap.DialURL(s.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := c.Bind(AdminDN, AdminPW); err != nil {
		c.Close()
		s.t.Fatal(err)
	}
	return c
}

// Entry is an account as the directory holds it.
type Entry struct {
	DN       string
	Attrs    map[string][]string
	Reset    bool // ppolicy pwdReset: the password must be changed
	LockedAt string
}

// Entries lists the accounts under the people folder, read as the manager
// with their operational attributes.
func (s *Server) Entries() []Entry {
	s.t.Helper()
	c := s.admin()
	defer c.Close()
	res, err := c.Search(ldap.NewSearchRequest(PeopleDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"*", "pwdReset", "pwdAccountLockedTime"}, nil))
	if err != nil {
		s.t.Fatal(err)
	}
	var out []Entry
	for _, e := range res.Entries {
		x := Entry{DN: e.DN, Attrs: map[string][]string{}}
		for _, a := range e.Attributes {
			x.Attrs[a.Name] = a.Values
		}
		x.Reset = e.GetAttributeValue("pwdReset") == "TRUE"
		x.LockedAt = e.GetAttributeValue("pwdAccountLockedTime")
		out = append(out, x)
	}
	return out
}

// Delete removes an entry, as the manager.
func (s *Server) Delete(dn string) {
	s.t.Helper()
	c := s.admin()
	defer c.Close()
	if err := c.Del(ldap.NewDelRequest(dn, nil)); err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		s.t.Fatal(err)
	}
}

// ErrMustChange is BindAs's answer for a right password that must be
// changed before anything else.
var ErrMustChange = errors.New("the password must be changed")

// BindAs signs in to the directory as dn with password, as an application
// of the site would, asking for the password policy's verdict.
func (s *Server) BindAs(dn, password string) error {
	c, err := ldap.DialURL(s.URL)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.SimpleBind(&ldap.SimpleBindRequest{Username: dn, Password: password,
		Controls: []ldap.Control{ldap.NewControlBeheraPasswordPolicy()}})
	if err != nil {
		return err
	}
	for _, ctl := range res.Controls {
		if pp, ok := ctl.(*ldap.ControlBeheraPasswordPolicy); ok && pp.Error == ldap.BeheraChangeAfterReset {
			return ErrMustChange
		}
	}
	return nil
}

// String names the server in failures.
func (s *Server) String() string { return fmt.Sprintf("slapd at %s", s.URL) }
