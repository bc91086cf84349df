package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"github.com/urfave/cli/v3"
)

const (
	get, post, patch, put, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete

	orgCols  = "id kind name partner=partner_id demo contact=main_contact_id"
	userCols = "id email name roles state org=org_id"
	siteCols = "id name edition state customer=customer_name"
)

// Commands returns every command that works over the API.
func Commands() []*cli.Command {
	return append(authCommands(),
		orgCommand(), userCommand(), siteCommand(), companyCommand(), assignmentCommand(), accessCommand(),
		accountantCommand(), webhookCommand(), scimCommand(), appCommand(), complianceCommand(), reviewCommand(), campaignCommand(), loadtestCommand(), notificationsCommand(), accountsCommand(), auditCommand(), mailCommand())
}

func orgCommand() *cli.Command {
	return &cli.Command{Name: "org", Usage: "organisations: the vendor, partners and customers", Commands: []*cli.Command{
		{Name: "list", Usage: "list the organisations you can see", Flags: with(paging(), str("kind", "vendor, partner or customer"), str("partner-id", "customers of this partner")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/orgs", query(cmd, "kind", "partner-id", "cursor", "limit"), nil, listOf(orgCols))
			}},
		byID("show", "show an organisation", get, "/orgs/", "", one(orgCols+" created=created_at")),
		{Name: "create", Usage: "create a partner or customer (operators)",
			Flags: []cli.Flag{req("kind", "partner or customer"), req("name", "the organisation's name"),
				str("partner", "customers: the partner of record's id"), &cli.BoolFlag{Name: "demo", Usage: "customers: the partner's demo customer"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"kind": cmd.String("kind"), "name": cmd.String("name")}
				if p := cmd.String("partner"); p != "" {
					body["partner_id"] = p
				}
				if cmd.Bool("demo") {
					body["demo"] = true
				}
				return call(ctx, cmd, post, "/orgs", nil, body, said("Created %s %s: %s", "kind", "name", "id"))
			}},
		{Name: "update", Usage: "change name, main contact, demo flag, or the dormancy lock", ArgsUsage: "ID",
			Flags: []cli.Flag{str("name", "new name"), str("main-contact", "user id of the main contact (R-ORG-2)"),
				&cli.BoolFlag{Name: "demo", Usage: "flag as the partner's demo customer (operators)"},
				&cli.BoolFlag{Name: "lock-dormant", Usage: "lock users not signed in for the dormancy period, after a warning (R-PLUS-4); --lock-dormant=false to stop"},
				str("review-auto-remove", `at a review's due date: lock or unassign the users nobody confirmed (R-PLUS-5); "" to tell the operators instead`)},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "org", "ID")
				if err != nil {
					return err
				}
				body := map[string]any{}
				setIf(cmd, body, "name", "name")
				setIf(cmd, body, "main-contact", "main_contact_id")
				if cmd.IsSet("demo") {
					body["demo"] = cmd.Bool("demo")
				}
				setIf(cmd, body, "review-auto-remove", "review_auto_remove")
				if cmd.IsSet("lock-dormant") {
					body["lock_dormant"] = cmd.Bool("lock-dormant")
				}
				return call(ctx, cmd, patch, "/orgs/"+url.PathEscape(id), nil, body, one(orgCols+" lock_dormant review_auto_remove"))
			}},
		{Name: "link", Usage: "choose a customer's partner of record (operators link at once; a customer asks, and the partner accepts)",
			ArgsUsage: "CUSTOMER-ID", Flags: []cli.Flag{req("partner", "the partner's id")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "org", "CUSTOMER-ID")
				if err != nil {
					return err
				}
				partner := cmd.String("partner")
				return call(ctx, cmd, put, "/orgs/"+url.PathEscape(id)+"/partner", nil, map[string]string{"partner_id": partner},
					func(w io.Writer, v any) {
						if cell(lookup(v, "partner_id")) == partner {
							fmt.Fprintf(w, "%s is now linked to partner %s.\n", cell(lookup(v, "name")), partner)
							return
						}
						fmt.Fprintf(w, "Asked: %s becomes the partner of record of %s once its administrators accept.\n", partner, cell(lookup(v, "name")))
					})
			}},
		byID("unlink", "remove a customer's partner of record", del, "/orgs/", "/partner", said("%s has no partner now.", "name")),
		{Name: "link-requests", Usage: "customers asking your partner to become their partner of record (partner administrators)",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/partner-link-requests", nil, nil, listOf("customer=customer_id name=customer_name asked_by at"))
			}},
		byID("accept-link", "become the customer's partner of record", post, "/partner-link-requests/", "/accept",
			said("You are now the partner of record of %s.", "name")),
		byID("decline-link", "decline the customer's request", post, "/partner-link-requests/", "/decline", said("Declined.")),
	}}
}

