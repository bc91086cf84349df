package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v3"
	"golang.org/x/term"
)

func promptSecret(cmd *cli.Command, prompt string) (string, error) {
	in := cmd.Root().Reader
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(cmd.Root().ErrWriter, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cmd.Root().ErrWriter)
		return string(b), err
	}
	line, err := lines(in).ReadString('\n')
	if line = strings.TrimRight(line, "\r\n"); line != "" {
		return line, nil
	}
	return "", fmt.Errorf("no password given on standard input: %w", err)
}

var readers sync.Map // io.Reader → *bufio.Reader

// lines returns the one buffered reader of in, so that answers given on
// standard input reach each prompt in turn.
func lines(in io.Reader) *bufio.Reader {
	if r, ok := readers.Load(in); ok {
		return r.(*bufio.Reader)
	}
	r, _ := readers.LoadOrStore(in, bufio.NewReader(in))
	return r.(*bufio.Reader)
}

func authCommands() []*cli.Command {
	return []*cli.Command{
		{
			Name:  "login",
			Usage: "sign in with email and password and remember an API token",
			Description: "The password is read from a prompt, from standard input when it is not a terminal, " +
				"or from PROVISIO_PASSWORD. The server and token are saved to " + ConfigPath() + " (or $PROVISIO_CONFIG).",
			Flags: []cli.Flag{req("email", "your email address"),
				&cli.StringFlag{Name: "name", Usage: "label for the token", Value: "cli"},
				str("code", "authenticator or recovery code (asked for when needed)")},
			Action: login,
		},
		{
			Name:  "mfa",
			Usage: "multi-factor sign-in (R-PLUS-3)",
			Commands: []*cli.Command{{
				Name:   "enrol",
				Usage:  "enrol an authenticator app: shows its secret, asks for a first code, prints recovery codes",
				Flags:  []cli.Flag{req("email", "your email address")},
				Action: enrolMFA,
			}},
		},
		{
			Name:  "session",
			Usage: "your signed-in sessions",
			Commands: []*cli.Command{
				{Name: "list", Usage: "list your sessions", Action: func(ctx context.Context, cmd *cli.Command) error {
					return call(ctx, cmd, http.MethodGet, "/sessions", nil, nil, listOf("id via mfa remote=remote_addr agent=user_agent last_seen=last_seen_at expires=expires_at"))
				}},
				byID("revoke", "end one of your sessions", http.MethodDelete, "/sessions/", "", said("Session ended.")),
			},
		},
		{
			Name:  "password",
			Usage: "password resets",
			Commands: []*cli.Command{
				{Name: "forgot", Usage: "email yourself a reset link", Flags: []cli.Flag{req("email", "your email address")},
					Action: func(ctx context.Context, cmd *cli.Command) error {
						return call(ctx, cmd, http.MethodPost, "/password-resets", nil, map[string]string{"email": cmd.String("email")},
							said("If an account has this address, a reset link is on its way."))
					}},
				{Name: "reset", Usage: "set a new password from a reset link", ArgsUsage: "LINK-OR-TOKEN",
					Action: func(ctx context.Context, cmd *cli.Command) error {
						link, err := arg(cmd, 0, "LINK-OR-TOKEN")
						if err != nil {
							return err
						}
						pw, err := readSecret(cmd, "New password: ")
						if err != nil {
							return err
						}
						return call(ctx, cmd, http.MethodPost, "/password-resets/confirm", nil,
							map[string]string{"token": tokenFrom(link), "password": pw}, said("Password changed; every session was signed out."))
					}},
			},
		},
		{
			Name:  "logout",
			Usage: "revoke the remembered token and forget it",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				path := ConfigPath()
				c, err := LoadConfig(path)
				if err != nil {
					return err
				}
				if c.TokenID != "" && c.Token != "" {
					cl := &Client{Server: c.Server, Token: c.Token}
					if _, err := cl.Do(ctx, http.MethodDelete, "/tokens/"+c.TokenID, nil, nil, nil); err != nil {
						fmt.Fprintln(cmd.Root().ErrWriter, "warning: could not revoke the token:", err)
					}
				}
				c.Token, c.TokenID = "", ""
				if err := SaveConfig(path, c); err != nil {
					return err
				}
				fmt.Fprintln(cmd.Root().Writer, "Logged out.")
				return nil
			},
		},
		{
			Name:  "whoami",
			Usage: "show the signed-in user",
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return call(ctx, cmd, http.MethodGet, "/me", nil, nil,
					one("id=user.id email=user.email name=user.name roles=user.roles org=org.name org_id=org.id kind=org.kind"))
			},
		},
		{
			Name:  "token",
			Usage: "your personal API tokens",
			Commands: []*cli.Command{
				{Name: "list", Usage: "list your tokens", Action: func(ctx context.Context, cmd *cli.Command) error {
					return call(ctx, cmd, http.MethodGet, "/tokens", nil, nil, listOf("id name created=created_at last_used=last_used_at revoked=revoked_at"))
				}},
				byID("revoke", "revoke a token", http.MethodDelete, "/tokens/", "", said("Token revoked.")),
			},
		},
		{
			Name:  "invitation",
			Usage: "invitations to register",
			Commands: []*cli.Command{{
				Name: "accept", Usage: "register from an invitation link by setting a password (R-USER-4)",
				ArgsUsage: "LINK-OR-TOKEN",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					link, err := arg(cmd, 0, "LINK-OR-TOKEN")
					if err != nil {
						return err
					}
					if cmd.String("server") == "" && strings.Contains(link, "/invitations/") {
						_ = cmd.Set("server", link[:strings.Index(link, "/invitations/")])
					}
					pw, err := readSecret(cmd, "New password: ")
					if err != nil {
						return err
					}
					body := map[string]string{"token": tokenFrom(link), "password": pw}
					return call(ctx, cmd, http.MethodPost, "/invitations/accept", nil, body,
						said("Registered %s (%s). Now run: provisio login --server URL --email %s", "email", "state", "email"))
				},
			}},
		},
		{
			Name:  "email",
			Usage: "email address changes",
			Commands: []*cli.Command{{
				Name: "confirm", Usage: "confirm a new email address from its link (R-USER-6)", ArgsUsage: "LINK-OR-TOKEN",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					link, err := arg(cmd, 0, "LINK-OR-TOKEN")
					if err != nil {
						return err
					}
					return call(ctx, cmd, http.MethodPost, "/email-changes/confirm", nil,
						map[string]string{"token": tokenFrom(link)}, said("Email is now %s.", "email"))
				},
			}},
		},
	}
}

