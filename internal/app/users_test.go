package app_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// createUser asks the customer administrator to invite a customer user.
func (w *world) createUser(email string) (*domain.User, []app.Warning, error) {
	return w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: email, Name: "Nora Newcomer",
		Roles: []domain.Role{domain.RoleCustomerUser}})
}

// TestCreateUser_MalformedEmailRefused checks that every user needs a
// well-formed address of its own (R-USER-1).
func TestCreateUser_MalformedEmailRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, email := range []string{
			"", "   ", "nora", "nora@", "@acme.example", "nora@acme", "nora@acme.example.", "nora acme@acme.example",
			"Nora <nora@acme.example>", "nora@@acme.example", "nora@acme.example, other@acme.example",
		} {
			t.Run(email, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, _, err := w.createUser(email); return err })
				wantCode(t, err, domain.EInvalid, "R-USER-1")
			})
		}
	})
}

// TestCreateUser_DisposableEmailRefused checks that addresses at
// disposable mail providers, and at their subdomains, are refused with an
// error naming the rule and the domain (R-USER-2).
func TestCreateUser_DisposableEmailRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for email, dom := range map[string]string{
			"nora@mailinator.com":          "mailinator.com",
			"nora@yopmail.com":             "yopmail.com",
			"nora@guerrillamail.com":       "guerrillamail.com",
			" Nora@MAILINATOR.COM ":        "mailinator.com",
			"nora@eu.mailinator.com":       "eu.mailinator.com",
			"nora@deep.sub.yopmail.com":    "deep.sub.yopmail.com",
			"info+test@mailinator.com":     "mailinator.com",
			"nora.newcomer@mailinator.com": "mailinator.com",
		} {
			t.Run(email, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, _, err := w.createUser(email); return err })
				wantCode(t, err, domain.ERule, "R-USER-2")
				wantContains(t, "error", err.Error(), "R-USER-2", dom, "disposable")
			})
		}
		// A domain that merely starts with a listed one is fine.
		if _, _, err := w.createUser("nora@mailinator.com.acme.example"); err != nil {
			t.Errorf("mailinator.com.acme.example refused: %v", err)
		}
	})
}

// TestCreateUser_DuplicateEmailRefused checks that emails are unique
// across the whole portal, compared case-insensitively after trimming, and
// stored in that form (R-USER-1).
func TestCreateUser_DuplicateEmailRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		u, _, err := w.createUser("  Nora.Newcomer@Acme.EXAMPLE ")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "nora.newcomer@acme.example" || w.user(u.ID).Email != "nora.newcomer@acme.example" {
			t.Errorf("stored email %q", u.Email)
		}
		for _, tc := range []struct {
			name, org, email string
			role             domain.Role
		}{
			{"SameCase", w.customer.ID, "nora.newcomer@acme.example", domain.RoleCustomerUser},
			{"OtherCase", w.customer.ID, "NORA.NEWCOMER@acme.example", domain.RoleCustomerUser},
			{"Spaces", w.customer.ID, "\t nora.newcomer@acme.example  ", domain.RoleCustomerUser},
			{"OtherOrg", w.partner.ID, "Nora.Newcomer@acme.example", domain.RolePartnerAgent},
			{"OperatorsEmail", w.customer.ID, "OLIVIA.OPERATOR@vendor.example", domain.RoleCustomerUser},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, _, err := w.app.CreateUser(w.ctx, w.op, app.NewUser{OrgID: tc.org, Email: tc.email, Name: "Copy Cat",
						Roles: []domain.Role{tc.role}})
					return err
				})
				wantCode(t, err, domain.EConflict, "R-USER-1")
			})
		}
		search := "nora.newcomer"
		if n := len(must(t, of(w.app.Users(w.ctx, w.op, domain.UserFilter{Search: &search}))).Items); n != 1 {
			t.Errorf("%d users with the address", n)
		}
	})
}

// TestCreateUser_NameRequired checks that every user is a named person
// (R-USER-1).
func TestCreateUser_NameRequired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		err := unchanged(t, db, func() error {
			_, _, err := w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: "nameless@acme.example",
				Name: "  ", Roles: []domain.Role{domain.RoleCustomerUser}})
			return err
		})
		wantCode(t, err, domain.EInvalid, "R-USER-1")
	})
}

