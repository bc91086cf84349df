package cli

import (
	"context"
	"net/url"

	"github.com/urfave/cli/v3"
)

const requestCols = "id site=site_id user=user_id kind state expires=expires_at granted_until decided_by"

func accessCommand() *cli.Command {
	siteUser := func(name, usage, method, suffix, msg string, show bool) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, Flags: []cli.Flag{req("site", "site id"), req("user", "partner user id")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				path := "/sites/" + url.PathEscape(cmd.String("site")) + "/partner-access/" + url.PathEscape(cmd.String("user")) + suffix
				out := said(msg)
				if show {
					out = one(requestCols)
				}
				return call(ctx, cmd, method, path, nil, nil, out)
			}}
	}
	return &cli.Command{Name: "access", Usage: "partner access to customer sites (R-PARTNER-1…6)", Commands: []*cli.Command{
		{Name: "request", Usage: "request access for a partner user; immediate on professional sites",
			Flags: []cli.Flag{req("site", "site id"), req("user", "partner user id (agents: yourself)"), str("role", "partner role, when the user holds several")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"user_id": cmd.String("user")}
				setIf(cmd, body, "role", "role")
				return call(ctx, cmd, post, "/sites/"+url.PathEscape(cmd.String("site"))+"/partner-access", nil, body,
					one("request=request.id state=request.state request_expires=request.expires_at assignment=assignment.id access_expires=assignment.expires_at"))
			}},
		{Name: "approve", Usage: "approve a request (customer administrators)", ArgsUsage: "REQUEST-ID",
			Flags: []cli.Flag{str("period", "grant for less than the maximum, e.g. 48h (R-PLUS-1)")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := arg(cmd, 0, "REQUEST-ID")
				if err != nil {
					return err
				}
				body := map[string]any{}
				setIf(cmd, body, "period", "period")
				return call(ctx, cmd, post, "/access-requests/"+url.PathEscape(id)+"/approve", nil, body, one(requestCols))
			}},
		withReason(byID("deny", "deny a request (customer administrators)", post, "/access-requests/", "/deny", one(requestCols))),
		withReason(siteUser("revoke", "end a partner's access at once (customer administrators)", post, "/revoke", "Access revoked; the partner user was told.", false)),
		withReason(siteUser("unassign", "give up access, or withdraw a request (partners: an administrator for any of its people)", del, "", "Access given up; the customer's administrators were told.", false)),
		siteUser("extend", "ask to extend current access; needs approval again", post, "/extend", "", true),
		{Name: "list", Usage: "list access requests", Flags: with(paging(), str("site", "site id"), str("user", "user id"), str("state", "pending, approved, denied, expired or withdrawn")),
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/access-requests", query(cmd, "site=site_id", "user=user_id", "state", "cursor", "limit"), nil, listOf(requestCols))
			}},
	}}
}

func accountantCommand() *cli.Command {
	return &cli.Command{Name: "accountant", Usage: "external accountants (R-ACCT-1, R-ACCT-2)", Commands: []*cli.Command{
		{Name: "find", Usage: "look an accountant up by email", Flags: []cli.Flag{req("email", "the accountant's email")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/accountants", query(cmd, "email"), nil, one(userCols))
			}},
		{Name: "assign", Usage: "assign an accountant to a ready site; an unknown email is invited",
			Flags: []cli.Flag{req("site", "site id"), req("email", "the accountant's email"), str("name", "the accountant's name, for a new one")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"email": cmd.String("email")}
				setIf(cmd, body, "name", "name")
				return call(ctx, cmd, post, "/sites/"+url.PathEscape(cmd.String("site"))+"/accountants", nil, body,
					one("user=user.id email=user.email state=user.state invited assignment=assignment.id"))
			}},
	}}
}

func webhookCommand() *cli.Command {
	return &cli.Command{Name: "webhook", Usage: "an organisation's webhooks (R-PLUS-2)", Commands: []*cli.Command{
		{Name: "create", Usage: "register an endpoint; prints the signing secret once", Flags: []cli.Flag{req("org", "organisation id"), req("url", "https URL")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, post, "/webhooks", nil, map[string]any{"org_id": cmd.String("org"), "url": cmd.String("url")}, one("id url secret"))
			}},
		{Name: "list", Usage: "list an organisation's webhooks", Flags: []cli.Flag{req("org", "organisation id")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/webhooks", query(cmd, "org=org_id"), nil, listOf("id url created=created_at"))
			}},
		byID("delete", "delete a webhook", del, "/webhooks/", "", said("Webhook deleted.")),
		byID("deliveries", "a webhook's delivery log", get, "/webhooks/", "/deliveries",
			listOf("id event state attempts status=last_status error=last_error created=created_at delivered=delivered_at")),
	}}
}
