package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/hooksig"
	"github.com/provisio/provisio/internal/mail"
)

// The site provisioners (R-SITE-0).
const (
	// ProvisionerBuiltin reports every new site ready at once.
	ProvisionerBuiltin = "builtin"
	// ProvisionerWebhook asks the vendor's automation to build each site
	// and waits for its signed callback.
	ProvisionerWebhook = "webhook"
)

// ProvisionerConfig chooses and sets up the site provisioner (R-SITE-0).
type ProvisionerConfig struct {
	Kind    string        // ProvisionerBuiltin (the default) or ProvisionerWebhook
	URL     string        // where the webhook provisioner's events are POSTed
	Secret  string        // signs the events and the callbacks (hooksig)
	Timeout time.Duration // a site still provisioning this long after its request has failed
}

// CallbackTolerance is how far a callback's signed timestamp may be from
// now; a signature is accepted once within it.
const CallbackTolerance = 5 * time.Minute

// maxProvisionError bounds the error a callback may report, as shown.
const maxProvisionError = 500

func (c ProvisionerConfig) webhook() bool { return c.Kind == ProvisionerWebhook }

// Validate reports a setting that cannot work.
func (c ProvisionerConfig) Validate() error {
	switch c.Kind {
	case "", ProvisionerBuiltin:
		return nil
	case ProvisionerWebhook:
		if !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://") {
			return fmt.Errorf("the webhook provisioner needs --provisioner-url, an http(s) address")
		}
		if len(c.Secret) < 16 {
			return fmt.Errorf("the webhook provisioner needs a secret of at least 16 characters (--provisioner-secret or PROVISIO_PROVISIONER_SECRET)")
		}
		if c.Timeout <= 0 {
			return fmt.Errorf("the provisioning timeout must be positive")
		}
		return nil
	}
	return fmt.Errorf("unknown provisioner %q: builtin or webhook", c.Kind)
}

// hookEvents is the provisioner event each site state change sends.
var hookEvents = map[string]string{
	"site.suspend": domain.HookSuspended, "site.resume": domain.HookResumed, "site.cancel": domain.HookCancelled,
	"site.restore": domain.HookRestored, "site.delete": domain.HookDeleted,
}

// provisionerPayload is the body of a call to the provisioner.
type provisionerPayload struct {
	ID          string    `json:"id"`
	Event       string    `json:"event"`
	At          time.Time `json:"at"`
	CallbackURL string    `json:"callback_url"`
	Site        struct {
		ID           string           `json:"id"`
		Name         string           `json:"name"`
		Edition      domain.Edition   `json:"edition"`
		State        domain.SiteState `json:"state"`
		CustomerID   string           `json:"customer_id"`
		CustomerName string           `json:"customer_name"`
	} `json:"site"`
}

// startProvisioning hands a new (or retried) site to the provisioner: the
// built-in one reports it ready at once; the webhook one is sent a
// request, and the site stays provisioning until its callback.
func (u *unit) startProvisioning(ctx context.Context, s *domain.Site) error {
	if !u.app.cfg.Provisioner.webhook() {
		return u.moveSite(ctx, s, domain.SiteReady, "site.ready")
	}
	call, err := u.callProvisioner(ctx, s, domain.HookProvision)
	if err != nil {
		return err
	}
	return u.record(ctx, "site.provision_requested", "site", s.ID, s.CustomerID, nil, map[string]string{"call": call.ID})
}

// callProvisioner writes an event for the webhook provisioner to the
// outbox; the queue sends it after commit.
func (u *unit) callProvisioner(ctx context.Context, s *domain.Site, event string) (*domain.ProvisionerCall, error) {
	cust, err := u.tx.Org(ctx, domain.Everything, s.CustomerID)
	if err != nil {
		return nil, fmt.Errorf("customer of %s: %w", s.ID, err)
	}
	p := provisionerPayload{ID: domain.NewID("pcall", u.now), Event: event, At: u.now,
		CallbackURL: u.app.cfg.BaseURL + "/api/v1/provisioner/callback"}
	p.Site.ID, p.Site.Name, p.Site.Edition, p.Site.State = s.ID, s.Name, s.Edition, s.State
	p.Site.CustomerID, p.Site.CustomerName = cust.ID, cust.Name
	c := &domain.ProvisionerCall{ID: p.ID, SiteID: s.ID, Event: event, Payload: string(mustJSON(p)),
		State: domain.DeliveryPending, CreatedAt: u.now}
	if err := u.tx.CreateProvisionerCall(ctx, c); err != nil {
		return nil, fmt.Errorf("provisioner outbox: %w", err)
	}
	u.calls = append(u.calls, c.ID)
	return c, nil
}

