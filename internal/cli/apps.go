package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/urfave/cli/v3"
)

// appCommand registers the applications of a site that sign people in
// through Provisio's OpenID provider (R-APP-2).
func appCommand() *cli.Command {
	return &cli.Command{Name: "app", Usage: "a site's applications that sign people in through Provisio (R-APP-2)", Commands: []*cli.Command{
		{Name: "create", Usage: "register an application; prints its client id and, once, its secret",
			Flags: []cli.Flag{req("site", "site id"), req("name", `e.g. "acme-prod web portal"`),
				&cli.StringSliceFlag{Name: "redirect-uri", Usage: "where the application receives sign-ins (repeat; exact https URLs, http on localhost)", Required: true},
				&cli.StringSliceFlag{Name: "post-logout-uri", Usage: "where it may send people after signing out (repeat)"},
				&cli.BoolFlag{Name: "public", Usage: "a desktop or single-page application: no secret, PKCE required"}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				body := map[string]any{"name": cmd.String("name"), "public": cmd.Bool("public"),
					"redirect_uris": cmd.StringSlice("redirect-uri"), "post_logout_uris": cmd.StringSlice("post-logout-uri")}
				return call(ctx, cmd, post, "/sites/"+url.PathEscape(cmd.String("site"))+"/apps", nil, body, appShown)
			}},
		{Name: "list", Usage: "list a site's applications", Flags: []cli.Flag{req("site", "site id")},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, get, "/sites/"+url.PathEscape(cmd.String("site"))+"/apps", nil, nil,
					listOf("client_id name public redirect_uris created=created_at"))
			}},
		byID("rotate-secret", "give a confidential application a new secret; the old one stops at once", post, "/apps/", "/rotate-secret", appShown),
		byID("delete", "remove an application; its tokens stop working", del, "/apps/", "", said("Application removed.")),
	}}
}

// appShown prints an application with its settings for the client, and
// its secret with a warning that it is not shown again.
func appShown(w io.Writer, v any) {
	record(w, v, cols("client_id name public issuer redirect_uris client_secret"))
	if cell(lookup(v, "client_secret")) != "" {
		fmt.Fprintln(w, "Copy the secret now: it is not shown again.")
	}
	fmt.Fprintf(w, "The application discovers the provider at %s/.well-known/openid-configuration.\n", cell(lookup(v, "issuer")))
}
