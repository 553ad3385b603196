package importer_test

import (
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	. "handover/app/importer"
)

// TestWorkbook imports a two-sheet .xlsx built with excelize: identity numbers stored as
// numbers (as Excel does when a column is not formatted as text), Excel serial dates and
// numeric amounts.
func TestWorkbook(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "客户")
	rows := [][]any{
		{"姓名", "身份证号", "手机号码"},
		{"张三", id("11010519491231002"), 13812345678}, // phone stored as a number is fine
		{"李四", 370102198001011234.0, nil},            // a number: Excel keeps 15 digits
		{"王五", nil, nil},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("客户", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	// As Excel writes a large number: in scientific notation.
	if err := f.SetCellDefault("客户", "B4", "3.70102E+17"); err != nil {
		t.Fatal(err)
	}
	f.NewSheet("贷款")
	f.SetSheetRow("贷款", "A1", &[]any{"合同编号", "身份证号码", "借款金额", "放款日期"})
	f.SetSheetRow("贷款", "A2", &[]any{"HT-1", id("11010519491231002"), 10000.5, 44931})
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("贷款", "D2", "D2", style)
	f.NewSheet("空白")
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	res := importFiles(t, st, Options{}, path)
	if len(res) != 2 || res[0].Sheet != "客户" || res[0].Rows != 3 || res[0].Accepted != 1 || res[1].Sheet != "贷款" || res[1].Accepted != 1 {
		t.Fatalf("%+v", res)
	}
	f2 := findings(t, st)
	if len(f2[3]) != 1 || f2[3][0] != "id_excel_scientific" || len(f2[4]) != 1 || f2[4][0] != "id_excel_scientific" {
		t.Fatalf("findings %v", f2)
	}
	c, _ := st.Customer(1)
	if c.Phone != "13812345678" {
		t.Fatalf("phone %q", c.Phone)
	}
	loans, _ := st.Loans(ctx, 1)
	if len(loans) != 1 || loans[0].Principal != 1_000_050 || loans[0].Disbursed.String() != "2023-01-05" {
		t.Fatalf("loans %+v", loans)
	}
}
