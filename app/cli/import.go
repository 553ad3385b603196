package cli

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"handover/app/importer"
	"handover/app/progress"
	"handover/app/vault"
)

func importCmd() *Cmd {
	var table, enc, mapping *string
	var headerRow *int
	return &Cmd{Name: "import", Synopsis: "--vault DIR [--table customers|loans|repayments|documents] [--encoding auto|utf-8|gbk|gb18030|utf-16] [--mapping FILE] [--header-row N] [--json] FILE…",
		Summary: "import CSV/TSV/.xlsx/.xls files or a folder of scans", Vault: true, JSON: true,
		MinArgs: 1, MaxArgs: -1, ArgsHelp: "name at least one file or folder to import",
		Flags: func(fs *flag.FlagSet) {
			table = fs.String("table", "", "table of every file: customers, loans, repayments or documents (default: detected from the headers)")
			enc = fs.String("encoding", importer.EncAuto, "encoding of text files: auto, utf-8, gbk, gb18030, utf-16")
			mapping = fs.String("mapping", "", "mapping profile (JSON) naming the column of each field")
			headerRow = fs.Int("header-row", 0, "row number of the column names in every file and sheet, when a title above them hides them (default: found among the first 20 rows)")
		},
		Run: func(c *Call) error { return runImport(c, *table, *enc, *mapping, *headerRow) }}
}

func runImport(c *Call, table, enc, mapping string, headerRow int) error {
	ctx, env, files, err := c.Ctx, c.Env, c.Args, error(nil)
	if headerRow < 0 {
		return usagef("--header-row must be a row number (1 or more), or 0 to find it")
	}
	opts := importer.Options{Encoding: enc, HeaderRow: headerRow}
	switch t := importer.Table(table); t {
	case "", importer.Customers, importer.Loans, importer.Repayments, importer.Documents:
		opts.Table = t
	default:
		return usagef("--table must be customers, loans, repayments or documents")
	}
	switch enc {
	case importer.EncAuto, importer.EncUTF8, importer.EncGBK, importer.EncGB18030, importer.EncUTF16:
	default:
		return usagef("--encoding must be auto, utf-8, gbk, gb18030 or utf-16")
	}
	if mapping != "" {
		if opts.Profile, err = importer.LoadProfile(mapping); err != nil {
			return fmt.Errorf("%s: %w", mapping, err)
		}
		if enc == importer.EncAuto && opts.Profile.Encoding != "" {
			opts.Encoding = opts.Profile.Encoding
		}
	}
	// Hashing the files (Plan) and the vault's key derivation run side by side: each keeps a
	// core busy for a second or more on a large book. A file's error is reported first.
	var inputs []importer.Input
	planned := make(chan error, 1)
	go func() {
		var err error
		inputs, err = importer.Plan(files, opts)
		planned <- err
	}()
	s, err := c.Session()
	c.markUnlocked()
	if perr := <-planned; perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	cnt := progress.NewCounter()
	var stats importer.Stats
	stop := showImportProgress(env.Stderr, cnt, &stats)
	results, err := s.Import(ctx, inputs, opts, cnt, &stats)
	stop()
	if c.JSON {
		if results == nil {
			results = []importer.Result{}
		}
		if jerr := printJSON(env.Stdout, results); jerr != nil {
			return jerr
		}
	} else {
		printResults(env.Stdout, results)
	}
	if err == nil {
		for _, r := range results {
			if r.Quarantined > 0 {
				fmt.Fprintln(env.Stderr, "rows in quarantine: see 'handover quarantine list --vault DIR'")
				break
			}
		}
		// Unlocking is slow by design (scrypt); what comes after it is what issue 21 and
		// docs/BENCHMARKS.md measure (app/cmd/benchreport reads this line), and what a clerk
		// can compare between runs.
		t := c.Timing()
		fmt.Fprintf(env.Stderr, "import took %.1f s (unlocking the vault %.1f s, after unlocking %.3f s)\n",
			t.UnlockSeconds+t.AfterUnlockSeconds, t.UnlockSeconds, t.AfterUnlockSeconds)
	}
	return err
}

