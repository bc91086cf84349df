package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/provisio/provisio/internal/loadtest"
	"github.com/provisio/provisio/internal/server"
)

// sweepLoad seeds n partner grants on the world's site that are already
// due, straight through the store (as if the server had been down when
// they ran out), then drives the access check at concurrency 1 while the
// sweep expires them, and prints its throughput beside the idle run's.
func sweepLoad(ctx context.Context, out io.Writer, s *server.Server, base, trivial string, w *loadtest.World, n int,
	d time.Duration, idle []loadtest.Result) error {
	var partnerID string
	if err := s.DB.SQL().QueryRowContext(ctx, `SELECT o.partner_id FROM orgs o JOIN sites s ON s.customer_id = o.id WHERE s.id = $1`,
		w.SiteID).Scan(&partnerID); err != nil {
		return fmt.Errorf("the site's partner: %w", err)
	}
	if err := loadtest.SeedDueGrants(ctx, s.DB, w.SiteID, partnerID, n, time.Now().UTC()); err != nil {
		return err
	}
	swept := make(chan error, 1)
	var took time.Duration
	go func() {
		started := time.Now()
		_, err := s.App.Sweep(ctx)
		took = time.Since(started)
		swept <- err
	}()
	rs, err := loadtest.Run(ctx, base, trivial, w, loadtest.Config{Duration: d, Concurrency: []int{1}, Scenarios: []string{"access"},
		NoBaseline: true})
	if err != nil {
		return err
	}
	if err := <-swept; err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	during, before := find(rs, "access", 1), find(idle, "access", 1)
	if during == nil || before == nil || before.Throughput == 0 {
		return nil
	}
	fmt.Fprintf(out, "access at concurrency 1 while the sweep expired %d grants (in %s): %.0f req/s, %.2f of its idle %.0f req/s\n",
		n, took.Round(time.Millisecond), during.Throughput, during.Throughput/before.Throughput, before.Throughput)
	if took < d {
		fmt.Fprintf(out, "  (the sweep ended before the %s run did: use more --expiries for a run wholly under it)\n", d)
	}
	return nil
}

func find(rs []loadtest.Result, scenario string, c int) *loadtest.Result {
	for i := range rs {
		if rs[i].Scenario == scenario && rs[i].Concurrency == c {
			return &rs[i]
		}
	}
	return nil
}
