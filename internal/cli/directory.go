package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/urfave/cli/v3"
)

// directoryCommand sets, shows and tests a site's LDAP directory (R-APP-3).
func directoryCommand() *cli.Command {
	const show = "url kind start_tls bind_dn base_dn login=login_attribute updated=updated_at"
	return &cli.Command{Name: "directory", Usage: "a professional site's LDAP directory, where everyone let in gets an account (R-APP-3; operators)",
		Commands: []*cli.Command{
			{Name: "set", Usage: "set or change the directory; the bind password comes from PROVISIO_DIRECTORY_BIND_PASSWORD or --ask-bind-password (left out: the one set is kept)",
				ArgsUsage: "SITE-ID",
				Flags: []cli.Flag{req("url", "ldaps://host[:port], or ldap://host[:port] with --start-tls"), req("bind-dn", "the account Provisio manages entries with"),
					req("base-dn", "where accounts are created, e.g. ou=people,dc=acme,dc=example"),
					&cli.StringFlag{Name: "kind", Value: "openldap", Usage: "openldap or ad (Active Directory)"},
					&cli.BoolFlag{Name: "start-tls", Usage: "upgrade an ldap:// connection with StartTLS"},
					str("ca-file", "a PEM file of certificates to trust besides the system's"),
					str("login-attribute", "the accounts' naming attribute (default uid, or sAMAccountName for AD)"),
					&cli.BoolFlag{Name: "ask-bind-password", Usage: "ask for the bind password (or read it from standard input)"}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					id, err := idArg(ctx, cmd, "site", "SITE-ID")
					if err != nil {
						return err
					}
					body := map[string]any{"url": cmd.String("url"), "bind_dn": cmd.String("bind-dn"), "base_dn": cmd.String("base-dn"),
						"kind": cmd.String("kind"), "start_tls": cmd.Bool("start-tls")}
					setIf(cmd, body, "login-attribute", "login_attribute")
					if f := cmd.String("ca-file"); f != "" {
						pem, err := os.ReadFile(f)
						if err != nil {
							return fmt.Errorf("--ca-file: %w", err)
						}
						body["ca_pem"] = string(pem)
					}
					if pw := os.Getenv("PROVISIO_DIRECTORY_BIND_PASSWORD"); pw != "" {
						body["bind_password"] = pw
					} else if cmd.Bool("ask-bind-password") {
						pw, err := promptSecret(cmd, "Bind password: ")
						if err != nil {
							return err
						}
						body["bind_password"] = pw
					}
					return call(ctx, cmd, put, "/sites/"+url.PathEscape(id)+"/directory", nil, body, one(show))
				}},
			byID("show", "the directory's settings (never the bind password)", get, "/sites/", "/directory", one(show)),
			byID("test", "connect with the settings and say how it went", post, "/sites/", "/directory/test",
				func(w io.Writer, v any) {
					if lookup(v, "ok") == true {
						fmt.Fprintln(w, "OK:", cell(lookup(v, "message")))
						return
					}
					fmt.Fprintln(w, "Failed:", cell(lookup(v, "message")))
				}),
		}}
}

// accountsCommand lists your directory accounts and shows a one-time
// password, once.
func accountsCommand() *cli.Command {
	return &cli.Command{Name: "accounts", Usage: "your accounts in sites' directories (R-APP-3)",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return call(ctx, cmd, get, "/me/directory-accounts", nil, nil,
				listOf("site=site_name login=user_email state password_to_show dn"))
		},
		Commands: []*cli.Command{
			{Name: "password", Usage: "show the one-time password of your account in a site's directory; it is shown once, and must be changed at first use",
				ArgsUsage: "SITE-ID",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					id, err := idArg(ctx, cmd, "site", "SITE-ID")
					if err != nil {
						return err
					}
					return call(ctx, cmd, post, "/me/directory-accounts/"+url.PathEscape(id)+"/password", nil, nil,
						said("Site %s, login %s, one-time password: %s\nIt is shown this once; the directory asks you to change it when you first sign in.",
							"site_name", "login", "password"))
				}},
		}}
}
