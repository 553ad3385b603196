package importer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"handover/app/demo"
	"handover/app/idcard"
	. "handover/app/importer"
	"handover/app/progress"
	"handover/crypto/blind"
	"handover/store"
)

var (
	ctx     = context.Background()
	testNow = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
)

func newStore(t testing.TB) *store.Store { return NewTestStore(t) }

// bad completes a 17-digit body with a wrong check digit.
func bad(body string) string {
	if idcard.CheckDigit(body) == '1' {
		return body + "2"
	}
	return body + "1"
}

// luhn completes a card number with its Luhn digit; notLuhn with a wrong one.
func luhn(prefix string) string {
	for d := '0'; d <= '9'; d++ {
		if luhnOK(prefix + string(d)) {
			return prefix + string(d)
		}
	}
	panic("unreachable")
}

func notLuhn(prefix string) string {
	s := luhn(prefix)
	return s[:len(s)-1] + string('0'+(s[len(s)-1]-'0'+1)%10)
}

func luhnOK(s string) bool {
	sum := 0
	for i := range len(s) {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func exportDemo(t testing.TB, dir string, n int) []string {
	t.Helper()
	if err := demo.ExportCSV(ctx, dir, &demo.Generator{Seed: 9}, n, progress.Discard); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range demo.CSVFiles {
		out = append(out, filepath.Join(dir, f))
	}
	return out
}

// id completes a 17-digit body with its GB 11643 check digit.
func id(body string) string { return body + string(idcard.CheckDigit(body)) }

func write(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importFiles(t testing.TB, st *store.Store, opts Options, paths ...string) []Result {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	ins, err := Plan(paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, st, ins, opts, progress.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// findings maps row number → reason codes of every quarantine record (all states, all files).
func findings(t *testing.T, st *store.Store) map[int][]string { return reasonsOf(t, st, "") }

const customersCSV = "姓名,身份证号,手机号码,银行卡号\n张三,11010519491231002X,+86 138-1234-5678,\n李四,12345,13912345678,\n"

func TestEncodingsImportAlike(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(customersCSV))
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(customersCSV))
	tsv := strings.ReplaceAll(customersCSV, ",", "\t")
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(tsv))
	cases := map[string][]byte{
		"utf8.csv":    []byte(customersCSV),
		"bom.csv":     append([]byte("\uFEFF"), customersCSV...),
		"gbk.csv":     gbk,
		"gb18030.csv": gb18030,
		"unicode.txt": utf16,
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			st := newStore(t)
			res := importFiles(t, st, Options{}, write(t, t.TempDir(), name, b))
			if len(res) != 1 || res[0].Rows != 2 || res[0].Accepted != 1 || res[0].Quarantined != 1 || res[0].Table != Customers {
				t.Fatalf("%+v", res)
			}
			c, err := st.Customer(1)
			if err != nil || c.Name != "张三" || c.IDNumber != "11010519491231002X" || c.Phone != "13812345678" || c.Gender != "女" {
				t.Fatalf("stored %+v, %v", c, err)
			}
			// 李四's number has an 1880 birth year with a bad checksum; whatever the encoding,
			// the row is the same quarantined row.
			if f := findings(t, st); len(f[3]) == 0 {
				t.Fatalf("findings %v", f)
			}
		})
	}
}

func TestInvalidBytesNeverStored(t *testing.T) {
	b, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("姓名,身份证号\n张三," + id("11010519491231002") + "\n"))
	b = append(b, 0xD5, 0xFF, ',') // 0xFF can follow no GBK lead byte
	b = append(b, id("11010519800101001")+"\n"...)
	st := newStore(t)
	res := importFiles(t, st, Options{Encoding: EncGBK}, write(t, t.TempDir(), "gbk.csv", b))
	if res[0].Accepted != 1 || res[0].Quarantined != 1 {
		t.Fatalf("%+v", res)
	}
	if f := findings(t, st); len(f[3]) != 1 || f[3][0] != ReasonEncodingInvalid {
		t.Fatalf("findings %v", f)
	}
	c, _ := st.Customer(1)
	if strings.ContainsRune(c.Name, '\uFFFD') {
		t.Fatal("U+FFFD stored")
	}
}