func setIf(cmd *cli.Command, body map[string]any, flag, key string) {
	if cmd.IsSet(flag) {
		body[key] = cmd.String(flag)
	}
}

func userCommand() *cli.Command {
	return &cli.Command{Name: "user", Usage: "users of an organisation", Commands: []*cli.Command{
		{Name: "list", Usage: "list users, with search and filters",
			Flags: with(paging(), str("org", "organisation id (default: yours)"), str("state", "invited, active, locked or deleted"),
				str("role", "only users holding this role"), str("search", "search in name and email")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/users", query(cmd, "org=org_id", "state", "role", "search=q", "cursor", "limit"), nil, listOf(userCols))
			}},
		byID("show", "show a user", get, "/users/", "", one(userCols+" type generic invite_expires=invite_expires_at created=created_at")),
		{Name: "history", Usage: "which sites the user could reach between two moments, through what, and who let them in", ArgsUsage: "USER-ID",
			Flags: []cli.Flag{req("from", "start, e.g. 2026-09-01T00:00:00Z"), req("to", "end, e.g. 2026-12-01T00:00:00Z"),
				str("csv", "write it as CSV to this file (- for standard output)")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "user", "USER-ID")
				if err != nil {
					return err
				}
				q := url.Values{"from": {cmd.String("from")}, "to": {cmd.String("to")}}
				path := "/users/" + url.PathEscape(id) + "/access-history"
				if file := cmd.String("csv"); file != "" {
					q.Set("format", "csv")
					return download(ctx, cmd, path, q, file)
				}
				return call(ctx, cmd, get, path, q, nil, listOf("site=site_name role via from to granted_by"))
			}},
		{Name: "create", Usage: "invite a user; the invitation is emailed (R-USER-4)",
			Flags: []cli.Flag{req("org", "organisation id"), req("email", "the person's own email"), req("name", "the person's name"),
				&cli.StringSliceFlag{Name: "role", Usage: "a role (repeat for several)", Required: true}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"org_id": cmd.String("org"), "email": cmd.String("email"), "name": cmd.String("name"), "roles": cmd.StringSlice("role")}
				return call(ctx, cmd, post, "/users", nil, body, func(w io.Writer, v any) {
					said("Invited %s (%s): %s", "user.email", "user.state", "user.id")(w, v)
					ws, _ := lookup(v, "warnings").([]any)
					for _, x := range ws {
						fmt.Fprintf(cmd.Root().ErrWriter, "warning: %s: %s\n", cell(lookup(x, "rule")), cell(lookup(x, "message")))
					}
				})
			}},
		{Name: "update", Usage: "change name, email or roles (R-USER-6)", ArgsUsage: "ID",
			Flags: []cli.Flag{str("name", "new name"), str("email", "new email (confirmed by the person)"),
				&cli.StringSliceFlag{Name: "role", Usage: "the new set of roles (repeat)"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "user", "ID")
				if err != nil {
					return err
				}
				body := map[string]any{}
				setIf(cmd, body, "name", "name")
				setIf(cmd, body, "email", "email")
				if cmd.IsSet("role") {
					body["roles"] = cmd.StringSlice("role")
				}
				return call(ctx, cmd, patch, "/users/"+url.PathEscape(id), nil, body, func(w io.Writer, v any) {
					record(w, lookup(v, "user"), cols(userCols))
					if p := lookup(v, "pending_email"); p != nil {
						fmt.Fprintf(w, "The new address %s must be confirmed from the link sent to it.\n", cell(p))
					}
				})
			}},
		byID("lock", "lock a user: access ends at once (R-USER-5)", post, "/users/", "/lock", said("%s is %s.", "email", "state")),
		byID("unlock", "unlock a user, restoring its assignments", post, "/users/", "/unlock", said("%s is %s.", "email", "state")),
		withReason(byID("delete", "delete a user and all its assignments", del, "/users/", "", said("%s is %s.", "email", "state"))),
		byID("resend-invitation", "send a fresh invitation", post, "/users/", "/resend-invitation", said("Invitation sent again to %s; it expires %s.", "email", "invite_expires_at")),
		{Name: "break-glass", Usage: "never lock this account for dormancy, with the reason (R-PLUS-4); --off ends it", ArgsUsage: "ID",
			Flags: []cli.Flag{str("reason", `why, e.g. "emergency access for the on-call desk"`), &cli.BoolFlag{Name: "off", Usage: "end the exemption"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "user", "ID")
				if err != nil {
					return err
				}
				body := map[string]any{"exempt": !cmd.Bool("off"), "reason": cmd.String("reason")}
				msg := "Exempt from the dormancy lock: %s"
				if cmd.Bool("off") {
					msg = "No longer exempt from the dormancy lock.%.0s"
				}
				return call(ctx, cmd, put, "/users/"+url.PathEscape(id)+"/break-glass", nil, body, said(msg, "reason"))
			}},
	}}
}

