package notice

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"handover/app/doc/doctest"
)

// sample fills every field, as a deal with its notice settings and one customer would.
func sample() map[string]string {
	v := map[string]string{}
	for f := range Fields {
		v[f] = "«" + f + "»"
	}
	v["name"], v["code"], v["sms_signature"] = "张三", "7K3M-Q9TD", "【乙小贷】"
	v["transferor"], v["transferee"] = "甲小额贷款有限公司", "乙小额贷款有限公司"
	v["transferor_code"], v["transferee_code"] = "91330100MA27XY0125", "91110108MA01ABC039"
	v["cutoff"], v["reply_by"], v["date"] = "2027-01-01", "2026-12-31", "2026-12-02"
	v["contracts"], v["outstanding"] = "JK-2024-001、JK-2025-017", "¥12,345.67"
	v["hotline"], v["servicing_phone"], v["complaints_phone"] = "400-800-1234", "010-8888 0000", "010-8888 0001"
	v["transferee_phone"], v["transferee_address"] = "010-8888 0000", "北京市海淀区中关村大街1号"
	v["repay_account_name"], v["repay_account_bank"], v["repay_account_no"] = "乙小额贷款有限公司", "中国工商银行北京中关村支行", "0200 0000 0000 0001 234"
	v["repay_channels"], v["purpose"], v["method"] = "银行转账、微信小程序“乙贷服务”", "贷款管理、催收和客户服务", "收集、存储、使用"
	v["categories"] = "姓名、身份证号、联系方式、住址、借款及还款记录"
	return v
}

// Every built-in template is complete, names only known fields, and renders for its deal
// types in both languages with no placeholder left and no empty value.
func TestEveryTemplateRendersForItsDealTypes(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tpl := range all {
		for _, d := range tpl.DealTypes {
			covered[d] = true
		}
		for _, lang := range []string{"zh-CN", "en"} {
			title, paras, slip, err := tpl.Render(lang, sample())
			if err != nil {
				t.Fatalf("%s %s: %v", tpl.ID, lang, err)
			}
			for _, s := range append(append([]string{title}, paras...), slip...) {
				if strings.Contains(s, "{{") || strings.Contains(s, "<nil>") || strings.Contains(s, "«»") {
					t.Errorf("%s %s: %q", tpl.ID, lang, s)
				}
			}
			sms, err := tpl.Fill(tpl.SMS[lang], sample())
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckSMS(sms); err != nil {
				t.Errorf("%s %s SMS: %v", tpl.ID, lang, err)
			}
		}
	}
	for _, d := range []string{"loan-book", "merger", "equity"} {
		if !covered[d] {
			t.Errorf("no notice template for deal type %s", d)
		}
	}
}

// A placeholder the data cannot fill stops the letter with the template and field named; a
// template naming an unknown field is refused when read.
func TestMissingAndUnknownFields(t *testing.T) {
	all, _ := Builtin()
	tpl := all["loan-book-borrower"]
	v := sample()
	v["hotline"] = "  "
	_, _, _, err := tpl.Render("zh-CN", v)
	var missing *MissingFieldError
	if !errors.As(err, &missing) || missing.Field != "hotline" || missing.Template != "loan-book-borrower" || missing.Source != "setup" {
		t.Fatalf("a blank hotline: %v", err)
	}
	b, _ := os.ReadFile("../../assets/notices/loan-book-borrower.json")
	bad := strings.Replace(string(b), "{{hotline}}", "{{hot_line}}", 1)
	_, err = Parse([]byte(bad))
	var unknown *UnknownFieldError
	if !errors.As(err, &unknown) || unknown.Field != "hot_line" {
		t.Fatalf("an unknown field: %v", err)
	}
	if _, err := Parse([]byte(strings.Replace(string(b), `"{{sms_signature}}`, `"`, 2))); !errors.Is(err, ErrTemplate) {
		t.Fatalf("an SMS without the signature placeholder: %v", err)
	}
}

// Segment counts follow GSM 03.38 and UCS-2: 160/153 and 70/67 characters.
func TestSegments(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want int
	}{
		{"", 0},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3},
		{strings.Repeat("{", 80), 1}, // extension characters count twice
		{strings.Repeat("{", 81), 2},
		{strings.Repeat("贷", 70), 1},
		{strings.Repeat("贷", 71), 2},
		{strings.Repeat("贷", 134), 2},
		{strings.Repeat("贷", 135), 3},
		{"【乙小贷】" + strings.Repeat("a", 65), 1}, // one Chinese character makes it all UCS-2
		{strings.Repeat("a", 69) + "😀", 2},     // outside the BMP: two units
	} {
		if got := Segments(c.msg); got != c.want {
			t.Errorf("%d chars %q…: %d segments, want %d", Chars(c.msg), c.msg[:min(len(c.msg), 12)], got, c.want)
		}
	}
}

// No SMS carries an identity number or a card number, and every one is signed.
func TestCheckSMS(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want error
	}{
		{"【乙小贷】您的贷款已转让。", nil},
		{"您的贷款已转让。", ErrSMSSignature},
		{"【乙小贷】身份证 11010519491231002X", ErrSMSIdentity},
		{"【乙小贷】卡号 6222020000000000001", ErrSMSIdentity},
		{"【乙小贷】客服 400-800-1234", nil},
	} {
		if err := CheckSMS(c.msg); !errors.Is(err, c.want) {
			t.Errorf("%q: %v, want %v", c.msg, err, c.want)
		}
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewCode()
		if NormalizeCode(c) != c || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if NormalizeCode("7k3mq9td") != "7K3M-Q9TD" || NormalizeCode("7K3M-Q9T") != "" || NormalizeCode("OIL0-0000") != "0110-0000" {
		t.Fatal("normalising codes")
	}
}

// A batch of letters is a deterministic PDF; each letter numbers its own pages; an address
// too long for the window is reported, not cut.
func TestLettersGolden(t *testing.T) {
	all, _ := Builtin()
	issued := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	for _, lang := range []string{"zh-CN", "en"} {
		b := NewBatch(lang, "NB-GOLDEN", issued)
		for _, id := range []string{"loan-book-borrower", "merger-borrower"} {
			title, paras, slip, err := all[id].Render(lang, sample())
			if err != nil {
				t.Fatal(err)
			}
			addr, err := b.Address("北京市朝阳区建国路88号现代城小区5号楼2单元1203室", "张三")
			if err != nil {
				t.Fatal(err)
			}
			b.Add(Letter{Code: "7K3M-Q9TD", Sender: "乙小额贷款有限公司 · 北京市海淀区中关村大街1号", Address: addr, Title: title, Paragraphs: paras, ReplySlip: slip})
		}
		if _, err := b.Address(strings.Repeat("北京市朝阳区建国路88号现代城", 12), "张三"); err == nil {
			t.Fatal("an address longer than the window was accepted")
		}
		pdf, err := b.PDF()
		if err != nil {
			t.Fatal(err)
		}
		doctest.Golden(t, "letters-"+lang+".pdf", pdf)
	}
}

// A report written in GBK (as Chinese Windows tools write it) reads like one in UTF-8.
func TestReadReportGBK(t *testing.T) {
	utf := "参考号,状态,原因\n7K3M-Q9TD,失败,空号\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(utf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ReadReport(strings.NewReader(gbk))
	if err != nil || len(rows) != 1 || rows[0].Status != ReportFailed || rows[0].Reason != "空号" || rows[0].Reference != "7K3M-Q9TD" {
		t.Fatalf("%+v %v", rows, err)
	}
}