// TestReasonCodes covers every reason code of the issue with one row each.
func TestReasonCodes(t *testing.T) {
	dir := t.TempDir()
	good1, good2 := id("11010519491231002"), id("32010619820304123")
	customers := strings.Join([]string{
		"姓名,身份证号,手机号码,银行卡号,交易密码",
		"张三," + good1 + ",13812345678," + luhn("622202020011223344") + ",123456",     // 2 accepted; the password column is refused
		"王五," + bad("11010519491231002") + ",,,",                                     // 3 id_checksum
		"赵六,110105" + "20991231" + "0011,,,",                                         // 4 id_birthdate (checksum fixed below)
		"钱七," + id("99010519491231002") + ",,,",                                      // 5 id_region
		"孙八,110105491231003,,,",                                                      // 6 id_legacy15 (warning, accepted)
		"周九,3.70102E+17,,,",                                                          // 7 id_excel_scientific
		"吴十,12345,,,",                                                                // 8 id_format
		"郑一," + id("11010519900101001") + ",12345,,",                                 // 9 phone_format
		"冯二," + id("11010519900101002") + ",," + notLuhn("622202020011223344") + ",", // 10 card_luhn (warning)
		"陈三," + id("11010519900101003") + ",,12AB,",                                  // 11 card_format
		"," + id("11010519900101004") + ",,,",                                        // 12 name_empty
		"??," + id("11010519900101005") + ",,,",                                      // 13 name_damaged
		"张三丰," + good1 + ",,,",                                                       // 14 duplicate_customer
		"褚四," + good2 + ",,,",                                                        // 15 accepted
		"卫五," + bad("11010519900101018") + ",,,",                                     // 16 id_checksum again
	}, "\n") + "\n"
	customers = strings.Replace(customers, "110105"+"20991231"+"0011", id("11010520991231001"), 1)
	loans := strings.Join([]string{
		"合同编号,身份证号码,借款金额,剩余本金,放款日期,五级分类",
		"HT-1," + good1 + ",\"¥10,000.00\",5000元,2023/1/5,正常", // 2 accepted
		"HT-2," + good1 + ",12.345,0,2023-01-05,",             // 3 amount_format
		"HT-3," + good1 + ",100,0,2023/2/30,",                 // 4 date_invalid
		"HT-4," + id("11010519900101001") + ",100,0,,",        // 5 unknown_customer (row 9 was refused)
		"HT-1," + good2 + ",100,0,,",                          // 6 duplicate_contract
		"," + good2 + ",100,0,,",                              // 7 contract_format
		"HT-5," + good2 + ",100,0,,很好",                        // 8 value_invalid
		"HT-6," + good2 + ",２００,100,2023年1月5日,",               // 9 accepted, full-width digits
	}, "\n") + "\n"
	repayments := strings.Join([]string{
		"合同编号,实还日期,实还本金,实还利息",
		"HT-1,20230205,1000,50.5", // 2 accepted
		"HT-9,20230205,1000,0",    // 3 unknown_contract
		"HT-6,44962,100.00,1,234", // 4 accepted: Excel serial 44962 is 2023-02-05; ragged extra column ignored
	}, "\n") + "\n"
	st := newStore(t)
	res := importFiles(t, st, Options{},
		write(t, dir, "repayments.csv", []byte(repayments)), // planned after the others
		write(t, dir, "customers.csv", []byte(customers)),
		write(t, dir, "loans.csv", []byte(loans)))
	want := map[string]Result{
		"customers.csv":  {Rows: 15, Accepted: 4, Quarantined: 11, Warnings: 2},
		"loans.csv":      {Rows: 8, Accepted: 2, Quarantined: 6},
		"repayments.csv": {Rows: 3, Accepted: 2, Quarantined: 1},
	}
	for _, r := range res {
		w := want[r.File]
		if r.Rows != w.Rows || r.Accepted != w.Accepted || r.Quarantined != w.Quarantined || r.Warnings != w.Warnings || r.Rows != r.Accepted+r.Quarantined {
			t.Errorf("%s: %+v, want %+v", r.File, r, w)
		}
	}
	if res[0].File != "customers.csv" || res[2].File != "repayments.csv" {
		t.Fatalf("import order %s, %s, %s", res[0].File, res[1].File, res[2].File)
	}
	if res[1].Totals["principal"] != 1_000_000+20_000 || res[1].Totals["outstanding"] != 500_000+10_000 {
		t.Errorf("loan totals %v", res[1].Totals)
	}
	if res[2].Totals["principal"] != 110_000 || res[2].Totals["interest"] != 5_050+100 {
		t.Errorf("repayment totals %v", res[2].Totals)
	}
	byFile := map[string]map[int][]string{}
	es, _ := List(ctx, st, Filter{}, 0)
	for _, e := range es {
		if byFile[e.File] == nil {
			byFile[e.File] = map[int][]string{}
		}
		for _, f := range e.Findings {
			byFile[e.File][e.Row] = append(byFile[e.File][e.Row], f.Reason)
		}
		if e.Table == Customers && len(e.Values) > 4 && e.Values[4] != "" {
			t.Errorf("row %d kept the refused password column", e.Row)
		}
	}
	expect := map[string]map[int]string{
		"customers.csv": {1: ReasonC3Forbidden, 3: "id_checksum", 4: "id_birthdate", 5: "id_region", 6: "id_legacy15",
			7: "id_excel_scientific", 8: "id_format", 9: "phone_format", 10: "card_luhn", 11: "card_format",
			12: "name_empty", 13: "name_damaged", 14: ReasonDuplicateCustomer, 16: "id_checksum"},
		"loans.csv": {3: "amount_format", 4: "date_invalid", 5: ReasonUnknownCustomer, 6: ReasonDuplicateContract,
			7: ReasonContractFormat, 8: ReasonValueInvalid},
		"repayments.csv": {3: ReasonUnknownContract},
	}
	for file, rows := range expect {
		for row, reason := range rows {
			got := byFile[file][row]
			if len(got) == 0 || got[0] != reason {
				t.Errorf("%s row %d: reasons %v, want %s", file, row, got, reason)
			}
		}
		for row := range byFile[file] {
			if _, ok := rows[row]; !ok {
				t.Errorf("%s row %d: unexpected %v", file, row, byFile[file][row])
			}
		}
	}
	// The duplicate names the earlier row, not the value.
	dup, _ := List(ctx, st, Filter{Reason: ReasonDuplicateCustomer}, 0)
	if len(dup) != 1 || !strings.Contains(dup[0].Findings[0].Message, "row 2 of customers.csv") || strings.Contains(dup[0].Findings[0].Message, good1) {
		t.Fatalf("duplicate message %+v", dup)
	}
	// Stored values: the legacy number was converted, amounts are exact fen, dates parsed.
	c, _ := st.Customer(2)
	if c.IDNumber != id("11010519491231003") {
		t.Errorf("legacy number stored as %q", c.IDNumber)
	}
	loansOf1, _ := st.Loans(ctx, 1)
	if len(loansOf1) != 1 || loansOf1[0].Principal != 1_000_000 || loansOf1[0].Outstanding != 500_000 || loansOf1[0].Disbursed.String() != "2023-01-05" {
		t.Fatalf("loans %+v", loansOf1)
	}
	reps, _ := st.Repayments(ctx, 1, 1)
	if len(reps) != 1 || reps[0].Interest != 5050 || reps[0].Paid.String() != "2023-02-05" || reps[0].Contract != "HT-1" {
		t.Fatalf("repayments %+v", reps)
	}
	if hits, _ := st.Find(ctx, blind.Contract, "HT-6"); len(hits) != 1 {
		t.Fatalf("contract HT-6 not indexed: %v", hits)
	}
	counts := st.Counts()
	if counts.Customers != 4 || counts.Loans != 2 || counts.Repayments != 2 {
		t.Fatalf("counts %+v", counts)
	}
}

