package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/urfave/cli/v3"
)

// GlobalFlags are the flags every API command understands.
func GlobalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "json", Usage: "print the API's JSON instead of a table (the same as --output json)"},
		&cli.StringFlag{Name: "output", Value: "table", Usage: "table, json or csv",
			Validator: func(v string) error {
				if v != "table" && v != "json" && v != "csv" {
					return fmt.Errorf("--output is table, json or csv, not %q", v)
				}
				return nil
			}},
		&cli.StringFlag{Name: "server", Usage: "Provisio server URL (default: the one you logged in to)", Sources: cli.EnvVars("PROVISIO_SERVER")},
		&cli.StringFlag{Name: "token", Usage: "API token (default: the one from login)", Sources: cli.EnvVars("PROVISIO_TOKEN")},
	}
}

// session is what an API command runs with.
type session struct {
	cmd    *cli.Command
	client *Client
	out    io.Writer
}

func open(cmd *cli.Command) (*session, error) {
	c, err := LoadConfig(ConfigPath())
	if err != nil {
		return nil, err
	}
	if v := cmd.String("server"); v != "" {
		c.Server = v
	}
	if v := cmd.String("token"); v != "" {
		c.Token = v
	}
	return &session{cmd: cmd, client: &Client{Server: c.Server, Token: c.Token}, out: cmd.Root().Writer}, nil
}

// call sends one request and prints the answer: the raw JSON with --json,
// else what show makes of it.
func call(ctx context.Context, cmd *cli.Command, method, path string, q url.Values, body any, show func(io.Writer, any)) error {
	s, err := open(cmd)
	if err != nil {
		return err
	}
	if cmd.Metadata["reasonQuery"] == true && cmd.IsSet("reason") { // a consequential action's reason (withReason)
		if q == nil {
			q = url.Values{}
		}
		q.Set("reason", cmd.String("reason"))
	}
	var v any
	raw, err := s.client.Do(ctx, method, path, q, body, &v)
	if err != nil {
		return err
	}
	if cmd.Bool("json") || cmd.String("output") == "json" {
		if len(raw) == 0 {
			raw = []byte("{}")
		}
		_, err = s.out.Write(prettyJSON(raw))
		return err
	}
	if show != nil {
		out := s.out
		if cmd.String("output") == "csv" {
			out = csvOut{out}
		}
		show(out, v)
	}
	return nil
}

// listOf shows the items of a page as a table, and how to get the next.
func listOf(spec string) func(io.Writer, any) {
	return func(w io.Writer, v any) {
		items, _ := lookup(v, "items").([]any)
		table(w, items, cols(spec))
		if next, _ := lookup(v, "next_cursor").(string); next != "" {
			fmt.Fprintf(w, "(more: repeat with --cursor %s)\n", next)
		}
	}
}

// one shows a single object as key: value lines.
func one(spec string) func(io.Writer, any) {
	return func(w io.Writer, v any) { record(w, v, cols(spec)) }
}

func said(format string, keys ...string) func(io.Writer, any) {
	return func(w io.Writer, v any) {
		args := make([]any, len(keys))
		for i, k := range keys {
			args[i] = cell(lookup(v, k))
		}
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// arg returns the n-th positional argument or fails with the usage.
func arg(cmd *cli.Command, n int, name string) (string, error) {
	if v := cmd.Args().Get(n); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("missing %s: usage: %s %s", name, cmd.FullName(), cmd.ArgsUsage)
}

// query builds query parameters from the named string/int flags that are set.
func query(cmd *cli.Command, flags ...string) url.Values {
	q := url.Values{}
	for _, f := range flags {
		name, key, ok := strings.Cut(f, "=")
		if !ok {
			key = strings.ReplaceAll(name, "-", "_")
		}
		if cmd.IsSet(name) {
			q.Set(key, fmt.Sprint(cmd.Value(name)))
		}
	}
	return q
}

func str(name, usage string) cli.Flag { return &cli.StringFlag{Name: name, Usage: usage} }

func req(name, usage string) cli.Flag {
	return &cli.StringFlag{Name: name, Usage: usage, Required: true}
}

func paging() []cli.Flag {
	return []cli.Flag{&cli.StringFlag{Name: "cursor", Usage: "continue after this cursor"},
		&cli.IntFlag{Name: "limit", Usage: "page size (1-200)"}}
}

func with(fs []cli.Flag, more ...cli.Flag) []cli.Flag { return append(more, fs...) }

// withReason gives a consequential command a --reason, which goes in the
// activity log and in the notice to whoever is told.
func withReason(c *cli.Command) *cli.Command {
	c.Flags = append(c.Flags, str("reason", "why, in a few words: it goes in the activity log and the notice"))
	c.Metadata = map[string]any{"reasonQuery": true}
	return c
}

// byID is a command that takes one id and sends method to path+id+suffix.
// For a site, an organisation or a user the id may be a name (or an
// email).
func byID(name, usage, method, prefix, suffix string, show func(io.Writer, any)) *cli.Command {
	return &cli.Command{Name: name, Usage: usage, ArgsUsage: "ID",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			id, err := idArg(ctx, cmd, kindOfPath[prefix], "ID")
			if err != nil {
				return err
			}
			return call(ctx, cmd, method, prefix+url.PathEscape(id)+suffix, nil, nil, show)
		}}
}

// readSecret reads a password: from stdin when it is not a terminal or
// --password-stdin is given, else from a prompt without echo.
func readSecret(cmd *cli.Command, prompt string) (string, error) {
	if v := os.Getenv("PROVISIO_PASSWORD"); v != "" {
		return v, nil
	}
	return promptSecret(cmd, prompt)
}

func tokenFrom(linkOrToken string) string {
	s := strings.TrimRight(strings.TrimSpace(linkOrToken), "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