// TestCreateUser_GenericMailboxWarned checks that shared-looking mailboxes
// are allowed with a warning and flagged for the audit, and personal ones
// are not (R-USER-3).
func TestCreateUser_GenericMailboxWarned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			email   string
			generic bool
		}{
			{"info@acme.example", true},
			{"Support@acme.example", true},
			{"accounts@acme.example", true},
			{"office@acme.example", true},
			{"sales+emea@acme.example", true},
			{"team2@acme.example", true},
			{"admin@acme.example", true},
			{"carla.ruiz@acme.example", false},
			{"infoman@acme.example", false},
		} {
			t.Run(tc.email, func(t *testing.T) {
				u, warns, err := w.createUser(tc.email)
				if err != nil {
					t.Fatal(err)
				}
				if u.State != domain.UserInvited {
					t.Errorf("state %s", u.State)
				}
				if got := w.user(u.ID).Generic; got != tc.generic || u.Generic != tc.generic {
					t.Errorf("Generic = %v, want %v", got, tc.generic)
				}
				if !tc.generic {
					if len(warns) != 0 {
						t.Errorf("warnings for a personal address: %+v", warns)
					}
					return
				}
				if len(warns) != 1 || warns[0].Rule != "R-USER-3" {
					t.Fatalf("warnings = %+v", warns)
				}
				wantContains(t, "warning", warns[0].Message, strings.ToLower(strings.TrimSpace(tc.email)), "shared")
			})
		}
	})
}

// TestCreateUser_SendsInvitation checks that a new user is invited: it is
// in the invited state with an expiry, an invitation notice with a link
// goes to its address, and the creation is recorded (R-USER-4, R-AUDIT-1).
func TestCreateUser_SendsInvitation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		seq := auditHead(t, db)
		u, _, err := w.createUser("nora.newcomer@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		if u.State != domain.UserInvited || u.OrgID != w.customer.ID || u.Type != domain.TypeCustomer ||
			!slices.Equal(u.Roles, []domain.Role{domain.RoleCustomerUser}) {
			t.Errorf("created %+v", u)
		}
		wantTime(t, "invite expiry", w.user(u.ID).InviteExpiresAt, w.clock.Now().Add(7*24*time.Hour))
		ns := w.mail(u.Email, "")
		if len(ns) != 1 {
			t.Fatalf("%d notices to the new user", len(ns))
		}
		n := ns[0]
		if n.Kind != domain.NoticeInvitation || n.ToUserID != u.ID || n.OrgID != w.customer.ID || n.Subject == "" {
			t.Errorf("notice %+v", n)
		}
		// The invitation greets the person and carries the link and its expiry.
		wantContains(t, "invitation", n.Body, "Nora Newcomer", "http://localhost:8080/invitations/inv",
			w.clock.Now().Add(7*24*time.Hour).Format("2 January 2006"))
		es := w.auditAfter(seq)
		if len(es) != 1 || es[0].Action != "user.create" || es[0].ObjectID != u.ID || es[0].ActorID != w.cAdmin.User.ID {
			t.Errorf("audit = %v", actions(es))
		}
	})
}

// TestCreateUser_EmailReusableAfterDeletion checks that an address is
// released for reuse only when its user is deleted, and that the deleted
// user stays as a tombstone (R-USER-1, SPEC section 3).
func TestCreateUser_EmailReusableAfterDeletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		_, _, err := w.createUser(w.cUser.Email)
		wantCode(t, err, domain.EConflict, "R-USER-1") // locked still holds its address
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, w.cUser.ID, "")))
		again, _, err := w.createUser(strings.ToUpper(w.cUser.Email))
		if err != nil {
			t.Fatalf("reuse after deletion: %v", err)
		}
		if again.ID == w.cUser.ID || again.Email != w.cUser.Email || again.State != domain.UserInvited {
			t.Errorf("reused as %+v", again)
		}
		old := w.user(w.cUser.ID)
		if old.State != domain.UserDeleted || old.Email != w.cUser.Email {
			t.Errorf("tombstone %+v", old)
		}
		deleted := domain.UserDeleted
		tomb := must(t, of(w.app.Users(w.ctx, w.cAdmin, domain.UserFilter{State: &deleted})))
		if len(tomb.Items) != 1 || tomb.Items[0].ID != w.cUser.ID {
			t.Errorf("deleted users listed: %d", len(tomb.Items))
		}
		for _, u := range must(t, of(w.app.Users(w.ctx, w.cAdmin, domain.UserFilter{}))).Items {
			if u.ID == w.cUser.ID {
				t.Errorf("deleted user in the default list")
			}
		}
	})
}

