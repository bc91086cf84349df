package cli

import (
	"bytes"
	"encoding/csv"
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

// csvOut is standard output when --output csv: tables and records are
// written as CSV.
type csvOut struct{ io.Writer }

// table writes rows as aligned columns, or as CSV with --output csv.
func table(w io.Writer, rows []any, cs []column) {
	if c, ok := w.(csvOut); ok {
		cw := csv.NewWriter(c.Writer)
		hs := make([]string, len(cs))
		for i, col := range cs {
			hs[i] = strings.ToLower(col.header)
		}
		_ = cw.Write(hs)
		for _, r := range rows {
			vs := make([]string, len(cs))
			for i, col := range cs {
				vs[i] = csvCell(lookup(r, col.path))
			}
			_ = cw.Write(vs)
		}
		cw.Flush()
		return
	}
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

// record writes one object as "key: value" lines, or as a header and one
// CSV row with --output csv.
func record(w io.Writer, v any, cs []column) {
	if _, ok := w.(csvOut); ok {
		table(w, []any{v}, cs)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range cs {
		fmt.Fprintf(tw, "%s:\t%s\n", strings.ToLower(c.header), cell(lookup(v, c.path)))
	}
	tw.Flush()
}

// csvCell is a cell's value for CSV: empty for none, times as RFC 3339.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return cell(v)
}

func prettyJSON(raw []byte) []byte {
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return raw
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
