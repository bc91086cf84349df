package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/directory"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// Directory accounts (R-APP-3): a professional site may have an LDAP
// directory, set by operators. Everyone the access decision lets into the
// site gets an account there, created with a one-time password that must
// be changed at first use and that its owner sees once, after signing in
// to the portal; it is never emailed. When the access ends (removal,
// expiry, lock, deletion, the site's cancellation) the account is
// disabled. The directory is told by background jobs with retries; the
// access decision never waits for them. The rows of directory_accounts
// are the outbox: a job lost in a crash is found again by the sweep.

// DirectorySettings are what an operator sets for a site's directory.
type DirectorySettings struct {
	URL          string
	StartTLS     bool
	CAPEM        string
	BindDN       string
	BindPassword string // "": keep the one already set
	BaseDN       string
	Kind         string // directory.OpenLDAP or directory.ActiveDirectory
	LoginAttr    string
}

func dirConfig(d *domain.SiteDirectory) directory.Config {
	return directory.Config{URL: d.URL, StartTLS: d.StartTLS, CAPEM: d.CAPEM, BindDN: d.BindDN, BindPassword: d.BindPassword,
		BaseDN: d.BaseDN, Flavor: d.Flavor, LoginAttr: d.LoginAttr}
}

// SetSiteDirectory sets (or changes) a professional site's directory.
// Everyone already let into the site gets an account there. Codes:
// not_found, forbidden, rule, invalid.
func (a *App) SetSiteDirectory(ctx context.Context, act Actor, siteID string, in DirectorySettings) (*domain.SiteDirectory, error) {
	var d *domain.SiteDirectory
	err := a.write(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if s.Edition != domain.EditionProfessional {
			return domain.RuleError(domain.ERule, "R-APP-3", "directory accounts are for professional sites; %s is %s", s.Name, s.Edition)
		}
		if !act.sitePermissions(s, cust).ManageDirectory {
			return forbidden("R-APP-3", "only the vendor's operators set a site's directory")
		}
		old, err := u.tx.SiteDirectory(ctx, s.ID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		d = &domain.SiteDirectory{SiteID: s.ID, URL: trimmed(in.URL), StartTLS: in.StartTLS, CAPEM: strings.TrimSpace(in.CAPEM),
			BindDN: trimmed(in.BindDN), BindPassword: in.BindPassword, BaseDN: trimmed(in.BaseDN), Flavor: trimmed(in.Kind),
			LoginAttr: trimmed(in.LoginAttr), UpdatedBy: act.userID(), UpdatedAt: u.now}
		if d.Flavor == "" {
			d.Flavor = directory.OpenLDAP
		}
		if d.BindPassword == "" && old != nil {
			d.BindPassword = old.BindPassword
		}
		if err := dirConfig(d).Validate(); err != nil {
			return &domain.Error{Code: domain.EInvalid, Rule: "R-APP-3", Message: err.Error()}
		}
		if err := u.tx.PutSiteDirectory(ctx, d); err != nil {
			return err
		}
		return u.record(ctx, "site.directory_set", "site", s.ID, s.CustomerID, old, d)
	})
	if err != nil {
		return nil, err
	}
	a.dirInUse.Store(true)
	if a.jobs != nil {
		a.jobs.Committed(ctx, Work{DirectorySites: []string{siteID}})
	}
	out := *d
	out.BindPassword = ""
	return &out, nil
}

// SiteDirectory returns a site's directory settings, without the bind
// password. Codes: not_found (also when the site has none), forbidden.
func (a *App) SiteDirectory(ctx context.Context, act Actor, siteID string) (d *domain.SiteDirectory, err error) {
	err = a.read(ctx, act, func(u *unit) (err error) {
		d, err = u.loadDirectory(ctx, siteID, func(c SitePermissions) bool { return c.SeeDirectory }, "see a site's directory settings")
		return err
	})
	if d != nil {
		d.BindPassword = ""
	}
	return d, err
}

