package loadtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the kernel's unit of process CPU time in /proc (USER_HZ,
// 100 on Linux).
const clockTicks = 100

// databaseCPU is the CPU time used so far by the local PostgreSQL server's
// processes (each named "postgres" in /proc), or 0 where there is none or
// no /proc: the database's share of each request, when it runs on this
// machine.
func databaseCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		open, shut := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || shut < open || s[open+1:shut] != "postgres" {
			continue
		}
		f := strings.Fields(s[shut+1:]) // f[0] is the state; utime and stime are fields 14 and 15 of stat
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		k, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + k
	}
	return time.Duration(ticks) * time.Second / clockTicks
}
