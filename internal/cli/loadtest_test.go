package cli_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/cli"
)

// TestLoadtest: the load command seeds its world through the app, runs
// every scenario beside the trivial baseline at each concurrency, and
// every request succeeds (issue 15).
func TestLoadtest(t *testing.T) {
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), []string{"provisio", "loadtest", "--users", "20", "--requests", "10", "--duration", "150ms",
		"--concurrency", "1,2"}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	rows := regexp.MustCompile(`(?m)^(trivial|access|page|scim|approve)\s+(\d+)\s+(\d+)\s+(\d+)%`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 10 {
		t.Fatalf("want 5 scenarios at 2 concurrencies:\n%s", out.String())
	}
	for _, r := range rows {
		if r[4] != "100" || r[3] == "0" {
			t.Fatalf("%s at %s: %s requests, %s%% ok\n%s", r[1], r[2], r[3], r[4], out.String())
		}
	}
}
