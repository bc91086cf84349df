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
