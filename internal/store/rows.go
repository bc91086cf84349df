package store

import (
	"context"
	"strconv"
	"strings"
)

// rowsPerInsert bounds the rows of one multi-row INSERT, far under either
// database's limit on parameters.
const rowsPerInsert = 200

// insertRows runs insert (an "INSERT … VALUES " without its rows, then
// suffix) for n rows of cols values each, row(i) giving the values of row
// i. On
// PostgreSQL the rows go in a few multi-row statements, to save round
// trips; on SQLite, which has none to save, each row runs the one-row
// statement, prepared once, since parsing a long statement costs more
// than running a prepared one again.
func (tx *Tx) insertRows(ctx context.Context, insert, suffix string, cols, n int, row func(i int) ([]any, error)) error {
	per := 1
	if tx.dialect == Postgres {
		per = rowsPerInsert
	}
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		var b strings.Builder
		b.WriteString(insert)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			vals, err := row(i)
			if err != nil {
				return err
			}
			if i > start {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(len(args) + c + 1))
			}
			b.WriteByte(')')
			args = append(args, vals...)
		}
		b.WriteString(suffix)
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