// TestInvitation_Expires checks that an invitation stops working after
// the invitation period and that a re-sent one works, while the old link
// stays dead (R-USER-4).
func TestInvitation_Expires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		u, _, err := w.createUser("nora.newcomer@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		first := w.newLink(u.Email, "invitations", nil)
		w.clock.Add(7 * 24 * time.Hour) // the link expires at this very instant
		_, err = w.app.AcceptInvitation(w.ctx, "127.0.0.1", first, testPassword)
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		if got := w.user(u.ID).State; got != domain.UserInvited {
			t.Fatalf("state after expired link: %s", got)
		}

		seq := auditHead(t, db)
		re, err := w.app.ResendInvitation(w.ctx, w.cAdmin, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantTime(t, "new expiry", re.InviteExpiresAt, w.clock.Now().Add(7*24*time.Hour))
		if got := actions(w.auditAfter(seq)); !slices.Equal(got, []string{"user.invite_resent"}) {
			t.Errorf("audit = %v", got)
		}
		if n := len(w.mail(u.Email, domain.NoticeInvitation)); n != 2 {
			t.Errorf("%d invitations mailed", n)
		}
		second := w.newLink(u.Email, "invitations", []string{first})
		_, err = w.app.AcceptInvitation(w.ctx, "127.0.0.1", first, testPassword)
		wantCode(t, err, domain.ENotFound, "R-USER-4")

		w.clock.Add(7*24*time.Hour - time.Minute) // just before the new expiry
		reg, err := w.app.AcceptInvitation(w.ctx, "127.0.0.1", second, testPassword)
		if err != nil {
			t.Fatalf("new link: %v", err)
		}
		if reg.State != domain.UserActive || !reg.InviteExpiresAt.IsZero() || w.user(u.ID).State != domain.UserActive {
			t.Errorf("registered %+v", reg)
		}
	})
}

// TestInvitation_ResendStopsOldLink checks that re-sending an unexpired
// invitation replaces the earlier link (R-USER-4).
func TestInvitation_ResendStopsOldLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		u, _, err := w.createUser("nora.newcomer@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		first := w.newLink(u.Email, "invitations", nil)
		must(t, of(w.app.ResendInvitation(w.ctx, w.cAdmin, u.ID)))
		second := w.newLink(u.Email, "invitations", []string{first})
		_, err = w.app.AcceptInvitation(w.ctx, "127.0.0.1", first, testPassword)
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		if _, err := w.app.AcceptInvitation(w.ctx, "127.0.0.1", second, testPassword); err != nil {
			t.Fatalf("new link: %v", err)
		}
	})
}

// TestInvitation_UsedLinkRefused checks that an invitation link works once
// (R-USER-4), and that bad input leaves the link usable.
func TestInvitation_UsedLinkRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		u, _, err := w.createUser("nora.newcomer@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		link := w.newLink(u.Email, "invitations", nil)
		_, err = w.app.AcceptInvitation(w.ctx, "127.0.0.1", link, "short")
		wantCode(t, err, domain.EInvalid, "")
		_, err = w.app.AcceptInvitation(w.ctx, "127.0.0.1", "inv_forged", testPassword)
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		seq := auditHead(t, db)
		if _, err := w.app.AcceptInvitation(w.ctx, "10.1.2.3", link, testPassword); err != nil {
			t.Fatal(err)
		}
		es := w.auditAfter(seq)
		if len(es) != 1 {
			t.Fatalf("audit = %v", actions(es))
		}
		if e := es[0]; e.Action != "user.register" || e.ActorID != u.ID || e.ActorOrgID != w.customer.ID ||
			e.OrgID != w.customer.ID || e.RemoteAddr != "10.1.2.3" {
			t.Errorf("register entry %+v", *e)
		}
		err = unchanged(t, db, func() error {
			_, err := w.app.AcceptInvitation(w.ctx, "127.0.0.1", link, "another long password")
			return err
		})
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		// The first password is the one that counts.
		if _, _, err := w.app.IssueToken(w.ctx, "127.0.0.1", u.Email, "another long password", "t"); err == nil {
			t.Errorf("the reused link changed the password")
		}
		if _, _, err := w.app.IssueToken(w.ctx, "127.0.0.1", u.Email, testPassword, "t"); err != nil {
			t.Errorf("sign in: %v", err)
		}
	})
}

// TestResendInvitation_RegisteredUserRefused checks that only invited
// users get a new invitation (R-USER-4).
func TestResendInvitation_RegisteredUserRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		err := unchanged(t, db, func() error { _, err := w.app.ResendInvitation(w.ctx, w.cAdmin, w.cUser.ID); return err })
		wantCode(t, err, domain.ERule, "R-USER-4")
		u, _, _ := w.createUser("nora.newcomer@acme.example")
		err = unchanged(t, db, func() error { _, err := w.app.ResendInvitation(w.ctx, w.cOps, u.ID); return err })
		wantCode(t, err, domain.EForbidden, "")
	})
}

