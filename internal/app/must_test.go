package app_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// fatalRecorder is a test that records its fatal failure and ends the
// goroutine that reported it, as testing.T's FailNow does.
type fatalRecorder struct {
	testing.TB
	failure string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatal(args ...any) { r.failure = fmt.Sprint(args...); runtime.Goexit() }

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.failure = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestMust_FailsTheTest: the must helpers fail their test through
// tb.Fatal; a panic would end every test left in the package's run.
func TestMust_FailsTheTest(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		call func(tb testing.TB)
	}{
		{"must", func(tb testing.TB) { must(tb, of(0, boom)) }},
		{"must2", func(tb testing.TB) { must2(tb, of2(0, 0, boom)) }},
		{"must3", func(tb testing.TB) { must3(tb, of2(0, 0, boom)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			done := make(chan any)
			go func() {
				defer func() { done <- recover() }()
				tc.call(rec)
			}()
			if p := <-done; p != nil {
				t.Fatalf("%s panicked: %v", tc.name, p)
			}
			if !strings.Contains(rec.failure, "boom") {
				t.Fatalf("%s failed with %q, want the error", tc.name, rec.failure)
			}
		})
	}
}