// tellProvisioner sends the webhook provisioner the event of a site state
// change made by action, if there is one.
func (u *unit) tellProvisioner(ctx context.Context, s *domain.Site, action string) error {
	event, ok := hookEvents[action]
	if !ok || !u.app.cfg.Provisioner.webhook() {
		return nil
	}
	_, err := u.callProvisioner(ctx, s, event)
	return err
}

// failProvisioning marks a provisioning site failed with why, and tells
// the vendor's operators (R-SITE-0). When another change moved the site
// first (an overlapping sweep, a callback) it does nothing.
func (u *unit) failProvisioning(ctx context.Context, s *domain.Site, why string) error {
	before := *s
	s.ProvisionError = clip(why, maxProvisionError)
	if err := u.moveSiteFrom(ctx, before, s, domain.SiteFailed, "site.provision_failed"); domain.ErrorCode(err) == domain.EConflict {
		*s = before
		return nil
	} else if err != nil {
		return err
	}
	cust, err := u.tx.Org(ctx, domain.Everything, s.CustomerID)
	if err != nil {
		return fmt.Errorf("customer of %s: %w", s.ID, err)
	}
	ops, err := u.operators(ctx)
	if err != nil {
		return err
	}
	d := mail.Data{SiteName: s.Name, SiteID: s.ID, OrgName: cust.Name, Reason: s.ProvisionError,
		Link: u.app.cfg.BaseURL + "/sites/" + s.ID}
	return u.announce(ctx, domain.NoticeProvisioningFailed, []string{s.CustomerID}, d, ops...)
}

