package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/urfave/cli/v3"
)

// Wherever the CLI takes the id of a site, an organisation or a user, it
// also takes a site's or organisation's name or a user's email, and asks
// the server which id that is. A name that matches several is an error
// that lists them.

// kindOfPath is what a byID command's path names.
var kindOfPath = map[string]string{"/sites/": "site", "/orgs/": "org", "/users/": "user"}

// idPrefix is how each kind's ids start.
var idPrefix = map[string]string{"site": "site_", "org": "org_", "user": "usr_"}

// idFlags are the flags that take such an id, and what they name.
var idFlags = map[string]string{"site": "site", "customer": "org", "org": "org", "partner": "org", "user": "user"}

// idArg is the n-th argument as an id: a name or an email is looked up.
func idArg(ctx context.Context, cmd *cli.Command, kind, name string) (string, error) {
	v, err := arg(cmd, 0, name)
	if err != nil {
		return "", err
	}
	return resolve(ctx, cmd, kind, v)
}

// resolveFlags replaces names in the command's id flags by their ids.
func resolveFlags(ctx context.Context, cmd *cli.Command) error {
	for flag, kind := range idFlags {
		if !cmd.IsSet(flag) {
			continue
		}
		id, err := resolve(ctx, cmd, kind, cmd.String(flag))
		if err != nil {
			return fmt.Errorf("--%s: %w", flag, err)
		}
		if err := cmd.Set(flag, id); err != nil {
			return err
		}
	}
	return nil
}

// resolve returns the id v names: v itself when it is an id of kind.
func resolve(ctx context.Context, cmd *cli.Command, kind, v string) (string, error) {
	prefix, ok := idPrefix[kind]
	if !ok || v == "" || strings.HasPrefix(v, prefix) {
		return v, nil
	}
	s, err := open(cmd)
	if err != nil {
		return "", err
	}
	path, q := "/"+kind+"s", url.Values{"limit": {"200"}}
	if kind == "user" {
		path = "/users"
		q.Set("q", v)
	}
	var matches []string
	var first string
	for {
		var page struct {
			Items []struct {
				ID, Name, Email string
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		if _, err := s.client.Do(ctx, get, path, q, nil, &page); err != nil {
			return "", err
		}
		for _, it := range page.Items {
			if strings.EqualFold(it.Name, v) || kind == "user" && strings.EqualFold(it.Email, v) {
				label := it.Name
				if it.Email != "" {
					label += " <" + it.Email + ">"
				}
				matches = append(matches, label+" ("+it.ID+")")
				if first == "" {
					first = it.ID
				}
			}
		}
		if page.Next == "" {
			break
		}
		q.Set("cursor", page.Next)
	}
	what := map[string]string{"site": "site", "org": "organisation", "user": "user"}[kind]
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("no %s you can see is called %q; give its id, its exact name%s", what, v,
			map[bool]string{true: " or email", false: ""}[kind == "user"])
	case 1:
		return first, nil
	}
	return "", fmt.Errorf("%q names %d %ss: %s; give the id", v, len(matches), what, strings.Join(matches, ", "))
}
