package scim_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSCIM_BadInputIsA400 sends the malformed requests a careless or
// hostile client might: each answers a SCIM error in the 4xx range with a
// detail, never a 500 and never a change.
func TestSCIM_BadInputIsA400(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	_, tok := e.org("contoso")
	st, u, _ := e.call(tok, "POST", "/Users", user("ann@contoso.example", "ann@contoso.example", "Archer", true))
	if st != 201 {
		t.Fatalf("create: %d %v", st, u)
	}
	id := u["id"].(string)
	st, g, _ := e.call(tok, "POST", "/Groups", map[string]any{"displayName": "Finance"})
	if st != 201 {
		t.Fatalf("group: %d %v", st, g)
	}
	gid := g["id"].(string)
	patch := func(ops ...any) map[string]any {
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/Users", map[string]any{"userName": 5}},
		{"POST", "/Users", map[string]any{"userName": "x@contoso.example", "emails": "nope"}},
		{"POST", "/Users", map[string]any{"userName": "x@contoso.example", "emails": []any{"nope"}}},
		{"POST", "/Users", map[string]any{"userName": "x@contoso.example", "active": "perhaps"}},
		{"POST", "/Users", map[string]any{"userName": "x@contoso.example", "emails": []any{map[string]any{"value": "a@b.example", "primary": "maybe"}}}},
		{"POST", "/Users", []any{1, 2}},
		{"POST", "/Groups", map[string]any{"displayName": "G", "members": []any{"x"}}},
		{"POST", "/Groups", map[string]any{"displayName": "G", "members": "x"}},
		{"POST", "/Groups", map[string]any{"displayName": ""}},
		{"POST", "/Groups", map[string]any{"displayName": "G", "members": []any{map[string]any{"value": "usr_nobody"}}}},
		{"PATCH", "/Users/" + id, patch()},
		{"PATCH", "/Users/" + id, map[string]any{"Operations": "x"}},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "explode", "path": "userName", "value": "x"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "nosuch", "value": "x"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "emails[type eq", "value": "x"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "userName", "value": 7})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "active", "value": []any{}})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "value": "not an object"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "remove"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "id", "value": "usr_x"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "urn:x:y:z:attr", "value": "x"})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "userName", "value": ""})},
		{"PATCH", "/Groups/" + gid, patch(map[string]any{"op": "add", "path": "members", "value": []any{1, 2}})},
		{"PATCH", "/Groups/" + gid, patch(map[string]any{"op": "add", "path": "members", "value": map[string]any{"value": 3}})},
		{"PATCH", "/Groups/" + gid, patch(map[string]any{"op": "replace", "path": "displayName", "value": map[string]any{}})},
		{"PUT", "/Users/" + id, map[string]any{"userame": "x"}},
		{"PUT", "/Groups/" + gid, map[string]any{"displayName": 3}},
		{"GET", "/Users?filter=" + "userName%20eq", nil},
		{"GET", "/Users?filter=" + "nosuch%20eq%20%22x%22", nil},
		{"GET", "/Users?filter=" + "meta.created%20gt%20%22yesterday%22", nil},
		{"GET", "/Users?filter=" + "active%20co%20true", nil},
		{"GET", "/Users?filter=" + "emails%5Btype%20eq%20%22work%22", nil},
		{"GET", "/Users?startIndex=x", nil},
		{"GET", "/Users?count=many", nil},
		{"GET", "/Users/" + id + "/extra", nil},
		{"DELETE", "/Users", nil},
		{"GET", "/Nonsense", nil},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "add", "path": "phoneNumbers", "value": []any{map[string]any{"value": []any{1}}}},
			map[string]any{"op": "add", "path": "phoneNumbers", "value": []any{map[string]any{"value": []any{1}}}},
			map[string]any{"op": "replace", "path": "userName", "value": 7})},
		{"PATCH", "/Users/" + id, patch(map[string]any{"op": "replace", "path": "emails.value", "value": "x@contoso.example"})},
		{"GET", "/Users?filter=" + strings.Repeat("not%20(", 40) + "userName%20pr" + strings.Repeat(")", 40), nil},
		{"GET", "/Users?filter=" + strings.Repeat("userName%20eq%20%22a%22%20or%20", 100) + "userName%20pr", nil},
		{"GET", "/Users?filter=userName%20eq%20%22" + strings.Repeat("a", 5000) + "%22", nil},
	} {
		status, body, _ := e.call(tok, c.method, c.path, c.body)
		if status < 400 || status >= 500 || body["detail"] == nil || body["status"] == nil {
			t.Errorf("%s %s %v: %d %v", c.method, c.path, c.body, status, body)
		}
	}
	// Removing a value that is no value removes nothing; it does not fail.
	if st, body, _ := e.call(tok, "PATCH", "/Groups/"+gid, patch(map[string]any{"op": "remove", "path": "members",
		"value": []any{map[string]any{"value": map[string]any{"x": 1}}}})); st != 204 {
		t.Errorf("remove an odd value: %d %v", st, body)
	}
	// Not JSON at all.
	req, _ := http.NewRequest("POST", e.srv.URL+"/scim/v2/Users", bytes.NewReader([]byte(`{"acve": tre,`)))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
		t.Errorf("not JSON: %v %v", resp.StatusCode, err)
	}
	// Nothing changed.
	if _, got, _ := e.call(tok, "GET", "/Users/"+id, nil); got["userName"] != "ann@contoso.example" || got["active"] != true {
		t.Fatalf("the user changed: %v", got)
	}
}
