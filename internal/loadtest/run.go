package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Scenarios are the paths the load drives, besides the trivial baseline.
var Scenarios = []string{"access", "page", "scim", "approve"}

// Config is one load run.
type Config struct {
	Duration    time.Duration // per scenario and concurrency
	Concurrency []int
	Scenarios   []string
	NoBaseline  bool // skip the trivial handler's run (the caller has one)
}

// Result is one scenario at one concurrency.
type Result struct {
	Scenario    string
	Concurrency int
	Requests    uint64
	Success     float64 // share of 2xx answers
	Throughput  float64 // successful requests per second
	P50, P99    time.Duration
	CPUPerReq   time.Duration // this process's CPU (server and load together) per request
	DBCPUPerReq time.Duration // the local PostgreSQL server's CPU per request (0 on SQLite)
}

// Trivial is the baseline handler: a small JSON answer, nothing else.
func Trivial() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"allowed":true}`)
	})
}

// targeter returns the requests of a scenario; approvals take the
// requests in approvals, each once.
func targeter(scenario, base, trivial string, w *World, approvals []string) (vegeta.Targeter, error) {
	bearer := func(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
	var n atomic.Uint64
	switch scenario {
	case "trivial":
		return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: trivial}), nil
	case "access":
		return func(t *vegeta.Target) error {
			u := w.UserIDs[int(n.Add(1))%len(w.UserIDs)]
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/sites/" + w.SiteID + "/access?user=" + u, Header: bearer(w.AdminToken)}
			return nil
		}, nil
	case "page":
		return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/sites/" + w.SiteID + "/users?limit=100",
			Header: bearer(w.AdminToken)}), nil
	case "scim":
		return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + "/scim/v2/Users?count=100",
			Header: bearer(w.SCIMToken)}), nil
	case "approve":
		return func(t *vegeta.Target) error {
			i := int(n.Add(1)) - 1
			if i >= len(approvals) {
				return vegeta.ErrNoTargets
			}
			h := bearer(w.AdminToken)
			h.Set("Content-Type", "application/json")
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/access-requests/" + approvals[i] + "/approve", Body: []byte(`{}`), Header: h}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("unknown scenario %q: %v or trivial", scenario, Scenarios)
}

// cpu is this process's user and system CPU time so far.
func cpu() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Run drives each scenario at each concurrency, the trivial baseline
// first, and returns the results.
func Run(ctx context.Context, base, trivial string, w *World, cfg Config) ([]Result, error) {
	var out []Result
	share := len(w.Requests) / max(1, len(cfg.Concurrency)) // each concurrency approves its own requests
	for k, c := range cfg.Concurrency {
		approvals := w.Requests[k*share : (k+1)*share]
		scenarios := cfg.Scenarios
		if !cfg.NoBaseline {
			scenarios = append([]string{"trivial"}, scenarios...)
		}
		for _, sc := range scenarios {
			tr, err := targeter(sc, base, trivial, w, approvals)
			if err != nil {
				return nil, err
			}
			atk := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.Connections(c),
				vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
			var m vegeta.Metrics
			before, dbBefore := cpu(), databaseCPU()
			for res := range atk.Attack(tr, vegeta.Rate{Freq: 0}, cfg.Duration, sc) {
				if res.Error == vegeta.ErrNoTargets.Error() {
					continue // the approvals ran out: not a request
				}
				m.Add(res)
				if ctx.Err() != nil {
					atk.Stop()
				}
			}
			used, dbUsed := cpu()-before, databaseCPU()-dbBefore
			m.Close()
			r := Result{Scenario: sc, Concurrency: c, Requests: m.Requests, Success: m.Success, Throughput: m.Throughput,
				P50: m.Latencies.P50, P99: m.Latencies.P99}
			if m.Requests > 0 {
				r.CPUPerReq = used / time.Duration(m.Requests)
				if sc != "trivial" {
					r.DBCPUPerReq = dbUsed / time.Duration(m.Requests)
				}
			}
			out = append(out, r)
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
		}
	}
	return out, nil
}

// Report prints the results with each figure as a ratio to the trivial
// handler's at the same concurrency.
func Report(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tCONC\tREQUESTS\tOK\tREQ/S\tvs TRIVIAL\tP50\tvs TRIVIAL\tP99\tCPU/REQ\tDB CPU/REQ\tREQ PER CPU-S vs TRIVIAL")
	base := map[int]Result{}
	for _, r := range rs {
		if r.Scenario == "trivial" {
			base[r.Concurrency] = r
		}
	}
	ratio := func(a, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	for _, r := range rs {
		b := base[r.Concurrency]
		perCPU := func(x Result) float64 {
			if x.CPUPerReq == 0 {
				return 0
			}
			return float64(time.Second) / float64(x.CPUPerReq+x.DBCPUPerReq)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f%%\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, r.Concurrency, r.Requests, 100*r.Success,
			r.Throughput, ratio(r.Throughput, b.Throughput), r.P50.Round(time.Microsecond), ratio(float64(r.P50), float64(b.P50)),
			r.P99.Round(time.Microsecond), r.CPUPerReq.Round(time.Microsecond), r.DBCPUPerReq.Round(time.Microsecond), ratio(perCPU(r), perCPU(b)))
	}
	tw.Flush()
}