func TestImportIsIdempotentAndResumes(t *testing.T) {
	dir := t.TempDir()
	// Enough rows for checkpoints before each cancel: the three files are imported side by
	// side, and a checkpoint holds whole customers with their loans and repayments.
	files := exportDemo(t, dir, 6000)
	clean := newStore(t)
	importFiles(t, clean, Options{}, files...)
	want := digest(t, clean)

	st := newStore(t)
	ins, total := plan(t, files)
	partial := 0
	// Cancel three times at different points, then finish.
	for _, after := range []int64{total / 10, total * 45 / 100, total * 8 / 10} {
		runCancelled(t, st, ins, after)
		sums, _ := LoadSummaries(context.Background(), st)
		for _, s := range sums {
			if s.State == StateRunning && s.LastRow > 0 {
				partial++
			}
		}
	}
	if partial == 0 {
		t.Fatal("no cancel left a partly imported file to resume")
	}
	res, err := Run(ctx, st, ins, Options{Now: func() time.Time { return testNow }}, progress.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := digest(t, st); got != want {
		t.Fatalf("resumed import differs from a clean one")
	}
	resumed := false
	for _, r := range res {
		resumed = resumed || r.Resumed
	}
	if !resumed {
		t.Fatalf("no input reported as resumed: %+v", res)
	}
	// Again: nothing added, and it says so.
	before := st.Counts()
	again := importFiles(t, st, Options{}, files...)
	for _, r := range again {
		if !r.AlreadyImported || r.Rows == 0 {
			t.Fatalf("second import: %+v", r)
		}
	}
	if st.Counts() != before {
		t.Fatalf("second import changed counts: %+v → %+v", before, st.Counts())
	}
	// Files imported already need nothing of the book: its lookups (a read of the whole
	// book, seconds on a large one) are not even started, so a cancelled run answers too.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	again, err = Run(cctx, st, ins, Options{}, progress.Discard, nil)
	if err != nil || len(again) != len(ins) || !again[0].AlreadyImported {
		t.Fatalf("files imported already, run cancelled: %v, %+v", err, again)
	}
}

// plan plans the import of files and counts their bytes.
func plan(t testing.TB, files []string) ([]Input, int64) {
	t.Helper()
	ins, err := Plan(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, in := range ins {
		total += in.Size
	}
	return ins, total
}

// runCancelled runs the import of ins into st and cancels it once after bytes are read.
func runCancelled(t testing.TB, st *store.Store, ins []Input, after int64) {
	t.Helper()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err := Run(cctx, st, ins, Options{Now: func() time.Time { return testNow }}, &cancelAfter{n: after, cancel: cancel}, nil)
	if err == nil {
		t.Fatalf("cancel after %d bytes: no error", after)
	}
}

type cancelAfter struct {
	n, done int64
	cancel  func()
}

func (c *cancelAfter) SetTotal(int64) {}
func (c *cancelAfter) Add(n int64) {
	if c.done += n; c.done >= c.n {
		c.cancel()
	}
}

// digest is a hash of everything stored about every customer, for comparing vaults.
func digest(t testing.TB, st *store.Store) string {
	t.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	if err := st.EachCustomer(ctx, func(b *store.CustomerBook) error { return enc.Encode(b) }); err != nil {
		t.Fatal(err)
	}
	counts := st.Counts()
	// The index's pages and the repayment segments are numbered as they are written: a
	// resume moves checkpoints, and files imported together store fewer segments.
	counts.NextPage, counts.NextSegment = 0, 0
	enc.Encode(counts)
	sums, err := LoadSummaries(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].ID < sums[j].ID })
	for _, s := range sums {
		enc.Encode([]any{s.ID, s.Rows, s.Accepted, s.Quarantined, s.Warnings, s.Totals, s.TotalsRead, s.State})
	}
	es, _ := List(ctx, st, Filter{}, 0)
	enc.Encode(es)
	return hex.EncodeToString(h.Sum(nil))
}

