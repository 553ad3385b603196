package lawcite

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestChinese(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"PIPL Art. 23", "《个人信息保护法》第二十三条"},
		{"PIPL Art. 51(1), (4)", "《个人信息保护法》第五十一条第（一）项、第（四）项"},
		{"PIPL Art. 5–7", "《个人信息保护法》第五条至第七条"},
		{"Civil Code Art. 546; PIPL Art. 23", "《民法典》第五百四十六条；《个人信息保护法》第二十三条"},
		{"PIPL Art. 55(1), (3), 56", "《个人信息保护法》第五十五条第（一）项、第（三）项、第五十六条"},
		{"Company Law (2023) Art. 220, 222", "《公司法》（2023年修订）第二百二十条、第二百二十二条"},
		{"Credit Reporting Industry Regulation (2013)", "《征信业管理条例》（2013年）"},
		{"Network Data Regulations Art. 9; ISO/IEC 27001:2022 A.8.13", "《网络数据安全管理条例》第九条；ISO/IEC 27001:2022 A.8.13"},
		{"Civil Code Art. 105", "《民法典》第一百零五条"},
		{"PIPL Art. 10", "《个人信息保护法》第十条"},
	} {
		if got := Chinese(tc.in); got != tc.want {
			t.Errorf("Chinese(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every citation in the templates reads in Chinese without Latin law names left over.
func TestEveryTemplateCitation(t *testing.T) {
	latin := regexp.MustCompile(`PIPL|Civil Code|Art\.|Law|Regulation|Provisions`)
	n := 0
	filepath.Walk("../../assets", func(path string, info os.FileInfo, err error) error {
		if err != nil || filepath.Ext(path) != ".json" || filepath.Base(filepath.Dir(path)) == "translations" {
			return nil
		}
		b, _ := os.ReadFile(path)
		var v any
		if json.Unmarshal(b, &v) != nil {
			return nil
		}
		walk(v, func(law string) {
			n++
			if got := Chinese(law); latin.MatchString(got) {
				t.Errorf("%s: %q reads %q", filepath.Base(path), law, got)
			}
		})
		return nil
	})
	if n < 50 {
		t.Fatalf("only %d citations found", n)
	}
}

func walk(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "law" {
				fn(s)
			}
			walk(e, fn)
		}
	case []any:
		for _, e := range x {
			walk(e, fn)
		}
	}
}
