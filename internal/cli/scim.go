package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/urfave/cli/v3"
)

// scimCommand manages what SCIM clients need (R-APP-1, R-APP-4): tokens,
// the group-to-role mapping, and the site application's link view.
func scimCommand() *cli.Command {
	return &cli.Command{Name: "scim", Usage: "SCIM: your identity provider and your sites' applications (R-APP-1, R-APP-4)", Commands: []*cli.Command{
		{Name: "token", Usage: "SCIM tokens of an organisation's identity provider or of a site's application", Commands: []*cli.Command{
			{Name: "create", Usage: "create a token; prints it once", Flags: []cli.Flag{str("org", "for the organisation's identity provider (R-APP-4)"),
				str("site", "for the site's application (R-APP-1)"), req("name", `who will use it, e.g. "Entra ID"`)},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					path, err := tokenOwner(cmd)
					if err != nil {
						return err
					}
					return call(ctx, cmd, post, path, nil, map[string]any{"name": cmd.String("name")}, shownOnce)
				}},
			{Name: "list", Usage: "list the tokens (never their secrets)", Flags: []cli.Flag{str("org", "organisation id"), str("site", "site id")},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					path, err := tokenOwner(cmd)
					if err != nil {
						return err
					}
					return call(ctx, cmd, get, path, nil, nil, listOf("id name created=created_at used=last_used_at revoked=revoked_at"))
				}},
			byID("rotate", "give a token a new secret; the old one stops at once", post, "/scim-tokens/", "/rotate", shownOnce),
			byID("revoke", "revoke a token", del, "/scim-tokens/", "", said("Token %s revoked; its client can no longer call.", "name")),
		}},
		{Name: "group-roles", Usage: "show or set which identity-provider groups give which role", ArgsUsage: "ORG-ID",
			Flags: []cli.Flag{&cli.StringSliceFlag{Name: "map", Usage: `GROUP=ROLE, e.g. "IT admins=customer_admin" (repeat; replaces the mapping)`},
				&cli.BoolFlag{Name: "clear", Usage: "remove the mapping: roles are then set in the portal"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "org", "ORG-ID")
				if err != nil {
					return err
				}
				path := "/orgs/" + url.PathEscape(id) + "/group-roles"
				show := listOf("group role")
				wrap := func(w io.Writer, v any) {
					if m, ok := v.(map[string]any); ok {
						show(w, map[string]any{"items": m["mappings"]})
					}
				}
				if !cmd.IsSet("map") && !cmd.Bool("clear") {
					return call(ctx, cmd, get, path, nil, nil, wrap)
				}
				mappings := []map[string]string{}
				for _, m := range cmd.StringSlice("map") {
					group, role, ok := strings.Cut(m, "=")
					if !ok || strings.TrimSpace(group) == "" || strings.TrimSpace(role) == "" {
						return fmt.Errorf("--map %q: write GROUP=ROLE, e.g. \"IT admins=customer_admin\"", m)
					}
					mappings = append(mappings, map[string]string{"group": strings.TrimSpace(group), "role": strings.TrimSpace(role)})
				}
				return call(ctx, cmd, put, path, nil, map[string]any{"mappings": mappings}, wrap)
			}},
		{Name: "links", Usage: "a site's users as its application sees them: new, linked or unlinked", ArgsUsage: "SITE-ID",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				id, err := idArg(ctx, cmd, "site", "SITE-ID")
				if err != nil {
					return err
				}
				show := listOf("name email link account=external_id active role via expires=expires_at left=left_at signed_in=last_sign_in_at")
				return call(ctx, cmd, get, "/sites/"+url.PathEscape(id)+"/app-links", nil, nil, func(w io.Writer, v any) {
					if at := cell(lookup(v, "last_read_at")); at != "" {
						fmt.Fprintf(w, "The application last read the list at %s.\n", at)
					} else {
						fmt.Fprintln(w, "The application has not read the list yet.")
					}
					show(w, v)
				})
			}},
	}}
}

// tokenOwner is the API path of the tokens of --org or --site.
func tokenOwner(cmd *cli.Command) (string, error) {
	org, site := cmd.String("org"), cmd.String("site")
	switch {
	case org != "" && site != "":
		return "", errors.New("give --org or --site, not both")
	case org != "":
		return "/orgs/" + url.PathEscape(org) + "/scim-tokens", nil
	case site != "":
		return "/sites/" + url.PathEscape(site) + "/scim-tokens", nil
	}
	return "", errors.New("say whose token: --org ID for the organisation's identity provider, or --site ID for the site's application")
}

// shownOnce prints a new token with a warning that it is not shown again.
func shownOnce(w io.Writer, v any) {
	record(w, v, cols("id name token"))
	fmt.Fprintln(w, "Copy the token now: it is not shown again. The SCIM client sends it as Authorization: Bearer to /scim/v2.")
}