func TestCorrectAndDismiss(t *testing.T) {
	dir := t.TempDir()
	csv := "姓名,身份证号,手机号码\n张三,110105194912310021,13812345678\n李四,12345,13912345678\n"
	st := newStore(t)
	importFiles(t, st, Options{}, write(t, dir, "c.csv", []byte(csv)))
	es, _ := List(ctx, st, Filter{States: []string{ItemQuarantined}}, 0)
	if len(es) != 2 {
		t.Fatalf("quarantined %d rows, want 2", len(es))
	}
	// A correction that is still wrong stays in quarantine with the new findings.
	it, err := Correct(ctx, st, es[0].Key, []string{"张三", "110105194912310022", "13812345678"}, "op-1", testNow)
	if err != nil || it.State != ItemQuarantined || it.Findings[0].Reason != "id_checksum" {
		t.Fatalf("still wrong: %+v, %v", it, err)
	}
	it, err = Correct(ctx, st, es[0].Key, []string{"张三", id("11010519491231002"), "13812345678"}, "op-1", testNow)
	if err != nil || it.State != ItemCorrected || it.Values != nil {
		t.Fatalf("corrected: %+v, %v", it, err)
	}
	if hits, _ := st.Find(ctx, blind.IDNumber, id("11010519491231002")); len(hits) != 1 {
		t.Fatal("corrected customer not searchable")
	}
	if _, err := Correct(ctx, st, es[0].Key, nil, "op-1", testNow); err != ErrDecided {
		t.Fatalf("second decision: %v", err)
	}
	if _, err := Dismiss(st, es[1].Key, "  ", "op-1", testNow); err != ErrReasonRequired {
		t.Fatalf("dismiss without reason: %v", err)
	}
	it, err = Dismiss(st, es[1].Key, "客户已注销，旧系统测试数据", "op-1", testNow)
	if err != nil || it.State != ItemDismissed || it.Note == "" || it.DecidedBy != "op-1" {
		t.Fatalf("dismiss: %+v, %v", it, err)
	}
	sums, _ := LoadSummaries(context.Background(), st)
	if len(sums) != 1 || sums[0].Corrected != 1 || sums[0].Dismissed != 1 || sums[0].Open() != 0 || sums[0].Rows != sums[0].Accepted+sums[0].Quarantined {
		t.Fatalf("summary %+v", sums)
	}
}

