package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

type env struct {
	t   *testing.T
	srv *httptest.Server
	s   *server.Server
}

func newEnv(t *testing.T, d store.Dialect) *env {
	s, err := server.Open(context.Background(), server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig()},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, s: s}
}

// org creates a customer with an administrator and an organisation token.
func (e *env) org(name string) (*domain.Org, string) {
	ctx := context.Background()
	o, err := e.s.App.CreateOrg(ctx, app.System, app.NewOrg{Kind: domain.OrgCustomer, Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, _, err := e.s.App.CreateUser(ctx, app.System, app.NewUser{OrgID: o.ID, Email: "admin@" + name + ".example",
		Name: name + " Admin", Roles: []domain.Role{domain.RoleCustomerAdmin}}); err != nil {
		e.t.Fatal(err)
	}
	secret, _, err := e.s.App.CreateSCIMToken(ctx, app.System, app.NewSCIMToken{OrgID: o.ID, Name: name + " Entra ID"})
	if err != nil {
		e.t.Fatal(err)
	}
	return o, secret
}

// call sends a SCIM request and returns the status and decoded body.
func (e *env) call(token, method, path string, body any, hdr ...string) (int, map[string]any, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/scim/v2"+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func user(name, email, family string, active any) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name,
		"active": active, "name": map[string]any{"givenName": "Pat", "familyName": family},
		"emails": []any{map[string]any{"value": email, "type": "work", "primary": true}}}
}

func total(t *testing.T, e *env, token, filter string) float64 {
	t.Helper()
	st, body, _ := e.call(token, "GET", "/Users?filter="+url.QueryEscape(filter), nil)
	if st != 200 {
		t.Fatalf("filter %q: %d %v", filter, st, body)
	}
	return body["totalResults"].(float64)
}

func TestSCIM_ProvisioningFromTheIdentityProvider(t *testing.T) { // R-APP-4
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		o, tok := e.org("contoso")
		ids := map[string]string{}
		for _, u := range []struct{ name, email, family string }{
			{"ann@contoso.example", "ann@contoso.example", "Archer"},
			{"bob", "bob.baker@contoso.example", "Baker"},
			{"cy@contoso.example", "cy@contoso.example", "Carter"},
		} {
			st, body, hdr := e.call(tok, "POST", "/Users", user(u.name, u.email, u.family, true))
			if st != 201 || hdr.Get("ETag") == "" {
				t.Fatalf("create %s: %d %v", u.name, st, body)
			}
			ids[u.name] = body["id"].(string)
		}

		// Filters run in SQL: each operator, value paths, precedence.
		for f, want := range map[string]float64{
			`userName eq "BOB"`:                        1,
			`userName ne "bob"`:                        2,
			`emails.value co "baker"`:                  1,
			`userName sw "ann"`:                        1,
			`userName ew "contoso.example"`:            2,
			`externalId pr`:                            0,
			`name.familyName gt "Archer"`:              2,
			`name.familyName ge "Baker"`:               2,
			`name.familyName lt "Baker"`:               1,
			`name.familyName le "Baker"`:               2,
			`not (userName eq "bob")`:                  2,
			`emails[type eq "work" and value co "cy"]`: 1,
			`userName eq "bob" or userName eq "cy@contoso.example" and active eq false`:  1,
			`(userName eq "bob" or userName eq "cy@contoso.example") and active eq true`: 2,
			`meta.created gt 2015-10-10T14:38:21Z`:                                       3,
			`active eq "True"`:                                                           0,
		} {
			if f == `active eq "True"` {
				if st, _, _ := e.call(tok, "GET", "/Users?filter="+url.QueryEscape(f), nil); st != 400 {
					t.Errorf("filter %s: %d, want 400 invalidFilter", f, st)
				}
				continue
			}
			if got := total(t, e, tok, f); got != want {
				t.Errorf("filter %s: %v results, want %v", f, got, want)
			}
		}

		// Pagination: startIndex and count, with the total.
		st, body, _ := e.call(tok, "GET", "/users?startIndex=2&count=1", nil)
		if st != 200 || body["totalResults"].(float64) != 3 || body["itemsPerPage"].(float64) != 1 ||
			body["Resources"].([]any)[0].(map[string]any)["id"] != ids["bob"] {
			t.Fatalf("page 2: %d %v", st, body)
		}

		// PATCH as Entra sends it: "Replace", active as the string "False".
		// The user is locked at once (R-USER-5).
		_, got, hdr := e.call(tok, "GET", "/Users/"+ids["bob"], nil)
		etag := hdr.Get("ETag")
		st, body, _ = e.call(tok, "PATCH", "/Users/"+ids["bob"], map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "Replace", "path": "active", "value": "False"}}}, "If-Match", etag)
		if st != 204 {
			t.Fatalf("patch active False: %d %v", st, body)
		}
		usr, err := e.s.App.User(context.Background(), app.System, ids["bob"])
		if err != nil || usr.State != domain.UserLocked {
			t.Fatalf("after active false the user is %v (%v), want locked", usr, err)
		}
		// The old ETag no longer matches.
		if st, body, _ = e.call(tok, "PATCH", "/Users/"+ids["bob"], map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": "B"}}}, "If-Match", etag); st != 412 {
			t.Fatalf("stale If-Match: %d %v", st, body)
		}
		// PATCH as Okta sends it: no path, an object of attributes.
		st, _, _ = e.call(tok, "PATCH", "/Users/"+ids["bob"], map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": true}}}})
		if usr, _ = e.s.App.User(context.Background(), app.System, ids["bob"]); st != 204 || usr.State != domain.UserInvited {
			t.Fatalf("reactivated user never registered: %d %v, want invited again", st, usr.State)
		}
		_ = got

		// Replacing a complex attribute sets the sub-attributes it names
		// and keeps the others (RFC 7644 section 3.5.2.3).
		st, _, _ = e.call(tok, "PATCH", "/Users/"+ids["ann@contoso.example"], map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "name", "value": map[string]any{"givenName": "Anna"}}}})
		_, got, _ = e.call(tok, "GET", "/Users/"+ids["ann@contoso.example"], nil)
		if name, _ := got["name"].(map[string]any); st != 204 || name["givenName"] != "Anna" || name["familyName"] != "Archer" {
			t.Fatalf("replace name.givenName: %d %v", st, got["name"])
		}

		// Refusals name their rule: a disposable address (R-USER-2), a
		// taken one (R-USER-1).
		st, body, _ = e.call(tok, "POST", "/Users", user("x@mailinator.com", "x@mailinator.com", "X", true))
		if st != 400 || !contains(body["detail"], "R-USER-2") || body["scimType"] != "invalidValue" {
			t.Fatalf("disposable email: %d %v", st, body)
		}
		st, body, _ = e.call(tok, "POST", "/Users", user("bob2", "bob.baker@contoso.example", "Baker", true))
		if st != 409 || !contains(body["detail"], "R-USER-1") || body["scimType"] != "uniqueness" {
			t.Fatalf("taken email: %d %v", st, body)
		}

		// Groups with members, member removal by value filter.
		st, g, _ := e.call(tok, "POST", "/Groups", map[string]any{"displayName": "Finance",
			"members": []any{map[string]any{"value": ids["bob"]}, map[string]any{"value": ids["cy@contoso.example"]}}})
		if st != 201 || len(g["members"].([]any)) != 2 {
			t.Fatalf("group: %d %v", st, g)
		}
		gid := g["id"].(string)
		st, _, _ = e.call(tok, "PATCH", "/Groups/"+gid, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "remove", "path": `members[value eq "` + ids["bob"] + `"]`}}})
		_, g, _ = e.call(tok, "GET", "/Groups/"+gid, nil)
		if st != 204 || len(g["members"].([]any)) != 1 {
			t.Fatalf("remove member by filter: %d %v", st, g)
		}

		// Another organisation's token sees none of it (R-ORG-1).
		_, other := e.org("fabrikam")
		for _, p := range []string{"/Users/" + ids["bob"], "/Groups/" + gid} {
			if st, _, _ := e.call(other, "GET", p, nil); st != 404 {
				t.Errorf("another tenant's token reads %s: %d, want 404", p, st)
			}
		}
		if st, _, _ := e.call(other, "DELETE", "/Users/"+ids["bob"], nil); st != 404 {
			t.Errorf("another tenant's token deletes: %d, want 404", st)
		}
		if got := total(t, e, other, `userName pr`); got != 0 {
			t.Errorf("another tenant's list has %v users", got)
		}
		// A wrong token is refused.
		if st, _, _ := e.call("scim_nonsense", "GET", "/Users", nil); st != 401 {
			t.Errorf("unknown token: %d", st)
		}
		// DELETE deletes the user.
		if st, _, _ := e.call(tok, "DELETE", "/Users/"+ids["cy@contoso.example"], nil); st != 204 {
			t.Fatalf("delete: %d", st)
		}
		if usr, _ := e.s.App.User(context.Background(), app.System, ids["cy@contoso.example"]); usr.State != domain.UserDeleted {
			t.Fatalf("deleted user is %s", usr.State)
		}
		_ = o
	})
}