// loadDirectory reads a site's directory for an actor whom may allows to
// do what (for the refusal); a site without one is not found.
func (u *unit) loadDirectory(ctx context.Context, siteID string, may func(SitePermissions) bool, what string) (*domain.SiteDirectory, error) {
	s, cust, err := u.loadSite(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if !may(u.act.sitePermissions(s, cust)) {
		return nil, forbidden("R-APP-3", "only the vendor's operators %s", what)
	}
	d, err := u.tx.SiteDirectory(ctx, s.ID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, &domain.Error{Code: domain.ENotFound, Rule: "R-APP-3", Message: "site " + s.Name + " has no directory"}
	}
	return d, err
}

// DirectoryCheck is the outcome of a connection test.
type DirectoryCheck struct {
	OK      bool
	Message string // in plain words
}

// TestSiteDirectory connects to the site's directory with its settings,
// binds and reads the base DN, and says in plain words how it went.
// Codes: not_found, forbidden.
func (a *App) TestSiteDirectory(ctx context.Context, act Actor, siteID string) (DirectoryCheck, error) {
	var d *domain.SiteDirectory
	err := a.read(ctx, act, func(u *unit) (err error) {
		d, err = u.loadDirectory(ctx, siteID, func(c SitePermissions) bool { return c.ManageDirectory }, "test a site's directory")
		return err
	})
	if err != nil {
		return DirectoryCheck{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := directory.Dial(ctx, dirConfig(d))
	if err == nil {
		err = conn.Check()
		conn.Close()
	}
	if err != nil {
		return DirectoryCheck{Message: directory.Explain(err)}, nil
	}
	return DirectoryCheck{OK: true, Message: fmt.Sprintf("Connected to %s as %s; %s exists.", d.URL, d.BindDN, d.BaseDN)}, nil
}

// SiteDirectoryAccounts lists the accounts in a site's directory, with
// those still waiting for the directory (creating, disabling) and why.
// Codes: not_found, forbidden.
func (a *App) SiteDirectoryAccounts(ctx context.Context, act Actor, siteID string) (out []*domain.DirectoryAccount, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if !act.sitePermissions(s, cust).SeeDirectoryAccounts {
			return forbidden("R-APP-3", "only operators, the customer's administrators and its partner see the site's directory accounts")
		}
		out, err = u.tx.DirectoryAccounts(ctx, s.ID, "")
		return err
	})
	return out, err
}

// MyDirectoryAccounts lists the actor's own directory accounts.
func (a *App) MyDirectoryAccounts(ctx context.Context, act Actor) (out []*domain.DirectoryAccount, err error) {
	if act.User == nil {
		return nil, &domain.Error{Code: domain.EUnauthorized, Message: "sign in to see your directory accounts"}
	}
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.DirectoryAccounts(ctx, "", act.User.ID)
		return err
	})
	return out, err
}

// ShowDirectoryPassword shows the actor the one-time password of their
// account in a site's directory, once: afterwards it is forgotten
// (R-APP-3). Codes: not_found, rule.
func (a *App) ShowDirectoryPassword(ctx context.Context, act Actor, siteID string) (acct *domain.DirectoryAccount, password string, err error) {
	if act.User == nil {
		return nil, "", &domain.Error{Code: domain.EUnauthorized, Message: "sign in to see your password"}
	}
	err = a.write(ctx, act, func(u *unit) error {
		acct, err = u.tx.DirectoryAccount(ctx, siteID, act.User.ID)
		if errors.Is(err, domain.ErrNotFound) {
			return &domain.Error{Code: domain.ENotFound, Rule: "R-APP-3", Message: "you have no account in that site's directory"}
		} else if err != nil {
			return err
		}
		s, err := u.tx.Site(ctx, domain.Everything, siteID)
		if err != nil {
			return err
		}
		switch {
		case acct.State == domain.AccountCreating:
			return domain.RuleError(domain.ERule, "R-APP-3", "your account in the directory of %s is still being created; try again in a minute", s.Name)
		case acct.State != domain.AccountActive:
			return domain.RuleError(domain.ERule, "R-APP-3", "your account in the directory of %s is %s", s.Name, acct.State)
		case acct.Password == "":
			return domain.RuleError(domain.ERule, "R-APP-3", "the one-time password of your account in the directory of %s was shown on %s and is not kept; if you did not change it, ask the site's administrators to remove and add you again",
				s.Name, acct.ShownAt.Format("2 January 2006 15:04 MST"))
		}
		if password, err = u.tx.OpenAccountPassword(acct); err != nil {
			return err
		}
		if err := u.tx.ShowAccountPassword(ctx, acct.ID, u.now); err != nil {
			return err
		}
		acct.Password, acct.ShownAt, acct.SiteName = "", u.now, s.Name
		return u.record(ctx, "directory.password_shown", "directory_account", acct.ID, s.CustomerID, nil, map[string]string{"dn": acct.DN})
	})
	return acct, password, err
}

