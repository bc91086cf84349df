package cli_test

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/api"
	"github.com/provisio/provisio/internal/cli"
)

// TestCLI_VersionAndConnectionHint: `provisio --version` prints the
// version, and a server that does not answer gets a plain hint instead of
// a bare dial error.
func TestCLI_VersionAndConnectionHint(t *testing.T) {
	t.Setenv("PROVISIO_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), []string{"provisio", "--version"}, strings.NewReader(""), &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), api.Version) {
		t.Fatalf("--version: exit %d: %q %q", code, out.String(), errOut.String())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	out.Reset()
	errOut.Reset()
	code := cli.Main(context.Background(), []string{"provisio", "--server", closed, "--token", "x", "org", "list"}, strings.NewReader(""), &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "is it running?") {
		t.Fatalf("unreachable server: exit %d: %q", code, errOut.String())
	}
}

// TestCLI_OutputAndUsage: --output csv writes a list as CSV and json as
// the API's JSON, a wrong --output or flag is one line that names the
// command's help, and "get" answers like "show".
func TestCLI_OutputAndUsage(t *testing.T) {
	r := start(t, "sqlite")
	op := &run{t: t, url: r.url, dbURL: r.dbURL}
	op.as("olivia")
	out := op.cli("bootstrap", "--database-url", r.dbURL, "--base-url", r.url, "--email", "olivia@vendor.example", "--name", "Olivia Operator")
	op.cliCode(0, password+"\n", "invitation", "accept", linkRE.FindString(out))
	op.cliCode(0, password+"\n", "login", "--server", r.url, "--email", "olivia@vendor.example")
	id := op.json("id", "org", "create", "--kind", "customer", "--name", "Acme, Inc.")

	if got := op.cli("org", "list", "--output", "csv"); !strings.HasPrefix(got, "id,kind,name,") || !strings.Contains(got, `"Acme, Inc."`) {
		t.Fatalf("--output csv: %q", got)
	}
	if got := op.cli("org", "get", id, "--output", "json"); !strings.Contains(got, `"name": "Acme, Inc."`) {
		t.Fatalf("get --output json: %q", got)
	}
	for _, args := range [][]string{{"org", "list", "--output", "xml"}, {"org", "list", "--bogus"}} {
		var stdout, stderr bytes.Buffer
		t.Setenv("PROVISIO_CONFIG", op.config)
		code := cli.Main(context.Background(), append([]string{"provisio"}, args...), strings.NewReader(""), &stdout, &stderr)
		if code == 0 || strings.Count(strings.TrimSpace(stderr.String()+stdout.String()), "\n") != 0 ||
			!strings.Contains(stderr.String(), "provisio org list --help") {
			t.Fatalf("%v: exit %d, %q / %q", args, code, stdout.String(), stderr.String())
		}
	}
}

// TestCLI_NamesForIDs: a site's or organisation's name and a user's email
// stand for their ids, in arguments and flags; a name that matches
// several is an error listing them (issue 14).
func TestCLI_NamesForIDs(t *testing.T) {
	r := start(t, "sqlite")
	op := &run{t: t, url: r.url, dbURL: r.dbURL}
	op.as("olivia")
	out := op.cli("bootstrap", "--database-url", r.dbURL, "--base-url", r.url, "--email", "olivia@vendor.example", "--name", "Olivia Operator")
	op.cliCode(0, password+"\n", "invitation", "accept", linkRE.FindString(out))
	op.cliCode(0, password+"\n", "login", "--server", r.url, "--email", "olivia@vendor.example")
	acme := op.json("id", "org", "create", "--kind", "customer", "--name", "Acme")
	op.cli("site", "create", "--customer", "Acme", "--name", "acme-prod", "--edition", "standard")
	if got := op.cli("site", "show", "acme-prod"); !strings.Contains(got, acme) {
		t.Fatalf("site show by name: %q", got)
	}
	if got := op.cli("user", "show", "olivia@vendor.example"); !strings.Contains(got, "Olivia Operator") {
		t.Fatalf("user show by email: %q", got)
	}
	if got := op.cli("site", "list", "--customer", "acme"); !strings.Contains(got, "acme-prod") {
		t.Fatalf("--customer by name: %q", got)
	}
	op.cli("org", "create", "--kind", "customer", "--name", "ACME")
	if got := op.cliCode(1, "", "org", "show", "acme"); !strings.Contains(got, `"acme" names 2 organisations: Acme (`) {
		t.Fatalf("ambiguous: %q", got)
	}
	if got := op.cliCode(1, "", "site", "show", "nowhere"); !strings.Contains(got, `no site you can see is called "nowhere"`) {
		t.Fatalf("unknown: %q", got)
	}
}