func printResults(w io.Writer, results []importer.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "file\ttable\tencoding\trows\taccepted\tquarantined\twarnings\t")
	for _, r := range results {
		name := r.File
		if r.Sheet != "" && !strings.Contains(name, "#") {
			name += "#" + r.Sheet
		}
		note := ""
		switch {
		case r.AlreadyImported:
			note = "already imported: nothing added"
		case r.Resumed:
			note = "resumed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", name, r.Table, r.Encoding, r.Rows, r.Accepted, r.Quarantined, r.Warnings, note)
	}
	tw.Flush()
	for _, r := range results {
		if r.HeaderRow > 1 {
			fmt.Fprintf(w, "%s: column names read from row %d (rows above it are a title)\n", r.File, r.HeaderRow)
		}
		switch r.TotalsCheck {
		case importer.TotalsEqual:
			fmt.Fprintf(w, "%s: the totals row (row %d) equals the rows read\n", r.File, r.TotalsRow)
		case importer.TotalsDifferent:
			fmt.Fprintf(w, "%s: the totals row (row %d) differs from the rows read:", r.File, r.TotalsRow)
			for _, f := range slices.Sorted(maps.Keys(r.FileTotals)) {
				if v := r.FileTotals[f]; v != r.TotalsRead[f] {
					fmt.Fprintf(w, " %s %s in the file, %s read;", f, v.Yuan(), r.TotalsRead[f].Yuan())
				}
			}
			fmt.Fprintln(w)
		}
	}
}

// showImportProgress prints rows, rows per second and the time left every few seconds.
func showImportProgress(w io.Writer, c *progress.Counter, stats *importer.Stats) (stop func()) {
	return everyFewSeconds(func() {
		s := c.Snapshot()
		rows := stats.Rows.Load()
		rate := float64(rows) / max(s.Elapsed.Seconds(), 0.001)
		fmt.Fprintf(w, "  %d rows (%.0f rows/s), %.0f%%, about %s left\n", rows, rate, 100*s.Fraction(), s.ETA.Round(time.Second))
	})
}