// TestUpdateUser_ActiveEmailChangeNeedsConfirmation checks that a
// registered user's new email takes effect only when confirmed from the
// new address, once (R-USER-6).
func TestUpdateUser_ActiveEmailChangeNeedsConfirmation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		old := w.cUser.Email
		seq := auditHead(t, db)
		u, pending, err := w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Email: str(" Uma.Married@Acme.Example ")})
		if err != nil {
			t.Fatal(err)
		}
		if pending != "uma.married@acme.example" || u.Email != old || w.user(u.ID).Email != old {
			t.Fatalf("pending %q, email %q", pending, w.user(u.ID).Email)
		}
		if got := actions(w.auditAfter(seq)); !slices.Equal(got, []string{"user.update", "user.email_change_requested"}) {
			t.Errorf("audit = %v", got)
		}
		ns := w.mail(pending, domain.NoticeEmailChange)
		if len(ns) != 1 || ns[0].ToUserID != u.ID || ns[0].OrgID != w.customer.ID || ns[0].Subject == "" {
			t.Fatalf("notices to the new address: %+v", ns)
		}
		wantContains(t, "body", ns[0].Body, "/email-changes/", pending) // the notice names the address to confirm
		if n := len(w.mail(old, domain.NoticeEmailChange)); n != 0 {
			t.Errorf("%d confirmation notices to the old address", n)
		}
		// The user still signs in with the old address until confirmation.
		if _, _, err := w.app.IssueToken(w.ctx, "", old, testPassword, "t"); err != nil {
			t.Errorf("old address: %v", err)
		}

		link := w.newLink(pending, "email-changes", nil)
		seq = auditHead(t, db)
		got, err := w.app.ConfirmEmailChange(w.ctx, app.Actor{RemoteAddr: "10.0.0.9"}, link)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != pending || w.user(u.ID).Email != pending {
			t.Errorf("email after confirmation %q", got.Email)
		}
		es := w.auditAfter(seq)
		if len(es) != 1 || es[0].Action != "user.email_confirmed" {
			t.Fatalf("audit = %v", actions(es))
		}
		wantContains(t, "before", string(es[0].Before), old)
		wantContains(t, "after", string(es[0].After), pending)
		if _, _, err := w.app.IssueToken(w.ctx, "", pending, testPassword, "t"); err != nil {
			t.Errorf("new address: %v", err)
		}
		_, err = w.app.ConfirmEmailChange(w.ctx, app.System, link)
		wantCode(t, err, domain.ENotFound, "R-USER-6")
		// The old address is free again.
		if _, _, err := w.createUser(old); err != nil {
			t.Errorf("old address not released: %v", err)
		}
	})
}

// TestUpdateUser_EmailConfirmationExpires checks that the confirmation
// link expires and a newer request replaces an older one (R-USER-6).
func TestUpdateUser_EmailConfirmationExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must3(t, of2(w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Email: str("uma.one@acme.example")})))
		first := w.newLink("uma.one@acme.example", "email-changes", nil)
		must3(t, of2(w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Email: str("uma.two@acme.example")})))
		second := w.newLink("uma.two@acme.example", "email-changes", nil)
		_, err := w.app.ConfirmEmailChange(w.ctx, app.System, first)
		wantCode(t, err, domain.ENotFound, "R-USER-6")
		w.clock.Add(7 * 24 * time.Hour)
		_, err = w.app.ConfirmEmailChange(w.ctx, app.System, second)
		wantCode(t, err, domain.ENotFound, "R-USER-6")
		if got := w.user(w.cUser.ID).Email; got != w.cUser.Email {
			t.Errorf("email = %q", got)
		}
	})
}

// TestUpdateUser_EmailConfirmationConflict checks that a confirmation
// whose address was taken in the meantime is refused and rolled back, so
// the link still works once the address is free (R-USER-1, R-NOTE-1).
func TestUpdateUser_EmailConfirmationConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must3(t, of2(w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Email: str("shared.name@acme.example")})))
		link := w.newLink("shared.name@acme.example", "email-changes", nil)
		squatter, _, err := w.createUser("Shared.Name@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		err = unchanged(t, db, func() error { _, err := w.app.ConfirmEmailChange(w.ctx, app.System, link); return err })
		wantCode(t, err, domain.EConflict, "R-USER-1")
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, squatter.ID, "")))
		if _, err := w.app.ConfirmEmailChange(w.ctx, app.System, link); err != nil {
			t.Fatalf("link after the conflict was rolled back: %v", err)
		}
		if got := w.user(w.cUser.ID).Email; got != "shared.name@acme.example" {
			t.Errorf("email = %q", got)
		}
	})
}

