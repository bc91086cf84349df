package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"

	"github.com/urfave/cli/v3"
)

// complianceCommand shows the compliance report (R-AUDIT-2).
func complianceCommand() *cli.Command {
	return &cli.Command{Name: "compliance", Usage: "what breaks the rules now: the compliance report (R-AUDIT-2)",
		Flags: []cli.Flag{str("org", "one organisation (a partner: with its customers); default: everything you may audit"),
			str("csv", "write the report as CSV to this file (- for standard output)")},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			q := url.Values{}
			if org := cmd.String("org"); org != "" {
				q.Set("org_id", org)
			}
			if file := cmd.String("csv"); file != "" {
				return download(ctx, cmd, "/compliance/export", q, file)
			}
			return call(ctx, cmd, get, "/compliance", q, nil, func(w io.Writer, v any) {
				byKind, _ := lookup(v, "by_kind").(map[string]any)
				if len(byKind) == 0 {
					fmt.Fprintln(w, "Nothing breaks the rules.")
					return
				}
				kinds := make([]string, 0, len(byKind))
				for k := range byKind {
					kinds = append(kinds, k)
				}
				sort.Strings(kinds)
				for _, k := range kinds {
					fmt.Fprintf(w, "%-28s %v\n", k, byKind[k])
				}
				fmt.Fprintln(w)
				findings, _ := lookup(v, "findings").([]any)
				table(w, findings, cols("rule organisation=org_name user=user_name email=user_email site=site_name since detail fix"))
			})
		}}
}

// download saves a file the API answers (a CSV export) to file, or writes
// it to standard output for "-".
func download(ctx context.Context, cmd *cli.Command, path string, q url.Values, file string) error {
	s, err := open(cmd)
	if err != nil {
		return err
	}
	raw, err := s.client.Do(ctx, get, path, q, nil, nil)
	if err != nil {
		return err
	}
	if file == "-" {
		_, err = s.out.Write(raw)
		return err
	}
	return os.WriteFile(file, raw, 0o600)
}