func contains(v any, s string) bool {
	str, _ := v.(string)
	return bytes.Contains([]byte(str), []byte(s))
}

// TestSCIM_SiteToken: the site's application reads its users, links one
// by externalId, and may change nothing else. R-APP-1
func TestSCIM_SiteToken(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		o, _ := e.org("contoso")
		site, err := e.s.App.CreateSite(ctx, app.System, app.NewSite{CustomerID: o.ID, Name: "contoso-prod", Edition: domain.EditionStandard})
		if err != nil {
			t.Fatal(err)
		}
		usr, _, err := e.s.App.CreateUser(ctx, app.System, app.NewUser{OrgID: o.ID, Email: "uma@contoso.example", Name: "Uma User",
			Roles: []domain.Role{domain.RoleCustomerUser}})
		if err != nil {
			t.Fatal(err)
		}
		usr.State = domain.UserActive // as if registered
		if err := e.s.DB.Write(ctx, func(tx *store.Tx) error { return tx.UpdateUser(ctx, usr) }); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.App.AssignUser(ctx, app.System, site.ID, usr.ID, domain.RoleCustomerUser); err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.s.App.CreateSCIMToken(ctx, app.System, app.NewSCIMToken{SiteID: site.ID, Name: "contoso-prod portal"})
		if err != nil {
			t.Fatal(err)
		}
		st, list, _ := e.call(tok, "GET", "/Users?filter="+url.QueryEscape(`active eq true`), nil)
		res, _ := list["Resources"].([]any)
		if st != 200 || len(res) != 1 {
			t.Fatalf("the site's list: %d %v", st, list)
		}
		row := res[0].(map[string]any)
		ext, _ := row["urn:provisio:params:scim:schemas:extension:provisio:1.0:User"].(map[string]any)
		if row["userName"] != "uma@contoso.example" || ext["role"] != "customer_user" || ext["via"] != "member" {
			t.Fatalf("the row: %v", row)
		}
		st, body, _ := e.call(tok, "PATCH", "/Users/"+usr.ID, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "add", "path": "externalId", "value": "portal-42"}}})
		if st != 204 {
			t.Fatalf("link: %d %v", st, body)
		}
		if _, got, _ := e.call(tok, "GET", "/Users/"+usr.ID, nil); got["externalId"] != "portal-42" {
			t.Fatalf("after linking: %v", got)
		}
		if st, body, _ = e.call(tok, "PUT", "/Users/"+usr.ID, map[string]any{"userName": "someone@else.example", "externalId": "portal-42"}); st != 400 || body["scimType"] != "mutability" {
			t.Fatalf("a site token changing userName: %d %v", st, body)
		}
		if st, _, _ = e.call(tok, "POST", "/Users", user("new@contoso.example", "new@contoso.example", "New", true)); st != 403 {
			t.Fatalf("a site token creating a user: %d", st)
		}
		if st, body, _ = e.call(tok, "GET", "/Groups", nil); st != 200 || body["totalResults"].(float64) != 0 {
			t.Fatalf("a site token's groups: %d %v", st, body)
		}
		if st, _, _ = e.call(tok, "DELETE", "/Users/"+usr.ID, nil); st != 403 {
			t.Fatalf("a site token deleting: %d", st)
		}
	})
}
