//go:build linux

package main

import (
	"fmt"
	"slices"
	"time"
)

// reruns is how many times each comparison runs, ours and the standard tool alike: this
// machine's standard pipelines vary by a sixth between runs, so one run of each can put a
// ratio either side of a limit (issue 21). The report gives the median and the spread.
var reruns = 3

// spread is n runs' times: the median, the fastest and the slowest.
type spread struct{ median, lo, hi time.Duration }

func spreadOf(ts []time.Duration) spread {
	s := slices.Clone(ts)
	slices.Sort(s)
	return spread{median: s[len(s)/2], lo: s[0], hi: s[len(s)-1]}
}

// rerun runs fn reruns times and returns the spread of the times it reports.
func rerun(fn func(i int) time.Duration) spread {
	var ts []time.Duration
	for i := range reruns {
		ts = append(ts, fn(i))
	}
	return spreadOf(ts)
}

// rerunMeasured is rerun for process runs: the spread of their times and, of the memory,
// the highest peaks over all runs.
func rerunMeasured(fn func(i int) measured) (spread, measured) {
	var worst measured
	s := rerun(func(i int) time.Duration {
		m := fn(i)
		worst.rss, worst.anon, worst.anonLate = max(worst.rss, m.rss), max(worst.anon, m.anon), max(worst.anonLate, m.anonLate)
		return m.elapsed
	})
	worst.elapsed = s.median
	return s, worst
}

// String is "24.5 s (23.9–26.1)", or just the time for a single run.
func (s spread) String() string {
	if s.lo == s.hi {
		return fmt.Sprintf("%.1f s", s.median.Seconds())
	}
	return fmt.Sprintf("%.1f s (%.1f–%.1f)", s.median.Seconds(), s.lo.Seconds(), s.hi.Seconds())
}

// stringFine is String with two decimals, for runs under a few seconds.
func (s spread) stringFine() string {
	if s.lo == s.hi {
		return fmt.Sprintf("%.2f s", s.median.Seconds())
	}
	return fmt.Sprintf("%.2f s (%.2f–%.2f)", s.median.Seconds(), s.lo.Seconds(), s.hi.Seconds())
}
