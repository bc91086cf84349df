package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/mail/mailtest"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestReplicas runs two `serve` processes on one PostgreSQL database, as an
// install with many replicas does, and shows (issue 15) that:
//   - a session, a sign-in throttle and an idempotency key started on one
//     are honoured by the other, and both sign with the same OIDC keys;
//   - a removal made on one is refused on the other within 100 ms, though
//     the other answers from its read cache (it polls the database for
//     changes every 15 ms);
//   - the periodic work has exactly one leader;
//   - killing one mid-load loses no notice: the other delivers what the
//     dead one had queued, and sends nothing twice but what the dead one
//     was sending when it died (same Message-ID, at most its workers).
//
// R-NOTE-1 R-ASSIGN-3
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary twice")
	}
	dbURL := storetest.URL(t, store.Postgres) // skips without PostgreSQL
	bin := build(t)
	smtpAddr := freePort(t)
	sink := mailtest.Start(t, smtpAddr)
	addrA, addrB := freePort(t), freePort(t)
	link := bootstrap(t, bin, dbURL, addrA)
	a := serve(t, bin, dbURL, addrA, smtpAddr)
	b := serve(t, bin, dbURL, addrB, smtpAddr)
	a.call("POST", "/invitations/accept", "", map[string]string{"token": link[strings.LastIndex(link, "/")+1:],
		"password": "a long enough password"}, nil)

	// A session started on A works on B.
	var signedIn struct{ Token string }
	a.call("POST", "/session", "", map[string]string{"email": "olivia@vendor.example", "password": "a long enough password"}, &signedIn)
	var me struct{ User struct{ Email string } }
	b.call("GET", "/me", signedIn.Token, nil, &me)
	if me.User.Email != "olivia@vendor.example" {
		t.Fatalf("B does not know A's session: %+v", me)
	}
	tok := signedIn.Token

	// An idempotency key used on A answers the same on B, and the change
	// is made once.
	body := map[string]any{"kind": "customer", "name": "Acme"}
	st1, raw1 := a.send("POST", "/orgs", tok, body, "Idempotency-Key", "create-acme-1")
	st2, raw2 := b.send("POST", "/orgs", tok, body, "Idempotency-Key", "create-acme-1")
	var org1, org2 struct{ ID string }
	_ = json.Unmarshal(raw1, &org1)
	_ = json.Unmarshal(raw2, &org2)
	if st1 != http.StatusCreated || st2 != http.StatusCreated || org1.ID == "" || org1.ID != org2.ID {
		t.Fatalf("idempotent create across replicas: %d %s / %d %s", st1, raw1, st2, raw2)
	}
	var orgs struct{ Items []struct{ Name string } }
	a.call("GET", "/orgs", tok, nil, &orgs)
	acmes := 0
	for _, o := range orgs.Items {
		if o.Name == "Acme" {
			acmes++
		}
	}
	if acmes != 1 {
		t.Fatalf("%d organisations named Acme", acmes)
	}

	// Both publish the same signing keys.
	if ka, kb := a.get("/oidc/keys"), b.get("/oidc/keys"); ka == "" || ka != kb {
		t.Fatalf("OIDC keys differ:\nA %s\nB %s", ka, kb)
	}

	// A removal on A is refused on B within 100 ms.
	var site struct{ ID string }
	a.call("POST", "/sites", tok, map[string]any{"customer_id": org1.ID, "name": "acme-prod", "edition": "standard"}, &site)
	register := func(email, role string) (id, token string) {
		t.Helper()
		var created struct{ User struct{ ID string } }
		a.call("POST", "/users", tok, map[string]any{"org_id": org1.ID, "email": email, "name": "Person " + email,
			"roles": []string{role}}, &created)
		invitation := ""
		for deadline := time.Now().Add(20 * time.Second); invitation == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			for _, m := range sink.Messages() {
				if len(m.To) == 1 && m.To[0] == email {
					invitation = m.Text()
				}
			}
		}
		i := strings.Index(invitation, "/invitations/")
		if i < 0 {
			t.Fatalf("%s's invitation never came", email)
		}
		b.call("POST", "/invitations/accept", "", map[string]string{"token": strings.Fields(invitation[i+len("/invitations/"):])[0],
			"password": "a long enough password"}, nil)
		var s struct{ Token string }
		b.call("POST", "/session", "", map[string]string{"email": email, "password": "a long enough password"}, &s)
		return created.User.ID, s.Token
	}
	_, carol := register("carol@acme.example", "customer_admin")
	uma, _ := register("uma@acme.example", "customer_user")
	a.call("POST", "/sites/"+site.ID+"/users", carol, map[string]any{"user_id": uma}, nil)
	var dec struct{ Allowed bool }
	// B asks for a while first, so that its read cache holds the answer.
	for end := time.Now().Add(60 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		b.call("GET", "/sites/"+site.ID+"/access?user="+uma, tok, nil, &dec)
		if !dec.Allowed {
			t.Fatal("B does not see the assignment made on A")
		}
	}
	a.call("DELETE", "/sites/"+site.ID+"/users/"+uma, carol, nil, nil)
	removed := time.Now()
	for {
		b.call("GET", "/sites/"+site.ID+"/access?user="+uma, tok, nil, &dec)
		took := time.Since(removed)
		if !dec.Allowed {
			t.Logf("B refused %v after the removal on A", took)
			break
		}
		if took > 100*time.Millisecond {
			t.Fatalf("B still allows access %v after the removal on A", took)
		}
		time.Sleep(2 * time.Millisecond)
	}

	// One leader for the periodic work.
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var leaders int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM river_leader`).Scan(&leaders); err != nil {
			t.Fatal(err)
		}
		if leaders == 1 {
			break
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders", leaders)
	}

	// Kill A while both invite people: every invitation is sent once.
	var wg sync.WaitGroup
	for r, p := range []*proc{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if r == 0 && i == 10 {
					p.kill()
					return
				}
				p.send("POST", "/users", tok, map[string]any{"org_id": org1.ID, "email": fmt.Sprintf("p%d.%d@acme.example", r, i),
					"name": fmt.Sprintf("Person %d %d", r, i), "roles": []string{"customer_user"}})
			}
		}()
	}
	wg.Wait()
	var ids []string
	rows, err := db.SQL().Query(`SELECT id FROM notices WHERE kind = 'invitation' AND to_email LIKE 'p%@acme.example'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) < 25 {
		t.Fatalf("only %d invitations were written", len(ids))
	}
	var pending int
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE kind = 'invitation' AND state = 'pending'`).Scan(&pending)
	t.Logf("A killed; %d of %d invitations not yet sent", pending, len(ids))
	missing := ids
	for deadline := time.Now().Add(60 * time.Second); len(missing) > 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		missing = missing[:0:0]
		for _, id := range ids {
			if count(sink.Messages(), id) == 0 {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d invitations never sent after A died: %v", len(missing), len(ids), missing)
	}
	// More sweeps: nothing more is sent. A notice whose sending was under
	// way on A when it died may reach the mail server twice, since A could
	// not record that it went (at-least-once delivery); the copy carries
	// the same Message-ID, which mail systems use to drop repeats. Only
	// the few A was sending then (its 4 workers at most) can be repeated.
	time.Sleep(time.Second)
	repeated := 0
	for _, id := range ids {
		var msgIDs []string
		for _, m := range sink.Messages() {
			if m.Header.Get("X-Provisio-Notice") == id {
				msgIDs = append(msgIDs, m.Header.Get("Message-Id"))
			}
		}
		if len(msgIDs) > 1 {
			repeated++
			for _, mid := range msgIDs[1:] {
				if mid == "" || mid != msgIDs[0] {
					t.Fatalf("invitation %s was sent again under another Message-ID: %v", id, msgIDs)
				}
			}
		}
		if len(msgIDs) > 2 {
			t.Fatalf("invitation %s sent %d times", id, len(msgIDs))
		}
	}
	if repeated > 4 {
		t.Fatalf("%d invitations repeated: more than A could have been sending when it died", repeated)
	}
	t.Logf("%d invitations reached the mail server twice (in flight when A died), with one Message-ID each", repeated)

	// A sign-in throttle reached on B holds on A's successor too (run a
	// new A on the same address).
	a = serve(t, bin, dbURL, addrA, smtpAddr)
	for range 5 {
		b.send("POST", "/session", "", map[string]string{"email": "olivia@vendor.example", "password": "not the password at all"})
	}
	if st, raw := a.send("POST", "/session", "", map[string]string{"email": "olivia@vendor.example", "password": "a long enough password"}); st != http.StatusTooManyRequests {
		t.Fatalf("the throttle from B does not hold on A: %d %s", st, raw)
	}
}

// send is call that returns the answer whatever its status, with extra
// headers given as name, value pairs.
func (p *proc) send(method, path, token string, body any, headers ...string) (int, []byte) {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, p.base+"/api/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error()) // a killed replica
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// get returns the body of a page outside the API.
func (p *proc) get(path string) string {
	p.t.Helper()
	resp, err := http.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}
