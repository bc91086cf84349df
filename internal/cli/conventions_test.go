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