func login(ctx context.Context, cmd *cli.Command) error {
	path := ConfigPath()
	c, err := LoadConfig(path)
	if err != nil {
		return err
	}
	if v := cmd.String("server"); v != "" {
		c.Server = strings.TrimRight(v, "/")
	}
	if c.Server == "" {
		return fmt.Errorf("give the server: provisio login --server http://localhost:8080 --email %s", cmd.String("email"))
	}
	pw, err := readSecret(cmd, "Password: ")
	if err != nil {
		return err
	}
	var tok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	cl := &Client{Server: c.Server}
	body := map[string]string{"email": cmd.String("email"), "password": pw, "name": cmd.String("name"), "code": cmd.String("code")}
	_, err = cl.Do(ctx, http.MethodPost, "/tokens", nil, body, &tok)
	var p *Problem
	if errors.As(err, &p) && p.Code == "mfa_required" && body["code"] == "" {
		if body["code"], err = promptLine(cmd, "Authenticator code: "); err != nil {
			return err
		}
		_, err = cl.Do(ctx, http.MethodPost, "/tokens", nil, body, &tok)
	}
	if err != nil {
		return err
	}
	c.Token, c.TokenID, c.Email = tok.Token, tok.ID, cmd.String("email")
	if err := SaveConfig(path, c); err != nil {
		return err
	}
	fmt.Fprintf(cmd.Root().Writer, "Logged in to %s as %s (token %s saved in %s).\n", c.Server, c.Email, tok.ID, path)
	return nil
}

// promptLine asks for one line on the terminal (or reads it from stdin).
func promptLine(cmd *cli.Command, prompt string) (string, error) {
	fmt.Fprint(cmd.Root().ErrWriter, prompt)
	line, err := lines(cmd.Root().Reader).ReadString('\n')
	if line = strings.TrimSpace(line); line != "" {
		return line, nil
	}
	return "", fmt.Errorf("no answer given: %w", err)
}

// enrolMFA signs in with the password (a session restricted to enrolment
// when MFA is required), starts a TOTP enrolment, asks for a first code
// and prints the recovery codes.
func enrolMFA(ctx context.Context, cmd *cli.Command) error {
	s, err := open(cmd)
	if err != nil {
		return err
	}
	pw, err := readSecret(cmd, "Password: ")
	if err != nil {
		return err
	}
	var signed struct {
		Token string `json:"token"`
	}
	if _, err := s.client.Do(ctx, http.MethodPost, "/session", nil, map[string]string{"email": cmd.String("email"), "password": pw}, &signed); err != nil {
		return err
	}
	cl := &Client{Server: s.client.Server, Token: signed.Token}
	defer func() { _, _ = cl.Do(context.WithoutCancel(ctx), http.MethodDelete, "/session", nil, nil, nil) }()
	var enr struct {
		Secret string `json:"secret"`
		URL    string `json:"url"`
	}
	if _, err := cl.Do(ctx, http.MethodPost, "/mfa/totp", nil, nil, &enr); err != nil {
		return err
	}
	out := cmd.Root().Writer
	fmt.Fprintf(out, "Add this account to your authenticator app:\n  secret: %s\n  or open: %s\n", enr.Secret, enr.URL)
	code, err := promptLine(cmd, "First code from the app: ")
	if err != nil {
		return err
	}
	var rec struct {
		Codes []string `json:"recovery_codes"`
	}
	if _, err := cl.Do(ctx, http.MethodPost, "/mfa/totp/confirm", nil, map[string]string{"code": code}, &rec); err != nil {
		return err
	}
	fmt.Fprintf(out, "Enrolled. Keep these recovery codes somewhere safe; each works once:\n  %s\n", strings.Join(rec.Codes, "\n  "))
	return nil
}