func siteCommand() *cli.Command {
	return &cli.Command{Name: "site", Usage: "hosted sites", Commands: []*cli.Command{
		{Name: "list", Usage: "list the sites you can see", Flags: with(paging(), str("customer", "customer id"), str("state", "a site state")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/sites", query(cmd, "customer=customer_id", "state", "cursor", "limit"), nil, listOf(siteCols))
			}},
		byID("show", "show a site", get, "/sites/", "", one(siteCols+" customer_id suspend_reason suspend_until purge_at provision_error created=created_at")),
		byID("retry", "ask the provisioner again for a site whose provisioning failed (R-SITE-0)", post, "/sites/", "/retry-provisioning",
			said("Site %s is %s.", "name", "state")),
		byID("provisioning", "the latest events sent to the site provisioner (R-SITE-0)", get, "/sites/", "/provisioner-calls",
			listOf("event state attempts status=last_status error=last_error sent=created_at")),
		directoryCommand(),
		byID("accounts", "the accounts in the site's directory, with those still pending and why (R-APP-3)", get, "/sites/", "/directory-accounts",
			listOf("user=user_name email=user_email state attempts error=last_error updated=updated_at")),
		{Name: "create", Usage: "create a site for a customer (R-SITE-0)",
			Flags: []cli.Flag{req("customer", "customer id"), req("name", "site name"),
				&cli.StringFlag{Name: "edition", Usage: "standard or professional", Value: "standard"}, str("company", "name of the first company")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"customer_id": cmd.String("customer"), "name": cmd.String("name"), "edition": cmd.String("edition")}
				setIf(cmd, body, "company", "company")
				return call(ctx, cmd, post, "/sites", nil, body, said("Created %s site %s (%s): %s", "edition", "name", "state", "id"))
			}},
		{Name: "suspend", Usage: "suspend a site (R-SITE-1; operators)", ArgsUsage: "ID",
			Flags: []cli.Flag{req("reason", "why"), req("until", "expected end, e.g. 2026-12-31")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "site", "ID")
				if err != nil {
					return err
				}
				return call(ctx, cmd, post, "/sites/"+url.PathEscape(id)+"/suspend", nil,
					map[string]string{"reason": cmd.String("reason"), "until": cmd.String("until")}, said("Site %s is %s until %s.", "name", "state", "suspend_until"))
			}},
		byID("resume", "end a suspension", post, "/sites/", "/resume", said("Site %s is %s.", "name", "state")),
		withReason(byID("cancel", "cancel a site into stasis (R-SITE-2)", post, "/sites/", "/cancel", said("Site %s is %s; it is deleted after %s unless restored.", "name", "state", "purge_at"))),
		byID("restore", "restore a cancelled site", post, "/sites/", "/restore", said("Site %s is %s.", "name", "state")),
		byID("users", "the site's dashboard of users (R-SITE-4)", get, "/sites/", "/users",
			listOf("user=user_id name email role via state expires=expires_at companies")),
		{Name: "history", Usage: "who could reach the site at a moment, through what, and who let them in", ArgsUsage: "SITE-ID",
			Flags: []cli.Flag{req("at", "the moment, e.g. 2026-11-30T14:00:00Z")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "site", "SITE-ID")
				if err != nil {
					return err
				}
				return call(ctx, cmd, get, "/sites/"+url.PathEscape(id)+"/access-history", url.Values{"at": {cmd.String("at")}}, nil,
					listOf("name=user_name email=user_email role via since expires=expires_at granted_by reachable why"))
			}},
		{Name: "access", Usage: "may a user use the site (and a company) now?", ArgsUsage: "SITE-ID",
			Flags: []cli.Flag{req("user", "user id"), str("company", "company id")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "site", "SITE-ID")
				if err != nil {
					return err
				}
				return call(ctx, cmd, get, "/sites/"+url.PathEscape(id)+"/access", query(cmd, "user", "company"), nil,
					one("allowed reason role via expires=expires_at"))
			}},
	}}
}