// QuarantineRow is one finding of `quarantine list --json`. file, row, column and reason
// are a contract with users' scripts.
type QuarantineRow struct {
	Key     string `json:"key"`
	File    string `json:"file"`
	Table   string `json:"table"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	State   string `json:"state"`
	Warning bool   `json:"warning,omitempty"`
	Note    string `json:"note,omitempty"`
}

func quarantineKey(k vault.QuarantineKey) string {
	return hex.EncodeToString(k.File[:]) + ":" + strconv.FormatUint(uint64(k.Row), 10)
}

func parseQuarantineKey(s string) (vault.QuarantineKey, error) {
	var k vault.QuarantineKey
	f, r, ok := strings.Cut(s, ":")
	b, err := hex.DecodeString(f)
	row, rerr := strconv.ParseUint(r, 10, 32)
	if !ok || err != nil || len(b) != 8 || rerr != nil {
		return k, usagef("--key must be a key printed by 'handover quarantine list' (like 0123456789abcdef:12)")
	}
	copy(k.File[:], b)
	k.Row = uint32(row)
	return k, nil
}

func quarantineListCmd() *Cmd {
	var state, reason, column *string
	return &Cmd{Name: "quarantine list", Synopsis: "--vault DIR [--state open|warning|corrected|dismissed|all] [--reason R] [--column C] [--json]",
		Summary: "list quarantined rows (the validation report)", Vault: true, JSON: true,
		Flags: func(fs *flag.FlagSet) {
			state = fs.String("state", "open", "which rows: open (refused rows and refused columns), warning, corrected, dismissed, all")
			reason = fs.String("reason", "", "only this reason code")
			column = fs.String("column", "", "only this column")
		},
		Run: func(c *Call) error { return quarantineList(c, *state, *reason, *column) }}
}

func quarantineList(c *Call, state, reason, column string) error {
	f := importer.Filter{Reason: reason, Column: column}
	switch state {
	case "open":
		f.States = []string{importer.ItemQuarantined, importer.ItemRefused}
	case "all":
	case importer.ItemWarning, importer.ItemCorrected, importer.ItemDismissed, importer.ItemQuarantined, importer.ItemRefused:
		f.States = []string{state}
	default:
		return usagef("--state must be open, warning, corrected, dismissed or all")
	}
	s, err := c.Session()
	if err != nil {
		return err
	}
	entries, err := s.Quarantine(c.Ctx, f, 0)
	if err != nil {
		return err
	}
	rows := []QuarantineRow{}
	for _, e := range entries {
		for _, fd := range e.Findings {
			if (f.Reason != "" && fd.Reason != f.Reason) || (f.Column != "" && fd.Column != f.Column) {
				continue
			}
			rows = append(rows, QuarantineRow{Key: quarantineKey(e.Key), File: e.File, Table: string(e.Table), Row: e.Row,
				Column: fd.Column, Reason: fd.Reason, Message: fd.Message, State: e.State, Warning: fd.Warning, Note: e.Note})
		}
	}
	return c.Print(rows, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "key\tfile\trow\tcolumn\treason\tstate\tmessage")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Key, r.File, r.Row, r.Column, r.Reason, r.State, r.Message)
		}
		return tw.Flush()
	})
}

func quarantineDismissCmd() *Cmd {
	var key, reason string
	return &Cmd{Name: "quarantine dismiss", Synopsis: "--vault DIR --key K --reason TEXT", Vault: true,
		Summary: "dismiss a quarantined row with a reason",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&key, "key", "", "the row's key from 'quarantine list'")
			fs.StringVar(&reason, "reason", "", "why the row is not imported (recorded)")
		},
		Run: func(c *Call) error {
			k, err := parseQuarantineKey(key)
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason is required")
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			it, err := s.DismissQuarantined(k, reason)
			if err != nil {
				return err
			}
			c.Printf("%s row %d dismissed\n", it.File, it.Row)
			return nil
		}}
}

// setFlags collects repeated --set COLUMN=VALUE flags.
type setFlags map[string]string

func (s setFlags) String() string { return "" }
func (s setFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want COLUMN=VALUE")
	}
	s[strings.TrimSpace(k)] = val
	return nil
}

func quarantineCorrectCmd() *Cmd {
	var key, valuesFile *string
	sets := setFlags{}
	return &Cmd{Name: "quarantine correct", Synopsis: "--vault DIR --key K [--values FILE|-] [--set COLUMN=VALUE…]", Vault: true, JSON: true,
		Summary: "correct a quarantined row and validate it again (--json: its new state and findings)",
		Flags: func(fs *flag.FlagSet) {
			key = fs.String("key", "", "the row's key from 'quarantine list'")
			fs.Var(sets, "set", "COLUMN=VALUE: the corrected value of a column (repeat for several); not for a column that identifies a person")
			valuesFile = fs.String("values", "", "file of COLUMN=VALUE lines, or - for standard input: how personal values are given")
		},
		Run: func(c *Call) error { return quarantineCorrect(c, *key, *valuesFile, sets) }}
}

func quarantineCorrect(c *Call, key, valuesFile string, sets setFlags) error {
	ctx, env := c.Ctx, c.Env
	k, err := parseQuarantineKey(key)
	if err != nil {
		return err
	}
	for col := range sets {
		if importer.IsIdentifierColumn(col) {
			return usagef("--set %s: a value that identifies a person is not taken on the command line (the process list and shell history keep it); give it with --values FILE or --values - (standard input)", col)
		}
	}
	if valuesFile != "" {
		if err := readValues(env, valuesFile, sets); err != nil {
			return err
		}
	}
	s, err := c.Session()
	if err != nil {
		return err
	}
	entries, err := s.Quarantine(ctx, importer.Filter{}, 0)
	if err != nil {
		return err
	}
	var cur *importer.Entry
	for i := range entries {
		if entries[i].Key == k {
			cur = &entries[i]
		}
	}
	if cur == nil {
		return importer.ErrNotQuarantined
	}
	sums, err := s.ImportSummaries(ctx)
	if err != nil {
		return err
	}
	var header []string
	for _, sm := range sums {
		if sm.ID == cur.Input {
			header = sm.Header
		}
	}
	values := append([]string(nil), cur.Values...)
	for len(values) < len(header) {
		values = append(values, "")
	}
	for col, v := range sets {
		i := indexOf(header, col)
		if i < 0 {
			return usagef("the file has no column %q (columns: %s)", col, strings.Join(header, ", "))
		}
		values[i] = v
	}
	it, err := s.CorrectQuarantined(ctx, k, values)
	if err != nil {
		return err
	}
	if c.JSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"state": it.State, "findings": it.Findings})
	}
	fmt.Fprintf(env.Stdout, "%s row %d: %s\n", it.File, it.Row, it.State)
	for _, f := range it.Findings {
		fmt.Fprintf(env.Stdout, "  %s: %s (%s)\n", f.Column, f.Reason, f.Message)
	}
	return nil
}

// readValues reads COLUMN=VALUE lines from a file or standard input ("-"). A bad line is
// named by its number only: its value may be personal data.
func readValues(env Env, path string, into setFlags) error {
	var r io.Reader
	if path == "-" {
		if env.Stdin == nil {
			return usagef("--values -: no standard input")
		}
		r = env.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := into.Set(line); err != nil {
			return usagef("--values line %d: want COLUMN=VALUE", n)
		}
	}
	return sc.Err()
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}
