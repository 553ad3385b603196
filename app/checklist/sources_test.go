package checklist

import "testing"

// Every source an item cites has a title in both languages.
func TestEverySourceHasATitle(t *testing.T) {
	for _, dt := range DealTypes {
		tpl, err := Load(dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, ph := range tpl.Phases {
			for _, it := range ph.Items {
				for _, lang := range []string{"zh-CN", "en"} {
					if SourceTitle(it.Source, lang) == "" {
						t.Errorf("%s/%s: source %q has no title in %s", dt, it.ID, it.Source, lang)
					}
				}
			}
		}
	}
	if got := SourceTitle("§四.3", "zh-CN"); got != "“客户资料的移交流程”之“数据备份”" {
		t.Errorf("§四.3: %q", got)
	}
}
