package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"handover/app/doc"
	"handover/store/model"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"notices.title": "客户通知情况报告", "notices.footer": "报告编号 %s · 第 %d 页 共 %s 页",
			"notices.deal": "交易类型", "notices.cutoff": "切换日", "notices.reply_by": "回复截止日",
			"notices.required": "必须发出", "notices.optional": "可选",
			"notices.customers": "客户数", "notices.reached": "已送出（至少一个渠道）", "notices.pending": "尚未送出",
			"notices.consented": "同意", "notices.objected": "异议", "notices.no_answer": "逾期未答复", "notices.follow_ups": "待跟进",
			"notices.channel": "渠道", "notices.state": "状态", "notices.count": "件数",
			"notices.channel.letter": "信函", "notices.channel.sms": "短信", "notices.channel.mail": "邮寄清单",
			"notices.state.generated": "已生成", "notices.state.sent": "已发出", "notices.state.delivered": "已送达",
			"notices.state.failed": "失败", "notices.state.returned": "退回", "notices.state.unknown": "结果未知",
			"notices.follow_up_list": "待跟进客户（客户编号）", "notices.reason.failed": "各渠道均未送达", "notices.reason.objected": "提出异议",
			"notices.more": "另有 %d 户，见 handover notice list --state follow_up", "notices.none": "无",
			"notices.batches": "通知批次", "notices.batch_row": "%s · %s · %s · %d 件 · 清单摘要 %s",
		},
		"en": {
			"notices.title": "Customer Notice Report", "notices.footer": "Report %s · page %d of %s",
			"notices.deal": "Deal type", "notices.cutoff": "Cut-off", "notices.reply_by": "Replies by",
			"notices.required": "required", "notices.optional": "optional",
			"notices.customers": "Customers", "notices.reached": "Reached (at least one channel)", "notices.pending": "Not sent yet",
			"notices.consented": "Consented", "notices.objected": "Objected", "notices.no_answer": "No answer by the deadline", "notices.follow_ups": "Follow-ups open",
			"notices.channel": "Channel", "notices.state": "State", "notices.count": "Count",
			"notices.channel.letter": "letter", "notices.channel.sms": "SMS", "notices.channel.mail": "mailing list",
			"notices.state.generated": "generated", "notices.state.sent": "sent", "notices.state.delivered": "delivered",
			"notices.state.failed": "failed", "notices.state.returned": "returned", "notices.state.unknown": "outcome unknown",
			"notices.follow_up_list": "Customers to follow up (customer numbers)", "notices.reason.failed": "not delivered by any channel", "notices.reason.objected": "objected",
			"notices.more": "%d more: see handover notice list --state follow_up", "notices.none": "none",
			"notices.batches": "Batches", "notices.batch_row": "%s · %s · %s · %d notices · manifest %s",
		},
	})
}

// Notices is what the notice report states: per template the counts by outcome and by
// channel and state, the customers to follow up (by number), and the batches.
type Notices struct {
	Vault, Workstation string
	Issued             time.Time
	DealType           string
	Cutoff, ReplyBy    model.Date
	Templates          []NoticeTemplate
	Batches            []NoticeBatch
}

// NoticeTemplate is one template's figures.
type NoticeTemplate struct {
	ID, Title                     string
	Required                      bool
	Customers, Reached, Pending   int64
	Consented, Objected, NoAnswer int64
	ByChannel                     map[string]map[string]int
	FollowUps                     []model.CustomerNo
	FollowUpReasons               []string
}

// NoticeBatch is one batch as the report lists it.
type NoticeBatch struct {
	ID, Template, Channel, Manifest string
	Count                           int
}

// maxFollowUps is how many customer numbers the report lists; the rest are counted.
const maxFollowUps = 300

// RenderNotices draws the notice report.
func RenderNotices(r *Notices, lang string) ([]byte, error) {
	id := "NR-" + r.Issued.UTC().Format("20060102-150405")
	d := doc.New(lang, r.Issued, "notices.title", "notices.footer", id)
	p := d.S
	p.AddPage()
	d.Title(d.L("notices.title"))
	p.Ln(3)
	d.Fields(34, 140, [][2]string{
		{d.L("retention.report_id"), id},
		{d.L("cert.vault"), r.Vault},
		{d.L("cert.issued"), doc.LocalTime(r.Issued)},
		{d.L("cert.workstation"), r.Workstation},
		{d.L("notices.deal"), d.L("deal." + r.DealType)},
		{d.L("notices.cutoff"), r.Cutoff.String()},
		{d.L("notices.reply_by"), r.ReplyBy.String()},
	})
	for _, t := range r.Templates {
		req := d.L("notices.optional")
		if t.Required {
			req = d.L("notices.required")
		}
		open, shut := "（", "）"
		if d.Lang == "en" {
			open, shut = " (", ")"
		}
		d.Section(t.Title + open + req + shut)
		d.Fields(60, 114, [][2]string{
			{d.L("notices.customers"), model.Group(t.Customers)},
			{d.L("notices.reached"), model.Group(t.Reached)},
			{d.L("notices.pending"), model.Group(t.Pending)},
			{d.L("notices.consented"), model.Group(t.Consented)},
			{d.L("notices.objected"), model.Group(t.Objected)},
			{d.L("notices.no_answer"), model.Group(t.NoAnswer)},
			{d.L("notices.follow_ups"), model.Group(int64(len(t.FollowUps)))},
		})
		var rows [][]string
		var channels []string
		for ch := range t.ByChannel {
			channels = append(channels, ch)
		}
		sort.Strings(channels)
		for _, ch := range channels {
			var states []string
			for st := range t.ByChannel[ch] {
				states = append(states, st)
			}
			sort.Strings(states)
			for _, st := range states {
				rows = append(rows, []string{d.L("notices.channel." + ch), d.L("notices.state." + st), model.Group(int64(t.ByChannel[ch][st]))})
			}
		}
		if len(rows) > 0 {
			p.Ln(2)
			d.Table([]float64{58, 58, 58}, "LLR", []string{d.L("notices.channel"), d.L("notices.state"), d.L("notices.count")}, rows)
		}
		p.Ln(2)
		var list []string
		for i, no := range t.FollowUps {
			if i == maxFollowUps {
				list = append(list, fmt.Sprintf(d.L("notices.more"), len(t.FollowUps)-maxFollowUps))
				break
			}
			list = append(list, fmt.Sprintf("%d (%s)", no, d.L("notices.reason."+t.FollowUpReasons[i])))
		}
		text := d.L("notices.none")
		if len(list) > 0 {
			sep := "、"
			if d.Lang == "en" {
				sep = ", "
			}
			text = strings.Join(list, sep)
		}
		d.Paragraph(9.5, 5.5, d.L("notices.follow_up_list")+": "+text)
	}
	d.Section(d.L("notices.batches"))
	if len(r.Batches) == 0 {
		d.Paragraph(9.5, 6, d.L("notices.none"))
	}
	for _, b := range r.Batches {
		d.Paragraph(8.5, 5, fmt.Sprintf(d.L("notices.batch_row"), b.ID, b.Template, d.L("notices.channel."+b.Channel), b.Count, b.Manifest[:min(16, len(b.Manifest))]))
	}
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("notice report: %w", err)
	}
	return pdf, nil
}
