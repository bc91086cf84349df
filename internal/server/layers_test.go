package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers checks DESIGN's direction of dependencies: the layers people
// and applications reach (api, web, scim, oidcop, jobs) and app itself know the
// store only by app's interfaces, and domain imports nothing of the
// project.
func TestLayers(t *testing.T) {
	const mod = "github.com/provisio/provisio/internal/"
	forbidden := map[string][]string{
		"app":    {"store", "api", "web", "server", "jobs"},
		"api":    {"store", "server"},
		"web":    {"store", "server"},
		"scim":   {"store", "server"},
		"oidcop": {"store", "server"},
		"jobs":   {"store", "server"},
		"domain": {""}, // nothing of the project
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../"+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			rest, ok := strings.CutPrefix(dep, mod)
			if !ok || rest == pkg {
				continue
			}
			for _, b := range bad {
				if b == "" || rest == b || strings.HasPrefix(rest, b+"/") {
					t.Errorf("%s depends on %s", pkg, rest)
				}
			}
		}
	}
}
