package server_test

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSCIM_MicrosoftCollection runs Microsoft's SCIM reference collection
// under newman against a real server, with an organisation token, on
// both databases (R-APP-4). .ci/run installs newman; without it the test
// skips. The assertions that a SPEC rule refuses are listed in
// specConflicts; every other assertion must pass.
func TestSCIM_MicrosoftCollection(t *testing.T) { // R-APP-4
	newman, err := exec.LookPath("newman")
	if err != nil {
		if _, err := os.Stat("../../node_modules/.bin/newman"); err == nil {
			newman, _ = filepath.Abs("../../node_modules/.bin/newman")
		} else {
			t.Skip("newman is not installed (.ci/run installs it: npm install --no-save newman@6.2.2)")
		}
	}
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := open(t, server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig()})
		cust, err := s.App.CreateOrg(ctx, app.System, app.NewOrg{Kind: domain.OrgCustomer, Name: "Contoso"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.App.CreateUser(ctx, app.System, app.NewUser{OrgID: cust.ID, Email: "ann.admin@contoso.example",
			Name: "Ann Admin", Roles: []domain.Role{domain.RoleCustomerAdmin}}); err != nil {
			t.Fatal(err)
		}
		secret, _, err := s.App.CreateSCIMToken(ctx, app.System, app.NewSCIMToken{OrgID: cust.ID, Name: "Entra ID"})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- s.Serve(sctx, ln) }()
		defer func() { cancel(); <-done }()
		port := ln.Addr().(*net.TCPAddr).Port
		report := filepath.Join(t.TempDir(), "newman.json")
		cmd := exec.Command(newman, "run", "../scim/testdata/microsoft-scim-reference.postman_collection.json",
			"--folder", "Endpoint tests", "--folder", "User tests", "--folder", "Group tests",
			"--folder", "ComplexAttribute tests", "--folder", "User tests with garbage",
			"--folder", "Group tests with garbage", "--folder", "Teardown garbage",
			"--env-var", "Protocol=http", "--env-var", "Server=127.0.0.1", "--env-var", "Port=:"+strconv.Itoa(port), "--env-var", "Api=scim/v2", "--env-var", "token="+secret,
			"--reporters", "cli,json", "--reporter-json-export", report, "--color", "off")
		out, err := cmd.CombinedOutput()
		t.Logf("newman:\n%s", out)
		failures := newmanFailures(t, report)
		for _, f := range failures {
			if _, ok := specConflicts[f]; !ok {
				t.Errorf("newman assertion failed: %s", f)
			}
		}
		if err != nil && len(failures) == 0 {
			t.Fatalf("newman: %v", err)
		}
	})
}

// newmanFailures reads newman's JSON report: "request / assertion" for
// each failed assertion.
func newmanFailures(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("newman wrote no report: %v", err)
	}
	var rep struct {
		Run struct {
			Stats struct {
				Assertions struct{ Total, Failed int } `json:"assertions"`
			} `json:"stats"`
			Failures []struct {
				Error  struct{ Test string } `json:"error"`
				Source struct{ Name string } `json:"source"`
			} `json:"failures"`
		} `json:"run"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("newman report: %v", err)
	}
	t.Logf("newman: %d assertions, %d failed", rep.Run.Stats.Assertions.Total, rep.Run.Stats.Assertions.Failed)
	var out []string
	for _, f := range rep.Run.Failures {
		out = append(out, f.Source.Name+" / "+f.Error.Test)
	}
	return out
}

// specConflicts are the collection's assertions that a SPEC rule makes
// fail, each with the rule. Microsoft's sample server stores whatever it
// is sent; Provisio provisions people, so:
var specConflicts = map[string]string{
	// "UserName444" has no email of its own: its primary email is that of
	// "UserName333" (R-USER-1: every user has its own email), so it is
	// refused with 409; the group steps that use it fail with it.
	"Create user 4 for group 2 / Status code is 201": "R-USER-1",
	"Put replace group3 / Status code is 200":        "R-USER-1 (member id4 was refused)",
	"Validate group 3 / Body contians user id3":      "R-USER-1 (the PUT with id4 was refused)",
	"Get group by id / Body contians user":           "R-USER-1 (member id4 was refused)",
	"Delete user id4 / Status code is 204":           "R-USER-1 (id4 was never created)",
	// "emailName357" is not an email address and userName is none either
	// (R-USER-1: a named person with an email address): refused with 400.
	"create user1 / Status code is 201":                          "R-USER-1",
	"Get user attributes / Body contians User1 email":            "R-USER-1 (user1 was refused)",
	"Get user via attributes filter / Body contians User1 email": "R-USER-1 (user1 was refused)",
	"Delete User1 / Status code is 204":                          "R-USER-1 (user1 was never created)",
	// emp2, emp3 and "enterprise" all have emp1's email (R-USER-1).
	"Post emp2 / Status code is 201":              "R-USER-1",
	"Post emp3 / Status code is 201":              "R-USER-1",
	"Post enterprise user / Status code is 201":   "R-USER-1",
	"Paginate / Total results":                    "R-USER-1 (2 users, not 5)",
	"get user attributes / Total results":         "R-USER-1 (2 users, not 5)",
	"filter eq and (val or val) / Total results":  "R-USER-1 (1 Employee, not 4)",
	"filter greater than / Total results":         "R-USER-1 (2 users, not 5)",
	"Delete user3 emp2 / Status code is 204":      "R-USER-1 (never created)",
	"Delete user4 emp3 / Status code is 204":      "R-USER-1 (never created)",
	"Delete enterprise user / Status code is 204": "R-USER-1 (never created)",
	// A member is a user of the organisation, given as {"value": id}
	// (RFC 7643 section 4.2); "string id 1" is neither, and a group of
	// unknown members would give nobody a role: refused with 400.
	"Group patch add member / Status code is 204":  "RFC 7643 4.2: members are users",
	"Group patch add member2 / Status code is 204": "RFC 7643 4.2: members are users",
}
