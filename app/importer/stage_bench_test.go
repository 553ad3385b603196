package importer_test

import (
	"errors"
	"io"
	"os"
	"strconv"
	"testing"

	. "handover/app/importer"
	"handover/app/progress"
)

// The import's stages, each alone on the demo book's CSV export (20,000 customers, about
// 212,000 rows, or HANDOVER_BENCH_CUSTOMERS), so that a regression names its stage
// (issue 21). Together with store's BenchmarkWriterAdd (sealing and Badger's write) and
// BenchmarkImport (everything), they split an import's time: the floor is
// BenchmarkStageDecode, what encoding/csv and the UTF-8 decoding cost. Each reports rows/s.

func stageInputs(b *testing.B) []Input {
	b.Helper()
	n, err := strconv.Atoi(os.Getenv("HANDOVER_BENCH_CUSTOMERS"))
	if err != nil {
		n = 20000
	}
	ins, err := Plan(exportDemo(b, b.TempDir(), n), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return ins
}

// eachRow reads every row of the inputs, handing each to fn.
func eachRow(b *testing.B, ins []Input, fn func(Input, Row)) int {
	rows := 0
	for _, in := range ins {
		src, err := in.Open(&progress.Tally{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			r, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			fn(in, r)
			rows++
		}
		src.Close()
	}
	return rows
}

// BenchmarkStageDecode: reading the files: UTF-8 and BOM, delimiter, encoding/csv, rows.
func BenchmarkStageDecode(b *testing.B) {
	ins := stageInputs(b)
	rows := 0
	for b.Loop() {
		rows += eachRow(b, ins, func(Input, Row) {})
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkStageValidate: every field of every row checked and converted (identity
// numbers, phones, cards, amounts, dates), the rows read beforehand.
func BenchmarkStageValidate(b *testing.B) {
	ins := stageInputs(b)
	type held struct {
		in  int
		row Row
	}
	var all []held
	for i, in := range ins {
		eachRow(b, []Input{in}, func(_ Input, r Row) {
			r.Fields = append([]string(nil), r.Fields...)
			all = append(all, held{i, r})
		})
	}
	convert := make([]func(Row) bool, len(ins))
	for i, in := range ins {
		convert[i] = ConvertRow(in, testNow)
	}
	rows := 0
	for b.Loop() {
		for _, h := range all {
			if convert[h.in](h.row) {
				b.Fatalf("a demo row failed: %q", h.row.Fields)
			}
		}
		rows += len(all)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