// TestUpdateUser_InvitedEmailChangeReinvites checks that changing an
// invited user's email changes it at once and sends the invitation to the
// new address; the old link stops working (R-USER-6, R-USER-4).
func TestUpdateUser_InvitedEmailChangeReinvites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		u, _, err := w.createUser("nora.typo@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		oldLink := w.newLink(u.Email, "invitations", nil)
		seq := auditHead(t, db)
		got, pending, err := w.app.UpdateUser(w.ctx, w.cAdmin, u.ID, domain.UserUpdate{Email: str("Nora.Newcomer@acme.example")})
		if err != nil {
			t.Fatal(err)
		}
		if pending != "" || got.Email != "nora.newcomer@acme.example" || w.user(u.ID).Email != "nora.newcomer@acme.example" {
			t.Fatalf("pending %q email %q", pending, got.Email)
		}
		if a := actions(w.auditAfter(seq)); !slices.Equal(a, []string{"user.update"}) {
			t.Errorf("audit = %v", a)
		}
		ns := w.mail("nora.newcomer@acme.example", "")
		if len(ns) != 1 || ns[0].Kind != domain.NoticeInvitation {
			t.Fatalf("notices to the new address: %+v", ns)
		}
		if n := len(w.mail("nora.typo@acme.example", "")); n != 1 {
			t.Errorf("%d notices to the old address, want only the first invitation", n)
		}
		_, err = w.app.AcceptInvitation(w.ctx, "", oldLink, testPassword)
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		if _, err := w.app.AcceptInvitation(w.ctx, "", w.newLink("nora.newcomer@acme.example", "invitations", nil), testPassword); err != nil {
			t.Fatal(err)
		}
		// The typo is free again.
		if _, _, err := w.createUser("nora.typo@acme.example"); err != nil {
			t.Errorf("old address held: %v", err)
		}
		// A generic new address is flagged (R-USER-3).
		inv, _, err := w.createUser("nina.fresh@acme.example")
		if err != nil || inv.Generic {
			t.Fatalf("personal address: %+v %v", inv, err)
		}
		got = must3(t, of2(w.app.UpdateUser(w.ctx, w.cAdmin, inv.ID, domain.UserUpdate{Email: str("info@acme.example")})))
		if !got.Generic || !w.user(inv.ID).Generic {
			t.Errorf("generic new address not flagged")
		}
	})
}

// TestUpdateUser_EmailRules checks the email rules on a change: malformed,
// disposable, or another user's address (R-USER-1, R-USER-2).
func TestUpdateUser_EmailRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		invited, _, _ := w.createUser("nora.newcomer@acme.example")
		for _, tc := range []struct {
			name, email, code, rule string
		}{
			{"Malformed", "uma@", domain.EInvalid, "R-USER-1"},
			{"Disposable", "uma@mailinator.com", domain.ERule, "R-USER-2"},
			{"DisposableSubdomain", "uma@x.yopmail.com", domain.ERule, "R-USER-2"},
			{"TakenOtherCase", " CAROL.ADMIN@acme.example", domain.EConflict, "R-USER-1"},
			{"TakenByInvited", "Nora.Newcomer@acme.example", domain.EConflict, "R-USER-1"},
		} {
			for name, id := range map[string]string{"Active": w.cUser.ID, "Invited": invited.ID} {
				if tc.name == "TakenByInvited" && name == "Invited" {
					continue // its own address
				}
				t.Run(tc.name+"/"+name, func(t *testing.T) {
					err := unchanged(t, db, func() error {
						_, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, id, domain.UserUpdate{Email: &tc.email})
						return err
					})
					wantCode(t, err, tc.code, tc.rule)
				})
			}
		}
		// The own address in another case is no change at all.
		_, pending, err := w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Email: str(strings.ToUpper(w.cUser.Email))})
		if err != nil || pending != "" {
			t.Errorf("own address: pending %q, %v", pending, err)
		}
		if n := len(w.mailOfKind(domain.NoticeEmailChange)); n != 0 {
			t.Errorf("%d confirmation notices for no change", n)
		}
	})
}

// TestUpdateUser_OnlyOrgAdministrators checks who may change a user's
// details: its organisation's administrators and operators (R-USER-6).
func TestUpdateUser_OnlyOrgAdministrators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			name string
			act  app.Actor
			code string
		}{
			{"OpsAgent", w.cOps, domain.EForbidden},
			{"PartnerAdmin", w.pAdmin, domain.ENotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, _, err := w.app.UpdateUser(w.ctx, tc.act, w.cUser.ID, domain.UserUpdate{Name: str("Hijacked")})
					return err
				})
				wantCode(t, err, tc.code, "")
			})
		}
		_, _, err := w.app.UpdateUser(w.ctx, w.actor(w.cUser.ID), w.cUser.ID, domain.UserUpdate{Roles: []domain.Role{domain.RoleCustomerAdmin}})
		wantCode(t, err, domain.EForbidden, "R-USER-6")
		for name, act := range map[string]app.Actor{"CustomerAdmin": w.cAdmin, "Operator": w.op} {
			t.Run(name, func(t *testing.T) {
				u, _, err := w.app.UpdateUser(w.ctx, act, w.cUser.ID, domain.UserUpdate{Name: str(" Uma " + name + " ")})
				if err != nil || u.Name != "Uma "+name || w.user(u.ID).Name != "Uma "+name {
					t.Errorf("rename: %+v %v", u, err)
				}
			})
		}
		// A deleted user is gone for its administrators.
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, w.cUser.ID, "")))
		_, _, err = w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Name: str("Ghost")})
		wantCode(t, err, domain.ENotFound, "")
	})
}

