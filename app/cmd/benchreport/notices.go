//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// noticeRun writes the notices of a demo book (a loan-book deal) as a separate process inside
// the 600 MiB memory cgroup: letters for the 100,000-customer book, SMS for the 1,000,000
// one (issue 16). The comparison is the book's walk alone, `handover figures` on the same
// vault in the same run: a batch is a walk plus filling and drawing.
func noticeRun(env []string, bin, vault string, n int) string {
	channel := "letter"
	if n >= 1_000_000 {
		channel = "sms"
	}
	out := filepath.Join(filepath.Dir(vault), "notices-"+channel)
	defer os.RemoveAll(out)
	env = append(append([]string{}, env...), "HANDOVER_NOTICE_ALLOW_TMP=1") // the benchmark's folders are temporary ones
	walk := measure(env, nil, bin, "figures", "--vault", vault)
	fmt.Fprintf(os.Stderr, "benchreport: %s notices for %d customers under a 600 MiB memory cgroup\n", channel, n)
	args := []string{"notice", "generate", "--vault", vault, "--template", "loan-book-borrower", "--channel", channel, "--out", out}
	m, peak, skipped := capped(env, bin, args...)
	capText := mib(peak)
	if skipped != "" {
		m = measure(env, nil, bin, args...)
		capText = "not capped"
	}
	size := diskUsage(out)
	rate := float64(n) / m.elapsed.Seconds()
	return fmt.Sprintf("| %d | %s | %.1f s | %.0f/s | %s | %.1f s | %s | %s | %s |\n", n, channel, m.elapsed.Seconds(), rate, mib(size),
		walk.elapsed.Seconds(), mib(m.anon), mib(m.anonLate), capText)
}

func noticeSection(rows []string) string {
	if len(rows) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("## Notices\n\n`handover notice generate` on the demo book with a loan-book deal, as a separate process inside a memory cgroup limited to 600 MiB " +
		"(page cache included): letters (A4 PDF, 1,000 a file, pages uncompressed: gofpdf makes a zlib writer per page, which cost more than drawing) for 100,000 customers, " +
		"SMS for 1,000,000. Every notice's entry and code are recorded in the vault (in chunks, not a record per customer). The comparison is `handover figures` on the same book in the same run: " +
		"a walk of the whole book, repayments included, with the figures and digest; a notice batch walks customers and loans only (`store.WalkOptions{NoRepayments}`).\n\n")
	b.WriteString("| customers | channel | time | customers/s | files | walk alone | peak anonymous | after unlock | cgroup peak |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		b.WriteString(r)
	}
	b.WriteString("\nMust (issue 16): 100,000 letters under 10 minutes and 1,000,000 SMS under 1 minute on these 2 cores, memory flat under 600 MiB; goal: 1,000 letters a second.\n\n")
	return b.String()
}
