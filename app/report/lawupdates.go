package report

import (
	"fmt"
	"time"

	"handover/app/doc"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"lu.title": "法规更新登记报告", "lu.footer": "报告编号 %s · 第 %d 页 共 %s 页",
			"lu.register": "一、法规与标准的变化", "lu.effective": "生效日", "lu.law": "法规及条款", "lu.summary": "变化", "lu.impact": "影响的规则",
			"lu.actions": "采取的措施", "lu.led_to": "形成的版本", "lu.none": "尚无登记",
			"lu.versions": "二、本交接使用的规则版本", "lu.set": "规则", "lu.used": "本交接使用", "lu.current": "程序现行",
		},
		"en": {
			"lu.title": "Law-Update Register", "lu.footer": "Report %s · page %d of %s",
			"lu.register": "1. Changes in laws and standards", "lu.effective": "Effective", "lu.law": "Law and article", "lu.summary": "Change", "lu.impact": "Rules touched",
			"lu.actions": "Actions", "lu.led_to": "Version", "lu.none": "none recorded",
			"lu.versions": "2. The rule versions this deal used", "lu.set": "Rules", "lu.used": "Used by this deal", "lu.current": "Built in now",
		},
	})
}

// RenderLawUpdates draws the law-update register (rows: effective, law and article,
// summary, impact, actions, version) and the rule versions (set, used, current).
func RenderLawUpdates(vault, workstation string, issued time.Time, rows, versions [][]string, lang string) ([]byte, error) {
	id := "LU-" + issued.UTC().Format("20060102-150405")
	d := doc.New(lang, issued, "lu.title", "lu.footer", id)
	d.S.AddPage()
	d.Title(d.L("lu.title"))
	d.S.Ln(3)
	d.Fields(34, 140, [][2]string{{d.L("retention.report_id"), id}, {d.L("cert.vault"), vault}, {d.L("cert.issued"), doc.LocalTime(issued)}, {d.L("cert.workstation"), workstation}})
	d.Section(d.L("lu.register"))
	if len(rows) == 0 {
		d.Paragraph(9.5, 6, d.L("lu.none"))
	}
	for _, r := range rows {
		d.Fields(30, 144, [][2]string{{d.L("lu.effective"), r[0]}, {d.L("lu.law"), r[1]}, {d.L("lu.summary"), r[2]}, {d.L("lu.impact"), r[3]},
			{d.L("lu.actions"), r[4]}, {d.L("lu.led_to"), r[5]}})
		d.S.Ln(1)
	}
	d.Section(d.L("lu.versions"))
	d.Table([]float64{40, 67, 67}, "LLL", []string{d.L("lu.set"), d.L("lu.used"), d.L("lu.current")}, versions)
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("law-update report: %w", err)
	}
	return pdf, nil
}