// TestUpdateUser_NameAndRoles checks changes of name and roles: blank
// names and empty or foreign roles are refused (R-USER-6, R-USER-1,
// R-ROLE-3, R-ROLE-4).
func TestUpdateUser_NameAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			name       string
			upd        domain.UserUpdate
			code, rule string
		}{
			{"BlankName", domain.UserUpdate{Name: str(" ")}, domain.EInvalid, "R-USER-1"},
			{"NoRoles", domain.UserUpdate{Roles: []domain.Role{}}, domain.EInvalid, "R-ROLE-4"},
			{"PartnerRole", domain.UserUpdate{Roles: []domain.Role{domain.RolePartnerAgent}}, domain.ERule, "R-ROLE-3"},
			{"MixedTypes", domain.UserUpdate{Roles: []domain.Role{domain.RoleCustomerUser, domain.RoleOperator}}, domain.ERule, "R-ROLE-3"},
			{"UnknownRole", domain.UserUpdate{Roles: []domain.Role{"superuser"}}, domain.EInvalid, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, tc.upd); return err })
				wantCode(t, err, tc.code, tc.rule)
			})
		}
		seq := auditHead(t, db)
		u, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Name: str("Uma Ops"),
			Roles: []domain.Role{domain.RoleCustomerUser, domain.RoleCustomerOps, domain.RoleCustomerUser}})
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.Role{domain.RoleCustomerOps, domain.RoleCustomerUser}
		if got := w.user(u.ID); got.Name != "Uma Ops" || !slices.Equal(got.Roles, want) {
			t.Errorf("updated %+v", got)
		}
		es := w.auditAfter(seq)
		if len(es) != 1 || es[0].Action != "user.update" {
			t.Fatalf("audit = %v", actions(es))
		}
		wantContains(t, "before", string(es[0].Before), `"name":"Person uma.user"`)
		wantContains(t, "after", string(es[0].After), `"name":"Uma Ops"`, string(domain.RoleCustomerOps))
	})
}

// TestCreateUser_PartnerCannotMakeCustomerLogins checks that a partner
// administrator cannot create customer-type users, except in its own demo
// customer, and that roles must fit the organisation's user type
// (R-ROLE-3).
func TestCreateUser_PartnerCannotMakeCustomerLogins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		demo := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Northwind Demo", PartnerID: w.partner.ID})))
		newUser := func(act app.Actor, org, email string, roles ...domain.Role) (*domain.User, error) {
			u, _, err := w.app.CreateUser(w.ctx, act, app.NewUser{OrgID: org, Email: email, Name: "Someone", Roles: roles})
			return u, err
		}
		t.Run("NonDemoCustomer", func(t *testing.T) {
			err := unchanged(t, db, func() error {
				_, err := newUser(w.pAdmin, w.customer.ID, "ghost.login@northwind.example", domain.RoleCustomerUser)
				return err
			})
			wantCode(t, err, domain.ERule, "R-ROLE-3")
		})
		t.Run("DemoBeforeFlagged", func(t *testing.T) {
			_, err := newUser(w.pAdmin, demo.ID, "demo.user@northwind.example", domain.RoleCustomerUser)
			wantCode(t, err, domain.ERule, "R-ROLE-3")
		})
		yes := true
		must(t, of(w.app.UpdateOrg(w.ctx, w.op, demo.ID, domain.OrgUpdate{Demo: &yes})))
		t.Run("DemoCustomer", func(t *testing.T) {
			u, err := newUser(w.pAdmin, demo.ID, "demo.user@northwind.example", domain.RoleCustomerAdmin)
			if err != nil {
				t.Fatal(err)
			}
			if u.Type != domain.TypeCustomer || u.OrgID != demo.ID {
				t.Errorf("demo user %+v", u)
			}
			// The partner manages its demo customer's people.
			if list := must(t, of(w.app.Users(w.ctx, w.pAdmin, domain.UserFilter{OrgID: &demo.ID}))); len(list.Items) != 1 {
				t.Errorf("demo users listed: %d", len(list.Items))
			}
			if _, _, err := w.app.UpdateUser(w.ctx, w.pAdmin, u.ID, domain.UserUpdate{Name: str("Demo Person")}); err != nil {
				t.Errorf("update demo user: %v", err)
			}
		})
		t.Run("StillNotInRealCustomer", func(t *testing.T) {
			_, err := newUser(w.pAdmin, w.customer.ID, "ghost.login@northwind.example", domain.RoleCustomerUser)
			wantCode(t, err, domain.ERule, "R-ROLE-3")
		})
		t.Run("AgentCannotCreate", func(t *testing.T) {
			_, err := newUser(w.actor(w.pAgent.ID), w.partner.ID, "extra.agent@northwind.example", domain.RolePartnerAgent)
			wantCode(t, err, domain.EForbidden, "")
		})
		for _, tc := range []struct {
			name string
			act  app.Actor
			org  string
			role domain.Role
		}{
			{"CustomerRoleInPartner", w.pAdmin, w.partner.ID, domain.RoleCustomerUser},
			{"PartnerRoleInDemoCustomer", w.pAdmin, demo.ID, domain.RolePartnerAgent},
			{"PartnerRoleInCustomer", w.op, w.customer.ID, domain.RolePartnerAdmin},
			{"OperatorRoleInCustomer", w.cAdmin, w.customer.ID, domain.RoleOperator},
			{"AccountantRoleInCustomer", w.cAdmin, w.customer.ID, domain.RoleAccountant},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, err := newUser(tc.act, tc.org, "wrong.type@northwind.example", tc.role)
					return err
				})
				wantCode(t, err, domain.ERule, "R-ROLE-3")
			})
		}
		t.Run("PartnerStaffArePartnerType", func(t *testing.T) {
			u, err := newUser(w.pAdmin, w.partner.ID, "new.agent@northwind.example", domain.RolePartnerAgent)
			if err != nil || u.Type != domain.TypePartner {
				t.Fatalf("%+v %v", u, err)
			}
		})
	})
}