func TestProfile(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.json", []byte(`{"name":"旧系统","tables":{"customers":{"name":"户名","id_number":"证件"}}}`))
	prof, err := LoadProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	f := write(t, dir, "c.csv", []byte("户名,证件,联系电话\n张三,"+id("11010519491231002")+",13812345678\n"))
	if _, err := Plan([]string{f}, Options{}); err == nil {
		t.Fatal("headers without aliases planned without a profile")
	}
	st := newStore(t)
	res := importFiles(t, st, Options{Profile: prof, Table: Customers}, f)
	if res[0].Accepted != 1 {
		t.Fatalf("%+v", res)
	}
	if c, _ := st.Customer(1); c.Phone != "13812345678" {
		t.Fatalf("alias-matched phone lost: %+v", c)
	}
	bad := write(t, dir, "bad.json", []byte(`{"name":"x","tables":{"customers":{"password":"密码"}}}`))
	if _, err := LoadProfile(bad); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("unknown field: %v", err)
	}
	saved := filepath.Join(dir, "saved.json")
	m := MappingFor(Customers, []string{"户名", "证件"}, prof)
	out := &Profile{Name: "copy", Tables: map[Table]map[string]string{Customers: ProfileFrom(m, []string{"户名", "证件"})}}
	if err := out.Save(saved, func(p string, b []byte) error { return os.WriteFile(p, b, 0o600) }); err != nil {
		t.Fatal(err)
	}
	if back, err := LoadProfile(saved); err != nil || back.Tables[Customers]["id_number"] != "证件" {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}

func TestDocumentsFolder(t *testing.T) {
	dir := t.TempDir()
	idA := id("11010519491231002")
	st := newStore(t)
	importFiles(t, st, Options{}, write(t, dir, "c.csv", []byte("姓名,身份证号\n张三,"+idA+"\n李四,"+id("32010619820304123")+"\n")),
		write(t, dir, "l.csv", []byte("合同编号,身份证号码,借款金额\nHT-0001,"+id("32010619820304123")+",100\n")))
	scans := filepath.Join(dir, "scans")
	big := bytes.Repeat([]byte("scan"), 100_000) // several chunks
	write(t, scans, "张三_"+idA+"_身份证正面.jpg", []byte("front"))
	write(t, scans, "sub/HT-0001.pdf", big)
	write(t, scans, "x.png", []byte("listed"))
	write(t, scans, "unknown.jpg", []byte("?"))
	write(t, scans, "文件对照表.csv", []byte("文件名,身份证号,类型\nx.png,"+idA+",身份证反面\n"))
	res := importFiles(t, st, Options{}, scans)
	if len(res) != 1 || res[0].Table != Documents || res[0].Rows != 4 || res[0].Accepted != 3 || res[0].Quarantined != 1 {
		t.Fatalf("%+v", res)
	}
	docs, _ := st.Documents(ctx, 1)
	if len(docs) != 2 || docs[0].Kind != "id_card_back" && docs[1].Kind != "id_card_back" {
		t.Fatalf("documents of customer 1: %+v", docs)
	}
	docs2, _ := st.Documents(ctx, 2)
	if len(docs2) != 1 || docs2[0].Contract != "HT-0001" || docs2[0].MIME != "application/pdf" || docs2[0].Kind != "other" {
		t.Fatalf("documents of customer 2: %+v", docs2)
	}
	var buf bytes.Buffer
	if err := st.WriteDocument(ctx, 2, docs2[0].Seq, &buf); err != nil || !bytes.Equal(buf.Bytes(), big) {
		t.Fatalf("content: %d bytes, %v", buf.Len(), err)
	}
	if f := findings(t, st); len(f) != 1 {
		t.Fatalf("findings %v", f)
	}
	if again := importFiles(t, st, Options{}, scans); !again[0].AlreadyImported {
		t.Fatalf("second import of the folder: %+v", again)
	}
}