func companyCommand() *cli.Command {
	return &cli.Command{Name: "company", Usage: "a site's companies (R-SITE-3)", Commands: []*cli.Command{
		{Name: "list", Usage: "list a site's companies", Flags: with(paging(), req("site", "site id")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/sites/"+url.PathEscape(cmd.String("site"))+"/companies", query(cmd, "cursor", "limit"), nil, listOf("id name site=site_id"))
			}},
		{Name: "create", Usage: "create a company (operations agents)", Flags: []cli.Flag{req("site", "site id"), req("name", "company name")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, post, "/sites/"+url.PathEscape(cmd.String("site"))+"/companies", nil,
					map[string]string{"name": cmd.String("name")}, said("Created company %s: %s", "name", "id"))
			}},
		{Name: "rename", Usage: "rename a company", ArgsUsage: "ID", Flags: []cli.Flag{req("name", "new name")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := arg(cmd, 0, "ID")
				if err != nil {
					return err
				}
				return call(ctx, cmd, patch, "/companies/"+url.PathEscape(id), nil, map[string]string{"name": cmd.String("name")}, said("Company %s renamed to %s.", "id", "name"))
			}},
	}}
}

func assignmentCommand() *cli.Command {
	siteUser := func(name, usage, method string, body bool, msg string) *cli.Command {
		flags := []cli.Flag{req("site", "site id"), req("user", "user id")}
		if body {
			flags = append(flags, str("role", "the role on the site, when the user holds several (R-ROLE-4)"))
		}
		return &cli.Command{Name: name, Usage: usage, Flags: flags, Action: func(ctx context.Context, cmd *cli.Command) error {
			path := "/sites/" + url.PathEscape(cmd.String("site")) + "/users"
			var b any
			if body {
				m := map[string]any{"user_id": cmd.String("user")}
				setIf(cmd, m, "role", "role")
				b = m
			} else {
				path += "/" + url.PathEscape(cmd.String("user"))
			}
			return call(ctx, cmd, method, path, nil, b, said(msg))
		}}
	}
	companyUser := func(name, usage, method, msg string) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, Flags: []cli.Flag{req("company", "company id"), req("user", "user id")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, method, "/companies/"+url.PathEscape(cmd.String("company"))+"/users/"+url.PathEscape(cmd.String("user")), nil, nil, said(msg))
			}}
	}
	return &cli.Command{Name: "assignment", Usage: "who may use which site and company", Commands: []*cli.Command{
		{Name: "list", Usage: "list a site's users (R-SITE-4)", Flags: with(paging(), req("site", "site id")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/sites/"+url.PathEscape(cmd.String("site"))+"/users", query(cmd, "cursor", "limit"), nil,
					listOf("user=user_id name email role via state expires=expires_at companies"))
			}},
		siteUser("add", "assign a user to a site; the customer's administrators are told (R-ASSIGN-2)", post, true, "Assigned; the customer's administrators were notified."),
		withReason(siteUser("remove", "remove a user from a site (R-ASSIGN-3)", del, false, "Removed from the site; the user stays in its organisation.")),
		companyUser("company-add", "assign a user to a company (operations agents)", put, "Assigned to the company."),
		companyUser("company-remove", "remove a user from a company", del, "Removed from the company."),
	}}
}

