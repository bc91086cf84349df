package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// column is one column of a table: a header and the JSON key path of the
// value ("user.email").
type column struct {
	header, path string
}

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		h, p, ok := strings.Cut(f, "=")
		if !ok {
			p = h
		}
		out = append(out, column{header: strings.ToUpper(h), path: p})
	}
	return out
}

// lookup follows a dotted key path through decoded JSON.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil && len(x) > 18 {
			return t.UTC().Format("2006-01-02 15:04")
		}
		if x == "" {
			return "-"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", x), "0"), ".")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cell(e)
		}
		if len(parts) == 0 {
			return "-"
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// table writes rows as aligned columns.
func table(w io.Writer, rows []any, cs []column) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	hs := make([]string, len(cs))
	for i, c := range cs {
		hs[i] = c.header
	}
	fmt.Fprintln(tw, strings.Join(hs, "\t"))
	for _, r := range rows {
		vs := make([]string, len(cs))
		for i, c := range cs {
			vs[i] = cell(lookup(r, c.path))
		}
		fmt.Fprintln(tw, strings.Join(vs, "\t"))
	}
	tw.Flush()
}

// record writes one object as "key: value" lines.
func record(w io.Writer, v any, cs []column) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range cs {
		fmt.Fprintf(tw, "%s:\t%s\n", strings.ToLower(c.header), cell(lookup(v, c.path)))
	}
	tw.Flush()
}

func prettyJSON(raw []byte) []byte {
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return raw
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