// TestLastAdministrator_CannotBeRemoved checks that the last
// administrator of an organisation cannot be deleted, locked or demoted,
// and can be once another administrator exists (R-ROLE-5).
func TestLastAdministrator_CannotBeRemoved(t *testing.T) {
	changes := []struct {
		name string
		do   func(w *world, act app.Actor, id string) error
	}{
		{"Delete", func(w *world, act app.Actor, id string) error {
			_, err := w.app.DeleteUser(w.ctx, act, id, "")
			return err
		}},
		{"Lock", func(w *world, act app.Actor, id string) error { _, err := w.app.LockUser(w.ctx, act, id); return err }},
		{"Demote", func(w *world, act app.Actor, id string) error {
			_, _, err := w.app.UpdateUser(w.ctx, act, id, domain.UserUpdate{Roles: []domain.Role{domain.RolePartnerAgent}})
			return err
		}},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				w := newWorld(t, db)
				// The partner has one administrator.
				err := unchanged(t, db, func() error { return c.do(w, w.op, w.pAdmin.User.ID) })
				wantCode(t, err, domain.ERule, "R-ROLE-5")
				wantContains(t, "error", err.Error(), w.pAdmin.User.Email, "last administrator")
				if u := w.user(w.pAdmin.User.ID); u.State != domain.UserActive || !u.HasRole(domain.RolePartnerAdmin) {
					t.Fatalf("last admin changed: %+v", u)
				}
				// A second administrator makes it possible.
				w.activeUser(w.op, w.partner.ID, "second.padmin@northwind.example", domain.RolePartnerAdmin)
				if err := c.do(w, w.op, w.pAdmin.User.ID); err != nil {
					t.Fatalf("with a second administrator: %v", err)
				}
				if u := w.user(w.pAdmin.User.ID); u.State == domain.UserActive && u.HasRole(domain.RolePartnerAdmin) {
					t.Errorf("change did not happen: %+v", u)
				}
			})
		})
	}
}

// TestLastAdministrator_LockedAdminsDoNotCount checks that an organisation
// whose other administrators are locked keeps its last active one
// (R-ROLE-5).
func TestLastAdministrator_LockedAdminsDoNotCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.LockUser(w.ctx, w.op, w.cAdmin2.ID))) // two admins: allowed
		for name, do := range map[string]func() error{
			"Lock":   func() error { _, err := w.app.LockUser(w.ctx, w.op, w.cAdmin.User.ID); return err },
			"Delete": func() error { _, err := w.app.DeleteUser(w.ctx, w.op, w.cAdmin.User.ID, ""); return err },
			"Demote": func() error {
				_, _, err := w.app.UpdateUser(w.ctx, w.op, w.cAdmin.User.ID, domain.UserUpdate{Roles: []domain.Role{domain.RoleCustomerUser}})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				err := unchanged(t, db, do)
				wantCode(t, err, domain.ERule, "R-ROLE-5")
			})
		}
		must(t, of(w.app.UnlockUser(w.ctx, w.op, w.cAdmin2.ID)))
		if _, err := w.app.LockUser(w.ctx, w.op, w.cAdmin.User.ID); err != nil {
			t.Errorf("lock with the other admin unlocked: %v", err)
		}
	})
}

