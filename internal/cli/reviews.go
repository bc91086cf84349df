package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/urfave/cli/v3"
)

// reviewCommand reads and decides user reviews (R-AUDIT-3).
func reviewCommand() *cli.Command {
	const reviewCols = "review=id campaign=campaign_name organisation=org_name state due=due_at users decided"
	return &cli.Command{Name: "review", Usage: "user reviews: confirm or remove each user of your organisation (R-AUDIT-3)", Commands: []*cli.Command{
		{Name: "list", Usage: "your organisation's reviews (operators: every one)",
			Flags: []cli.Flag{str("state", "open, completed, escalated (overdue) or auto_closed")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/reviews", query(cmd, "state"), nil, listOf(reviewCols))
			}},
		{Name: "show", Usage: "a review with every user: roles, sites, last sign-in, findings and decision", ArgsUsage: "REVIEW-ID",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := arg(cmd, 0, "REVIEW-ID")
				if err != nil {
					return err
				}
				return call(ctx, cmd, get, "/reviews/"+url.PathEscape(id), nil, nil, func(w io.Writer, v any) {
					record(w, lookup(v, "review"), cols(reviewCols))
					fmt.Fprintln(w)
					users, _ := lookup(v, "users").([]any)
					for _, u := range users {
						m := u.(map[string]any)
						var sites []string
						for _, s := range m["sites"].([]any) {
							sites = append(sites, cell(lookup(s, "site_name")))
						}
						m["site_names"] = strings.Join(sites, ", ")
						m["findings_n"] = len(m["findings"].([]any))
					}
					table(w, users, cols("user=user_id name email state last_sign_in=last_active_at sites=site_names findings=findings_n decision=decision.decision by=decision.decided_by"))
				})
			}},
		{Name: "decide", Usage: "confirm, lock or take users off sites; --confirm-rest confirms everyone not yet decided", ArgsUsage: "REVIEW-ID",
			Flags: []cli.Flag{
				&cli.StringSliceFlag{Name: "confirm", Usage: "a user id to confirm (repeatable)"},
				&cli.StringSliceFlag{Name: "lock", Usage: "a user id to lock (repeatable)"},
				&cli.StringSliceFlag{Name: "unassign", Usage: "USER-ID to take off every site, or USER-ID:SITE-ID for one (repeatable)"},
				str("comment", "why, for every decision given here"),
				&cli.BoolFlag{Name: "confirm-rest", Usage: "confirm every user not decided yet (confirm all unchanged)"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := arg(cmd, 0, "REVIEW-ID")
				if err != nil {
					return err
				}
				comment := cmd.String("comment")
				var ds []map[string]any
				for _, u := range cmd.StringSlice("confirm") {
					ds = append(ds, map[string]any{"user_id": u, "decision": "confirm", "comment": comment})
				}
				for _, u := range cmd.StringSlice("lock") {
					ds = append(ds, map[string]any{"user_id": u, "decision": "lock", "comment": comment})
				}
				bySite := map[string][]string{}
				var order []string
				for _, x := range cmd.StringSlice("unassign") {
					u, site, _ := strings.Cut(x, ":")
					if _, ok := bySite[u]; !ok {
						order = append(order, u)
						bySite[u] = []string{}
					}
					if site != "" {
						bySite[u] = append(bySite[u], site)
					}
				}
				for _, u := range order {
					ds = append(ds, map[string]any{"user_id": u, "decision": "unassign", "site_ids": bySite[u], "comment": comment})
				}
				if len(ds) == 0 && !cmd.Bool("confirm-rest") {
					return fmt.Errorf("give decisions (--confirm, --lock, --unassign) or --confirm-rest")
				}
				return call(ctx, cmd, post, "/reviews/"+url.PathEscape(id)+"/decisions", nil,
					map[string]any{"decisions": ds, "confirm_rest": cmd.Bool("confirm-rest")},
					said("Review of %s: %s, %s of %s users decided.", "org_name", "state", "decided", "users"))
			}},
	}}
}

// campaignCommand opens, lists and exports review campaigns.
func campaignCommand() *cli.Command {
	const campaignCols = "campaign=id name scheduled=scheduled_for opened=opened_at due=due_at"
	return &cli.Command{Name: "campaign", Usage: "review campaigns (R-AUDIT-3)", Commands: []*cli.Command{
		{Name: "list", Usage: "the latest campaigns you have a part in",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/campaigns", nil, nil, listOf(campaignCols))
			}},
		{Name: "open", Usage: "open a campaign now (operators): for the organisations given, or every partner and customer",
			Flags: []cli.Flag{str("name", "its name (default: User review, <today>)"),
				&cli.StringSliceFlag{Name: "org", Usage: "an organisation id to review (repeatable); none: all"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"org_ids": cmd.StringSlice("org")}
				setIf(cmd, body, "name", "name")
				return call(ctx, cmd, post, "/campaigns", nil, body, said("Opened %s (%s), due %s.", "name", "id", "due_at"))
			}},
		{Name: "export", Usage: "a campaign's evidence for an auditor: who reviewed, when, each decision", ArgsUsage: "CAMPAIGN-ID",
			Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "csv", Usage: "csv or json"},
				str("output", "write to this file (default: standard output)")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := arg(cmd, 0, "CAMPAIGN-ID")
				if err != nil {
					return err
				}
				out := cmd.String("output")
				if out == "" {
					out = "-"
				}
				return download(ctx, cmd, "/campaigns/"+url.PathEscape(id)+"/export", url.Values{"format": {cmd.String("format")}}, out)
			}},
	}}
}
