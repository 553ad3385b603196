// Package lawcite writes the law citations of the templates ("PIPL Art. 51(4); Civil Code
// Art. 546") as a Chinese reader expects them (《个人信息保护法》第五十一条第（四）项；《民法典》
// 第五百四十六条). The templates keep one form, in English, because the tests and the
// LEGAL.md tables compare them; the screens and PDFs show this one in Chinese.
package lawcite

import (
	"strconv"
	"strings"
)

// laws are the Chinese names of the laws the templates cite, by their English form.
var laws = []struct{ en, zh string }{
	{"Provisions on Promoting and Regulating Cross-Border Data Flows (2024)", "《促进和规范数据跨境流动规定》（2024年）"},
	{"2024 Provisions", "《促进和规范数据跨境流动规定》（2024年）"},
	{"Anti-Money-Laundering Law (2024 revision)", "《反洗钱法》（2024年修订）"},
	{"Anti-Money-Laundering Law", "《反洗钱法》"},
	{"AML Law", "《反洗钱法》"},
	{"Network Data Regulations", "《网络数据安全管理条例》"},
	{"Credit Reporting Industry Regulation (2013)", "《征信业管理条例》（2013年）"},
	{"Credit Reporting Industry Regulation", "《征信业管理条例》"},
	{"Enterprise Bankruptcy Law", "《企业破产法》"},
	{"Company Law (2023)", "《公司法》（2023年修订）"},
	{"Civil Code", "《民法典》"},
	{"PIPL", "《个人信息保护法》"},
}

// Chinese is a citation in Chinese; a part it does not know (ISO/IEC 27001:2022 A.8.13, a
// section of the source document) stays as written.
func Chinese(cite string) string {
	parts := strings.Split(cite, ";")
	for i, p := range parts {
		parts[i] = part(strings.TrimSpace(p))
	}
	return strings.Join(parts, "；")
}

// For is the citation in lang: Chinese for "zh-CN", as written otherwise.
func For(cite, lang string) string {
	if lang == "en" {
		return cite
	}
	return Chinese(cite)
}

func part(p string) string {
	name, arts, hasArts := strings.Cut(p, " Art. ")
	law := ""
	for _, l := range laws {
		if name == l.en {
			law = l.zh
			break
		}
	}
	if law == "" {
		return p
	}
	if !hasArts {
		return law
	}
	var out []string
	lastArt := ""
	for _, tok := range strings.Split(arts, ",") {
		tok = strings.TrimSpace(tok)
		art, item, _ := strings.Cut(tok, "(")
		item = strings.TrimSuffix(item, ")")
		switch {
		case art == "" && item != "" && lastArt != "":
			out = append(out, "第（"+numeral(item)+"）项") // "(4)": another item of the article before
		case strings.Contains(art, "–"):
			a, b, _ := strings.Cut(art, "–")
			out = append(out, "第"+numeral(a)+"条至第"+numeral(b)+"条")
		case item != "":
			out = append(out, "第"+numeral(art)+"条第（"+numeral(item)+"）项")
			lastArt = art
		default:
			if _, err := strconv.Atoi(art); err != nil {
				return p
			}
			out = append(out, "第"+numeral(art)+"条")
			lastArt = art
		}
	}
	return law + strings.Join(out, "、")
}

// numeral writes 1 to 999 in Chinese numerals (二十三, 一百零五, 五百四十六).
func numeral(s string) string {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 || n > 999 {
		return s
	}
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	h, t, u := n/100, n/10%10, n%10
	var b strings.Builder
	if h > 0 {
		b.WriteString(digits[h] + "百")
		if t == 0 && u > 0 {
			b.WriteString("零")
		}
	}
	if t > 0 {
		if !(t == 1 && h == 0) {
			b.WriteString(digits[t])
		}
		b.WriteString("十")
	}
	if u > 0 {
		b.WriteString(digits[u])
	}
	return b.String()
}
