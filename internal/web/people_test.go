package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// people registers and signs in a test's cast through the app, for the
// browser journeys and the plain form tests alike.
type people struct {
	t   *testing.T
	app *app.App
	op  app.Actor // the vendor's first operator, once bootstrapped
}

func (p *people) register(link string) {
	p.t.Helper()
	if _, err := p.app.AcceptInvitation(context.Background(), "", tokenRE.FindStringSubmatch(link)[1], password); err != nil {
		p.t.Fatal(err)
	}
}

func (p *people) actor(email string) app.Actor {
	p.t.Helper()
	secret, _, err := p.app.IssueToken(context.Background(), "", email, password, "setup")
	if err != nil {
		p.t.Fatal(err)
	}
	act, err := p.app.Authenticate(context.Background(), secret, "")
	if err != nil {
		p.t.Fatal(err)
	}
	return act
}

// person creates and registers a user, for the set-up of a test.
func (p *people) person(by app.Actor, orgID, email string, roles ...domain.Role) *domain.User {
	p.t.Helper()
	return p.named(by, orgID, "Person "+strings.Split(email, "@")[0], email, roles...)
}

// named is person with a real-looking name.
func (p *people) named(by app.Actor, orgID, name, email string, roles ...domain.Role) *domain.User {
	p.t.Helper()
	usr, _, err := p.app.CreateUser(context.Background(), by, app.NewUser{OrgID: orgID, Email: email, Name: name, Roles: roles})
	if err != nil {
		p.t.Fatal(err)
	}
	p.register(p.lastMail(email, domain.NoticeInvitation))
	return usr
}

// lastMail returns the body of the newest notice of kind to email.
func (p *people) lastMail(email, kind string) string {
	p.t.Helper()
	l, err := p.app.Mailbox(context.Background(), p.op, domain.NoticeFilter{ToEmail: &email, Kind: &kind, Page: domain.Page{Limit: 200}})
	if err != nil || len(l.Items) == 0 {
		p.t.Fatalf("no %s mail to %s: %v", kind, email, err)
	}
	return l.Items[len(l.Items)-1].Body
}

// userID returns the id of the user with email.
func (p *people) userID(email string) string {
	p.t.Helper()
	l, err := p.app.Users(context.Background(), p.op, domain.UserFilter{Search: &email, Page: domain.Page{Limit: 10}})
	if err != nil || len(l.Items) != 1 {
		p.t.Fatalf("user %s: %v", email, err)
	}
	return l.Items[0].ID
}

// userOrg returns the organisation of the user with email.
func (p *people) userOrg(email string) string {
	p.t.Helper()
	l, err := p.app.Users(context.Background(), p.op, domain.UserFilter{Search: &email, Page: domain.Page{Limit: 10}})
	if err != nil || len(l.Items) != 1 {
		p.t.Fatalf("user %s: %v", email, err)
	}
	return l.Items[0].OrgID
}