// TestUserState_IllegalMovesRefused checks the user state machine: only
// active users are locked, only locked ones unlocked, and nobody locks or
// deletes itself (R-USER-5, R-ROLE-5).
func TestUserState_IllegalMovesRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		invited, _, _ := w.createUser("nora.newcomer@acme.example")
		for _, tc := range []struct {
			name       string
			do         func() error
			code, rule string
		}{
			{"LockInvited", func() error { _, err := w.app.LockUser(w.ctx, w.cAdmin, invited.ID); return err }, domain.ERule, "R-USER-5"},
			{"UnlockActive", func() error { _, err := w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID); return err }, domain.ERule, "R-USER-5"},
			{"LockSelf", func() error { _, err := w.app.LockUser(w.ctx, w.cAdmin, w.cAdmin.User.ID); return err }, domain.ERule, "R-USER-5"},
			{"DeleteSelf", func() error { _, err := w.app.DeleteUser(w.ctx, w.cAdmin, w.cAdmin.User.ID, ""); return err }, domain.ERule, "R-ROLE-5"},
			{"OpsAgentLocks", func() error { _, err := w.app.LockUser(w.ctx, w.cOps, w.cUser.ID); return err }, domain.EForbidden, ""},
			{"OpsAgentDeletes", func() error { _, err := w.app.DeleteUser(w.ctx, w.cOps, w.cUser.ID, ""); return err }, domain.EForbidden, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, unchanged(t, db, tc.do), tc.code, tc.rule)
			})
		}
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		_, err := w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)
		wantCode(t, err, domain.ERule, "R-USER-5")
		// An invited user can be deleted, and its link dies with it.
		link := w.newLink(invited.Email, "invitations", nil)
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, invited.ID, "")))
		_, err = w.app.AcceptInvitation(w.ctx, "", link, testPassword)
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		if got := w.user(invited.ID).State; got != domain.UserDeleted {
			t.Errorf("deleted user is %s after using its link", got)
		}
	})
}

// must3 is must2 keeping the first value only.
func must3[T, U any](tb testing.TB, r result2[T, U]) T {
	tb.Helper()
	v, _ := must2(tb, r)
	return v
}

// TestCreateUser_EmailElsewhereTellsNotWhere: inviting an email that a
// user of another tenant holds is refused (R-USER-1) without saying which
// organisation, or which kind of user, holds it.
func TestCreateUser_EmailElsewhereTellsNotWhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		_, _, err := w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: t2.pAdmin.User.Email,
			Name: "Somebody Else", Roles: []domain.Role{domain.RoleCustomerUser}})
		wantCode(t, err, domain.EConflict, "")
		for _, leak := range []string{t2.partner.Name, t2.partner.ID, t2.pAdmin.User.Name, "partner"} {
			if strings.Contains(err.Error(), leak) {
				t.Fatalf("the refusal tells %q: %v", leak, err)
			}
		}
	})
}

// TestInvitation_LinkForTheInviter: with no mail server, the person who
// invites is given the invitation link to pass on, in a notice of their
// own; with one, only the invitee is written to. R-USER-4 R-NOTE-2
func TestInvitation_LinkForTheInviter(t *testing.T) {
	t.Run("no mail server", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			w := newWorld(t, db)
			usr, _, err := w.createUser("nora.newcomer@acme.example")
			if err != nil {
				t.Fatal(err)
			}
			var pass []*domain.Notice // the world's set-up invited others before
			for _, n := range w.mailed(w.cAdmin.User.Email, domain.NoticeInvitationToPass) {
				if strings.Contains(n.Body, usr.Email) {
					pass = append(pass, n)
				}
			}
			sent := w.mailed(usr.Email, domain.NoticeInvitation)
			if len(pass) != 1 || len(sent) != 1 {
				t.Fatalf("%d notices with the link for the inviter, %d invitations; want 1 and 1", len(pass), len(sent))
			}
			link := regexp.MustCompile(`\S+/invitations/\S+`).FindString(sent[0].Body)
			if link == "" || !strings.Contains(pass[0].Body, link) || !strings.Contains(pass[0].Subject, "Nora Newcomer") {
				t.Fatalf("the inviter's notice lacks the invitee's link or name:\n%s\n%s", pass[0].Subject, pass[0].Body)
			}
		})
	})
	t.Run("a mail server", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			a, c := newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, func(cfg *app.Config) { cfg.MailLocal = false })
			w := worldOn(t, db, a, c)
			if _, _, err := w.createUser("nora.newcomer@acme.example"); err != nil {
				t.Fatal(err)
			}
			if n := w.mailed(w.cAdmin.User.Email, domain.NoticeInvitationToPass); len(n) != 0 {
				t.Fatal("with a mail server, the inviter was given the invitee's link")
			}
		})
	})
}