// SyncDirectory brings the directory accounts of a site, or of a user
// (either may be ""), into line with their access: it creates the missing
// ones, disables those whose access ended, and finishes those left half
// done. An error (the directory down, say) is returned after trying every
// account, for the queue to retry.
func (a *App) SyncDirectory(ctx context.Context, siteID, userID string) error {
	var tasks []domain.DirectoryTask
	if err := a.read(ctx, System, func(u *unit) (err error) {
		tasks, err = u.tx.DirectoryTasks(ctx, u.now, siteID, userID, sweepBatch)
		return err
	}); err != nil {
		return err
	}
	var errs []error
	for _, t := range tasks {
		if err := a.syncAccount(ctx, t); err != nil {
			errs = append(errs, fmt.Errorf("directory account of %s on %s: %w", t.UserID, t.SiteID, err))
		}
	}
	return errors.Join(errs...)
}

// DirectoryWork lists the accounts whose directory has yet to be told,
// for the sweep to hand to the queue again.
func (a *App) DirectoryWork(ctx context.Context, limit int) (tasks []domain.DirectoryTask, err error) {
	err = a.read(ctx, System, func(u *unit) error {
		n, err := u.tx.CountSiteDirectories(ctx)
		if err != nil || n == 0 {
			return err
		}
		a.dirInUse.Store(true)
		tasks, err = u.tx.DirectoryTasks(ctx, u.now, "", "", limit)
		return err
	})
	return tasks, err
}

// syncAccount decides what one person's account needs and does it.
func (a *App) syncAccount(ctx context.Context, t domain.DirectoryTask) error {
	var dir *domain.SiteDirectory
	var acct *domain.DirectoryAccount
	var usr *domain.User
	var password string
	err := a.write(ctx, System, func(u *unit) (err error) {
		acct, password = nil, ""
		if dir, err = u.tx.SiteDirectory(ctx, t.SiteID); errors.Is(err, domain.ErrNotFound) {
			dir = nil
			return nil
		} else if err != nil {
			return err
		}
		s, err := u.tx.Site(ctx, domain.Everything, t.SiteID)
		if err != nil {
			return err
		}
		if usr, err = u.tx.User(ctx, domain.Everything, t.UserID); err != nil {
			return err
		}
		f, err := u.tx.AccessFacts(ctx, t.SiteID, t.UserID, "")
		if err != nil {
			return err
		}
		want := f.Assigned && f.UserState == domain.UserActive && !domain.GrantExpired(f.ExpiresAt, u.now) &&
			(f.SiteState == domain.SiteReady || f.SiteState == domain.SiteSuspended)
		acct, err = u.tx.DirectoryAccount(ctx, t.SiteID, t.UserID)
		if errors.Is(err, domain.ErrNotFound) {
			acct, err = nil, nil
		} else if err != nil {
			return err
		}
		switch {
		case want && (acct == nil || acct.State == domain.AccountDisabled || acct.State == domain.AccountDisabling):
			if password, err = oneTimePassword(); err != nil {
				return err
			}
			id := domain.NewID("dacct", u.now)
			if acct != nil {
				id = acct.ID
			}
			acct = &domain.DirectoryAccount{ID: id, SiteID: s.ID, UserID: usr.ID, DN: dirConfig(dir).DN(usr.Email),
				State: domain.AccountCreating, CreatedAt: u.now, UpdatedAt: u.now}
			if err := u.tx.PutDirectoryAccount(ctx, acct, password); err != nil {
				return err
			}
			return u.record(ctx, "directory.account_requested", "directory_account", acct.ID, s.CustomerID, nil,
				map[string]string{"site": s.Name, "user": usr.Email, "dn": acct.DN})
		case want && acct.State == domain.AccountCreating:
			password, err = u.tx.OpenAccountPassword(acct)
			return err
		case !want && acct != nil && (acct.State == domain.AccountCreating || acct.State == domain.AccountActive):
			if _, err := u.tx.MoveDirectoryAccount(ctx, acct.ID, acct.State, domain.AccountDisabling, "", true, u.now); err != nil {
				return err
			}
			acct.State = domain.AccountDisabling
			return u.record(ctx, "directory.account_disabling", "directory_account", acct.ID, s.CustomerID, nil,
				map[string]string{"site": s.Name, "user": usr.Email, "dn": acct.DN})
		case !want && acct != nil && acct.State == domain.AccountDisabling:
			return nil
		}
		acct = nil // nothing to tell the directory
		return nil
	})
	if err != nil || dir == nil || acct == nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := directory.Dial(ctx, dirConfig(dir))
	if err != nil {
		return a.directoryFailed(ctx, acct, err)
	}
	defer conn.Close()
	if acct.State == domain.AccountCreating {
		if _, err := conn.Ensure(directory.Account{Login: usr.Email, Name: usr.Name, Email: usr.Email}, password); err != nil {
			return a.directoryFailed(ctx, acct, err)
		}
		return a.write(ctx, System, func(u *unit) error {
			moved, err := u.tx.MoveDirectoryAccount(ctx, acct.ID, domain.AccountCreating, domain.AccountActive, "", false, u.now)
			if err != nil || !moved {
				return err
			}
			s, err := u.tx.Site(ctx, domain.Everything, acct.SiteID)
			if err != nil {
				return err
			}
			if err := u.record(ctx, "directory.account_created", "directory_account", acct.ID, s.CustomerID, nil,
				map[string]string{"site": s.Name, "user": usr.Email, "dn": acct.DN}); err != nil {
				return err
			}
			return u.notify(ctx, domain.NoticeDirectoryAccount, s.CustomerID, usr, mail.Data{SiteName: s.Name,
				UserName: usr.Name, UserEmail: usr.Email, Link: u.app.cfg.BaseURL + "/directory-accounts"})
		})
	}
	if err := conn.Disable(acct.DN); err != nil {
		return a.directoryFailed(ctx, acct, err)
	}
	return a.write(ctx, System, func(u *unit) error {
		moved, err := u.tx.MoveDirectoryAccount(ctx, acct.ID, domain.AccountDisabling, domain.AccountDisabled, "", true, u.now)
		if err != nil || !moved {
			return err
		}
		s, err := u.tx.Site(ctx, domain.Everything, acct.SiteID)
		if err != nil {
			return err
		}
		return u.record(ctx, "directory.account_disabled", "directory_account", acct.ID, s.CustomerID, nil,
			map[string]string{"site": s.Name, "user": usr.Email, "dn": acct.DN})
	})
}