func auditCommand() *cli.Command {
	filters := []cli.Flag{str("org", "organisation id"), str("actor", "actor's user id"), str("action", "e.g. user.create"),
		str("object-type", "user, site, org, …"), str("object", "object id"), str("since", "from (date or RFC 3339)"), str("until", "before (date or RFC 3339)")}
	q := func(cmd *cli.Command) url.Values {
		return query(cmd, "org=org_id", "actor=actor_id", "action", "object-type", "object=object_id", "since", "until", "cursor", "limit", "format")
	}
	return &cli.Command{Name: "audit", Usage: "the activity log (R-AUDIT-1)", Commands: []*cli.Command{
		{Name: "list", Usage: "read the log", Flags: with(filters, paging()...),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/audit", q(cmd), nil, listOf("seq at actor=actor_id action object=object_id org=org_id"))
			}},
		{Name: "export", Usage: "export the log as CSV or JSON", Flags: with(filters,
			&cli.StringFlag{Name: "format", Value: "csv", Usage: "csv or json"}, str("output", "file to write (default: standard output)")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				s, err := open(cmd)
				if err != nil {
					return err
				}
				raw, err := s.client.Do(ctx, get, "/audit/export", q(cmd), nil, nil)
				if err != nil {
					return err
				}
				if out := cmd.String("output"); out != "" {
					return os.WriteFile(out, raw, 0o600)
				}
				_, err = s.out.Write(raw)
				return err
			}},
		{Name: "verify", Usage: "check that no entry was changed or removed",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				var intact bool
				err := call(ctx, cmd, post, "/audit/verify", nil, nil, func(w io.Writer, v any) {
					intact, _ = lookup(v, "intact").(bool)
					if intact {
						said("Audit log intact: %s entries, every hash checks out.", "entries")(w, v)
						return
					}
					said("Audit log BROKEN at entry %s: %s (%s entries read).", "broken_at", "problem", "entries")(w, v)
				})
				if err == nil && !intact && !cmd.Bool("json") {
					return cli.Exit("", 2)
				}
				return err
			}},
	}}
}

func mailCommand() *cli.Command {
	return &cli.Command{Name: "mail", Usage: "the local mailbox of notices (R-NOTE-2; operators)", Commands: []*cli.Command{
		{Name: "list", Usage: "list notices with their delivery state", Flags: with(paging(), str("to", "recipient address"), str("kind", "e.g. invitation, user_added_to_site")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/mail", query(cmd, "to", "kind", "cursor", "limit"), nil, listOf("id kind to=to_email subject state attempts created=created_at"))
			}},
		byID("show", "show one notice with its body and delivery state", get, "/mail/", "", func(w io.Writer, v any) {
			record(w, v, cols("id kind to=to_email subject state attempts last_error sent=sent_at created=created_at"))
			fmt.Fprintf(w, "\n%s", cell(lookup(v, "body")))
		}),
	}}
}