// operators are the vendor's operators, or none before the vendor exists.
func (u *unit) operators(ctx context.Context) ([]*domain.User, error) {
	vendor, err := u.tx.Vendor(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("vendor: %w", err)
	}
	to, err := u.tx.OrgAdmins(ctx, vendor.ID, domain.RoleOperator)
	if err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	return to, nil
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// RetryProvisioning asks the provisioner again for a site whose
// provisioning failed (R-SITE-0). Codes: not_found, forbidden, rule.
func (a *App) RetryProvisioning(ctx context.Context, act Actor, id string) (*domain.Site, error) {
	var s *domain.Site
	err := a.write(ctx, act, func(u *unit) error {
		var cust *domain.Org
		var err error
		if s, cust, err = u.loadSite(ctx, id); err != nil {
			return err
		}
		if s.State != domain.SiteFailed {
			return domain.RuleError(domain.ERule, "R-SITE-0", "site %s is %s; only a site whose provisioning failed can be retried", s.Name, s.State)
		}
		if !act.sitePermissions(s, cust).RetryProvisioning {
			return forbidden("R-SITE-0", "only operators, and the partner of the site's customer, retry its provisioning")
		}
		before := *s
		s.ProvisionError = ""
		if err := u.moveSiteFrom(ctx, before, s, domain.SiteProvisioning, "site.provision_retry"); err != nil {
			return err
		}
		return u.startProvisioning(ctx, s)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ProvisionerCalls lists the latest calls to the provisioner about a site,
// newest first, for the site page. Codes: not_found, forbidden.
func (a *App) ProvisionerCalls(ctx context.Context, act Actor, siteID string) (out []*domain.ProvisionerCall, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if !act.sitePermissions(s, cust).SeeProvisioning {
			return forbidden("R-SITE-0", "only operators, and the partner of the site's customer, see its provisioning")
		}
		out, err = u.tx.ProvisionerCalls(ctx, siteID, 20)
		return err
	})
	return out, err
}

// DeliverProvisionerCall posts one pending call to the provisioner with
// post, as DeliverWebhook does. When the last attempt of a request to
// build a site fails, the site's provisioning has failed.
func (a *App) DeliverProvisionerCall(ctx context.Context, id string, final bool, post poster) error {
	var c *domain.ProvisionerCall
	err := a.read(ctx, System, func(u *unit) (err error) {
		c, err = u.tx.ProvisionerCall(ctx, id)
		return err
	})
	if errors.Is(err, domain.ErrNotFound) || err == nil && c.State != domain.DeliveryPending {
		return nil
	} else if err != nil {
		return err
	}
	pc := a.cfg.Provisioner
	state, status, msg, postErr := postOnce(ctx, post, pc.URL, pc.Secret,
		&domain.WebhookDelivery{ID: c.ID, Event: c.Event, Payload: c.Payload}, final)
	err = a.write(ctx, System, func(u *unit) error {
		if err := u.tx.MarkProvisionerCall(ctx, id, state, status, msg, u.now); err != nil {
			return err
		}
		if state != domain.DeliveryFailed || c.Event != domain.HookProvision {
			return nil
		}
		s, err := u.tx.Site(ctx, domain.Everything, c.SiteID)
		if err != nil || s.State != domain.SiteProvisioning {
			return err
		}
		return u.failProvisioning(ctx, s, "the provisioner could not be reached: "+msg)
	})
	if err != nil {
		return err
	}
	if state == domain.DeliveryFailed {
		a.log.WarnContext(ctx, "provisioner call failed for good", "call", id, "event", c.Event, "site", c.SiteID, "err", postErr)
	}
	return postErr
}

// ProvisionerCallback takes the provisioner's signed report on a site
// (R-SITE-0): ready makes the site ready; failed marks it failed with the
// error given, for an operator to retry. A callback whose signature is
// wrong, too old, or already used is refused and recorded in the activity
// log. A report of the state the site is already in changes nothing, so
// the provisioner may repeat a callback whose answer it lost.
// Codes: unauthorized, invalid, not_found, rule.
func (a *App) ProvisionerCallback(ctx context.Context, remote, signature string, body []byte) (*domain.Site, error) {
	pc := a.cfg.Provisioner
	if !pc.webhook() {
		return nil, &domain.Error{Code: domain.ENotFound, Rule: "R-SITE-0", Message: "this install has no webhook provisioner"}
	}
	act := Actor{RemoteAddr: remote}
	if err := hooksig.Verify(pc.Secret, signature, body, a.now(), CallbackTolerance); err != nil {
		return nil, a.refuseCallback(ctx, act, err.Error())
	}
	var in domain.ProvisionResult
	if err := json.Unmarshal(body, &in); err != nil || in.SiteID == "" {
		return nil, &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-0",
			Message: `the callback body must be JSON: {"site_id": "...", "status": "ready" or "failed", "error": "..."}`}
	}
	if in.Status != "ready" && in.Status != "failed" {
		return nil, &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-0", Field: "status", Message: `status must be "ready" or "failed"`}
	}
	var s *domain.Site
	err := a.write(ctx, act, func(u *unit) (err error) {
		if err := u.tx.TakeCallbackSignature(ctx, signature, u.now); err != nil {
			return err
		}
		if s, err = u.tx.Site(ctx, domain.Everything, in.SiteID); err != nil {
			return storeErr(err, "site", in.SiteID)
		}
		switch {
		case in.Status == "ready" && s.State == domain.SiteReady, in.Status == "failed" && s.State == domain.SiteFailed:
			return nil // a repeated report
		case s.State != domain.SiteProvisioning:
			return domain.RuleError(domain.ERule, "R-SITE-0", "site %s is %s, not provisioning", s.Name, s.State)
		case in.Status == "ready":
			return u.moveSite(ctx, s, domain.SiteReady, "site.ready")
		}
		why := in.Error
		if strings.TrimSpace(why) == "" {
			why = "the provisioner reported a failure without saying why"
		}
		return u.failProvisioning(ctx, s, why)
	})
	if errors.Is(err, domain.ErrUnique) {
		return nil, a.refuseCallback(ctx, act, "signature already used (a replay)")
	}
	return s, err
}

// refuseCallback records a refused callback in the activity log and
// returns the refusal.
func (a *App) refuseCallback(ctx context.Context, act Actor, why string) error {
	err := a.write(ctx, act, func(u *unit) error {
		return u.record(ctx, "provisioner.callback_refused", "provisioner", "", "", nil, map[string]string{"reason": why})
	})
	if err != nil {
		a.log.ErrorContext(ctx, "recording a refused provisioner callback", "err", err)
	}
	a.log.WarnContext(ctx, "provisioner callback refused", "reason", why, "remote", act.RemoteAddr)
	return &domain.Error{Code: domain.EUnauthorized, Rule: "R-SITE-0", Message: "the callback's signature is not valid: " + why}
}

// sweepProvisioning fails the sites the provisioner has not answered for
// within the timeout, and forgets callback signatures too old to matter.
func (a *App) sweepProvisioning(ctx context.Context) (int, error) {
	pc := a.cfg.Provisioner
	if !pc.webhook() {
		return 0, nil
	}
	var late []*domain.Site
	if err := a.read(ctx, System, func(u *unit) (err error) {
		late, err = u.tx.SitesProvisioningSince(ctx, u.now.Add(-pc.Timeout), sweepBatch)
		return err
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, s := range late {
		err := a.write(ctx, System, func(u *unit) error {
			fresh, err := u.tx.Site(ctx, domain.Everything, s.ID)
			if err != nil || fresh.State != domain.SiteProvisioning {
				return err
			}
			return u.failProvisioning(ctx, fresh, fmt.Sprintf("no answer from the provisioner within %s", pc.Timeout))
		})
		if err == nil {
			n++
		}
		if err != nil {
			return n, fmt.Errorf("provisioning timeout of %s: %w", s.ID, err)
		}
	}
	return n, a.db.Write(ctx, func(tx Tx) error {
		return tx.ForgetCallbackSignaturesBefore(ctx, a.now().Add(-2*CallbackTolerance))
	})
}