// An unbalanced quotation mark makes the reader swallow the lines up to the next quote into
// one field: that row is refused as row_format rather than stored with a monster address.
func TestUnbalancedQuote(t *testing.T) {
	csv := "姓名,身份证号,地址\n" +
		"张三," + id("11010519491231002") + ",\"北京市朝阳区\n" +
		"李四," + id("32010619820304123") + ",南京市\n" +
		"王五," + id("11010519900101003") + ",上海市\"\n" +
		"赵六," + id("11010519900101004") + ",广州市\n"
	st := newStore(t)
	res := importFiles(t, st, Options{}, write(t, t.TempDir(), "q.csv", []byte(csv)))
	if res[0].Rows != 2 || res[0].Accepted != 1 || res[0].Quarantined != 1 {
		t.Fatalf("%+v", res)
	}
	if f := findings(t, st); len(f[2]) != 1 || f[2][0] != ReasonRowFormat {
		t.Fatalf("findings %v", f)
	}
}

// A field longer than a handover package may carry is quarantined at import, so that no
// later step refuses what the import accepted.
func TestFieldTooLongIsQuarantined(t *testing.T) {
	st := newStore(t)
	dir := t.TempDir()
	long := strings.Repeat("长", 50<<20/3) // a 50 MB address
	path := write(t, dir, "c.csv", []byte("姓名,身份证号,地址\n张三,"+id("11010519491231002")+","+long+"\n李四,"+id("32010619820304123")+",北京\n"))
	importFiles(t, st, Options{}, path)
	if f := findings(t, st); !slices.Contains(f[2], ReasonFieldTooLong) || len(f[3]) != 0 {
		t.Fatalf("findings %v", f)
	}
	if c := st.Counts(); c.Customers != 1 {
		t.Fatalf("customers %d", c.Customers)
	}
}

// TestRepaymentsOfALoanApart: a repayments file whose rows of one loan are not together (a
// shuffled export) stores every repayment of every loan, as the sorted file does, and each
// loan's repayments in the order of the file.
func TestRepaymentsOfALoanApart(t *testing.T) {
	dir := t.TempDir()
	files := exportDemo(t, dir, 300)
	b, err := os.ReadFile(files[2])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	rows := lines[1:]
	r := rand.New(rand.NewPCG(3, 3))
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	shuffled := write(t, dir, "shuffled/repayments.csv", []byte(lines[0]+"\n"+strings.Join(rows, "\n")+"\n"))

	sorted, apart := newStore(t), newStore(t)
	importFiles(t, sorted, Options{}, files...)
	res := importFiles(t, apart, Options{}, files[0], files[1], shuffled)
	if got := res[2].Accepted; got != int64(len(rows)) {
		t.Fatalf("%d of %d shuffled rows accepted", got, len(rows))
	}
	if a, b := sorted.Counts().Repayments, apart.Counts().Repayments; a != b {
		t.Fatalf("repayments: %d sorted, %d shuffled", a, b)
	}
	// The order of the shuffled file, by contract: due dates of each loan's rows.
	order := map[string][]string{}
	for _, l := range rows {
		f := strings.Split(l, ",")
		order[f[0]] = append(order[f[0]], f[1])
	}
	nos, err := apart.CustomerNos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, no := range nos {
		loans, err := apart.Loans(ctx, no)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range loans {
			want, _ := sorted.Repayments(ctx, no, l.Seq)
			got, err := apart.Repayments(ctx, no, l.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("customer %d loan %d: %d repayments, want %d", no, l.Seq, len(got), len(want))
			}
			var dues []string
			for _, rp := range got {
				dues = append(dues, rp.Due.String())
			}
			if !slices.Equal(dues, order[l.Contract]) {
				t.Fatalf("customer %d loan %d: due dates %v, file order %v", no, l.Seq, dues, order[l.Contract])
			}
		}
	}
}