// directoryFailed keeps why the directory could not be told, for the site
// page, and returns the error for the queue to retry.
func (a *App) directoryFailed(ctx context.Context, acct *domain.DirectoryAccount, cause error) error {
	why := directory.Explain(cause)
	if err := a.db.Write(ctx, func(tx Tx) error {
		_, err := tx.MoveDirectoryAccount(ctx, acct.ID, acct.State, acct.State, why, false, a.now())
		return err
	}); err != nil {
		a.log.ErrorContext(ctx, "recording a directory failure", "account", acct.ID, "err", err)
	}
	a.log.WarnContext(ctx, "directory account not yet done; will retry", "account", acct.ID, "state", acct.State, "why", why)
	return fmt.Errorf("%s: %w", why, cause)
}

// directoriesInUse reports whether any site has a directory, asking the
// database, through tx (a change's own transaction: taking a second
// connection while holding one could wait forever for the pool), at most
// every half minute while none has. A failed count fails the change: on
// PostgreSQL it has aborted the transaction anyway.
func (a *App) directoriesInUse(ctx context.Context, tx Tx) (bool, error) {
	if a.dirInUse.Load() {
		return true, nil
	}
	now := a.now().UnixNano()
	if last := a.dirChecked.Load(); now-last < int64(30*time.Second) && last != 0 {
		return false, nil
	}
	n, err := tx.CountSiteDirectories(ctx)
	if err != nil {
		return false, fmt.Errorf("count the sites with a directory: %w", err)
	}
	a.dirChecked.Store(now)
	if n > 0 {
		a.dirInUse.Store(true)
	}
	return n > 0, nil
}

// oneTimePassword makes a 20-character password with upper and lower
// case letters, digits and symbols (Active Directory's complexity rule
// wants three of the four), from the system's secure random source.
func oneTimePassword() (string, error) {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		symbol = "-_.!#%+=@"
	)
	classes := []string{upper, lower, digits, symbol}
	all := strings.Join(classes, "")
	pick := func(set string) (byte, error) {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return 0, err
		}
		return set[n.Int64()], nil
	}
	b := make([]byte, 20)
	for i := range b {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		c, err := pick(set)
		if err != nil {
			return "", fmt.Errorf("one-time password: %w", err)
		}
		b[i] = c
	}
	// Shuffle, so the classes are not always first.
	for i := len(b) - 1; i > 0; i-- {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", fmt.Errorf("one-time password: %w", err)
		}
		j := n.Int64()
		b[i], b[j] = b[j], b[i]
	}
	return string(b), nil
}
