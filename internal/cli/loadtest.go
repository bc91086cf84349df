package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/loadtest"
	"github.com/provisio/provisio/internal/server"
)

// loadtestCommand seeds a throwaway world and measures the hot paths
// against a trivial handler in the same process (issue 15).
func loadtestCommand() *cli.Command {
	return &cli.Command{Name: "loadtest", Usage: "seed a throwaway tenant mix, drive the hot paths with vegeta, and print each figure beside a trivial handler's",
		Flags: []cli.Flag{
			str("database-url", "a fresh database to seed (default: a SQLite file in a temporary folder); everything in it is for the test"),
			&cli.IntFlag{Name: "users", Value: 1000, Usage: "users on the site"},
			&cli.IntFlag{Name: "requests", Value: 300, Usage: "pending partner requests, for the approval scenario"},
			&cli.DurationFlag{Name: "duration", Value: 3 * time.Second, Usage: "how long each scenario runs at each concurrency"},
			&cli.StringFlag{Name: "concurrency", Value: "1,8", Usage: "concurrencies, comma-separated"},
			&cli.StringFlag{Name: "scenarios", Value: strings.Join(loadtest.Scenarios, ","), Usage: "scenarios: access, page, scim, approve"},
			str("cpuprofile", "write a CPU profile of the load runs to this file (go tool pprof -top FILE)"),
			&cli.IntFlag{Name: "expiries", Usage: "after the runs, seed this many due partner grants and measure the access check while the sweep expires them (0: skip)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			out := cmd.Root().Writer
			dbURL := cmd.String("database-url")
			if dbURL == "" {
				dir, err := os.MkdirTemp("", "provisio-load-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				dbURL = filepath.Join(dir, "load.db")
			}
			var conc []int
			for _, c := range strings.Split(cmd.String("concurrency"), ",") {
				n, err := strconv.Atoi(strings.TrimSpace(c))
				if err != nil || n < 1 {
					return fmt.Errorf("--concurrency: %q is not a positive number", c)
				}
				conc = append(conc, n)
			}
			cfg := server.Config{DatabaseURL: dbURL, App: app.DefaultConfig()}
			// A throwaway world: passwords are hashed cheaply so that seeding
			// is quick (sign-in is not a scenario), and nobody needs MFA.
			cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
			cfg.App.MFAFor = nil
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			base := "http://" + ln.Addr().String()
			cfg.App.BaseURL = base
			s, err := server.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
			if err != nil {
				ln.Close()
				return err
			}
			defer s.Close()
			started := time.Now()
			w, err := loadtest.Seed(ctx, s.App, cmd.Int("users"), cmd.Int("requests"))
			if err != nil {
				return fmt.Errorf("seed: %w", err)
			}
			fmt.Fprintf(out, "Seeded %d users and %d partner requests through the app in %s (%s).\n", len(w.UserIDs), len(w.Requests),
				time.Since(started).Round(time.Millisecond), s.DB.Dialect())
			sctx, stop := context.WithCancel(ctx)
			defer stop()
			go func() { _ = s.Serve(sctx, ln) }()
			tln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			trivial := &http.Server{Handler: loadtest.Trivial(), ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = trivial.Serve(tln) }()
			defer trivial.Close()
			time.Sleep(200 * time.Millisecond) // the queue's first sweep
			if f := cmd.String("cpuprofile"); f != "" {
				pf, err := os.Create(f)
				if err != nil {
					return err
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			rs, err := loadtest.Run(ctx, base, "http://"+tln.Addr().String()+"/", w, loadtest.Config{Duration: cmd.Duration("duration"),
				Concurrency: conc, Scenarios: strings.Split(cmd.String("scenarios"), ",")})
			loadtest.Report(out, rs)
			fmt.Fprintln(out, "CPU is this process's (server and load generator together, the same for the baseline); DB CPU is a local PostgreSQL server's, "+
				"counted in REQ PER CPU-S (0 on SQLite, or when the database runs elsewhere).")
			if err == nil && slices.Contains(strings.Split(cmd.String("scenarios"), ","), "approve") {
				raw := map[int]float64{}
				for _, c := range conc {
					if raw[c], err = loadtest.RawCommits(ctx, s.DB.SQL(), c, min(cmd.Duration("duration"), 2*time.Second)); err != nil {
						break
					}
				}
				loadtest.ReportCommits(out, rs, raw)
			}
			if n := cmd.Int("expiries"); err == nil && n > 0 {
				err = sweepLoad(ctx, out, s, base, "http://"+tln.Addr().String()+"/", w, n, cmd.Duration("duration"), rs)
			}
			return err
		}}
}
