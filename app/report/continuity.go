package report

import (
	"fmt"
	"time"

	"handover/app/doc"
	"handover/store/model"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"cont.title": "业务连续性报告", "cont.footer": "报告编号 %s · 第 %d 页 共 %s 页",
			"cont.plan": "一、切换安排", "cont.cutoff": "切换日", "cont.old_closes": "原账户停止收款", "cont.new_from": "新账户启用",
			"cont.complaints": "投诉与争议处理", "cont.credit": "征信报送", "cont.credit_value": "%s，自 %s 起",
			"cont.party.transferor": "出让方", "cont.party.transferee": "受让方", "cont.recorded": "记录人", "cont.no_plan": "尚未记录（handover continuity plan）",
			"cont.due": "二、切换日后到期的客户", "cont.due_note": "账册只记录贷款而不记录还款计划：未结清的贷款按放款日每月到期、至到期日止推算。",
			"cont.window": "切换日后", "cont.window_days": "%d 天内", "cont.customers": "客户数", "cont.instalments": "期数", "cont.outstanding": "剩余本金",
			"cont.items": "三、双方签认事项", "cont.item": "事项", "cont.state": "状态",
			"cont.payments": "四、出让方切换日后收到的还款及转交", "cont.pay_id": "编号", "cont.pay_customer": "客户编号", "cont.pay_amount": "金额",
			"cont.pay_received": "收到日", "cont.pay_forwarded": "转交日", "cont.not_forwarded": "未转交",
			"cont.total_received": "收到合计", "cont.total_forwarded": "已转交合计", "cont.total_outstanding": "待转交",
			"cont.reconciles": "核对结果", "cont.reconciled": "一致：收到的每笔还款均已转交", "cont.unreconciled": "不一致：仍有 %s 待转交",
			"cont.no_payments": "无",
		},
		"en": {
			"cont.title": "Business Continuity Report", "cont.footer": "Report %s · page %d of %s",
			"cont.plan": "1. The change-over", "cont.cutoff": "Cut-off", "cont.old_closes": "Old account stops taking payments", "cont.new_from": "New account from",
			"cont.complaints": "Complaints and disputes", "cont.credit": "Credit reporting", "cont.credit_value": "%s, from %s",
			"cont.party.transferor": "the transferor", "cont.party.transferee": "the transferee", "cont.recorded": "Recorded by", "cont.no_plan": "not recorded yet (handover continuity plan)",
			"cont.due": "2. Customers falling due after the cut-off", "cont.due_note": "The book holds loans, not their schedules: an open loan is taken to fall due monthly on its disbursement day, up to its maturity.",
			"cont.window": "After the cut-off", "cont.window_days": "within %d days", "cont.customers": "Customers", "cont.instalments": "Instalments", "cont.outstanding": "Principal outstanding",
			"cont.items": "3. Items both parties sign off", "cont.item": "Item", "cont.state": "State",
			"cont.payments": "4. Repayments the transferor received after the cut-off, and their forwarding", "cont.pay_id": "ID", "cont.pay_customer": "Customer", "cont.pay_amount": "Amount",
			"cont.pay_received": "Received", "cont.pay_forwarded": "Forwarded", "cont.not_forwarded": "not forwarded",
			"cont.total_received": "Received in total", "cont.total_forwarded": "Forwarded in total", "cont.total_outstanding": "Still to forward",
			"cont.reconciles": "Reconciliation", "cont.reconciled": "reconciles: every repayment received was forwarded", "cont.unreconciled": "does not reconcile: %s still to forward",
			"cont.no_payments": "none",
		},
	})
}

// Continuity is what the continuity report states.
type Continuity struct {
	Vault, Workstation string
	Issued             time.Time
	Cutoff             model.Date
	Planned            bool
	OldCloses, NewFrom model.Date
	Complaints         string
	CreditReporter     string
	CreditFrom         model.Date
	PlannedBy          string
	Due                []ContinuityDue
	Items              []ContinuityItem
	Payments           []ContinuityPayment
	Received           model.Fen
	Forwarded          model.Fen
}

// ContinuityDue is one window after the cut-off.
type ContinuityDue struct {
	Days                   int
	Customers, Instalments int64
	Outstanding            model.Fen
}

// ContinuityItem is a checklist item both parties sign off, with its state in words.
type ContinuityItem struct{ Title, State string }

// ContinuityPayment is one line of the register.
type ContinuityPayment struct {
	ID                  string
	Customer            model.CustomerNo
	Amount              model.Fen
	Received, Forwarded model.Date
}

// RenderContinuity draws the continuity report.
func RenderContinuity(r *Continuity, lang string) ([]byte, error) {
	id := "BC-" + r.Issued.UTC().Format("20060102-150405")
	d := doc.New(lang, r.Issued, "cont.title", "cont.footer", id)
	p := d.S
	p.AddPage()
	d.Title(d.L("cont.title"))
	p.Ln(3)
	d.Fields(34, 140, [][2]string{
		{d.L("retention.report_id"), id},
		{d.L("cert.vault"), r.Vault},
		{d.L("cert.issued"), doc.LocalTime(r.Issued)},
		{d.L("cert.workstation"), r.Workstation},
	})
	d.Section(d.L("cont.plan"))
	if !r.Planned {
		d.Paragraph(9.5, 6, d.L("cont.no_plan"))
	} else {
		d.Fields(50, 124, [][2]string{
			{d.L("cont.cutoff"), r.Cutoff.String()},
			{d.L("cont.old_closes"), r.OldCloses.String()},
			{d.L("cont.new_from"), r.NewFrom.String()},
			{d.L("cont.complaints"), r.Complaints},
			{d.L("cont.credit"), fmt.Sprintf(d.L("cont.credit_value"), d.L("cont.party."+r.CreditReporter), r.CreditFrom)},
			{d.L("cont.recorded"), r.PlannedBy},
		})
	}
	d.Section(d.L("cont.due"))
	var rows [][]string
	for _, b := range r.Due {
		rows = append(rows, []string{fmt.Sprintf(d.L("cont.window_days"), b.Days), model.Group(b.Customers), model.Group(b.Instalments), "¥" + b.Outstanding.Yuan()})
	}
	d.Table([]float64{44, 40, 40, 50}, "LRRR", []string{d.L("cont.window"), d.L("cont.customers"), d.L("cont.instalments"), d.L("cont.outstanding")}, rows)
	d.Paragraph(8.5, 4.5, d.L("cont.due_note"))
	d.Section(d.L("cont.items"))
	rows = nil
	for _, it := range r.Items {
		rows = append(rows, []string{doc.Clip(it.Title, 44), it.State})
	}
	d.Table([]float64{134, 40}, "LL", []string{d.L("cont.item"), d.L("cont.state")}, rows)
	d.Section(d.L("cont.payments"))
	if len(r.Payments) == 0 {
		d.Paragraph(9.5, 6, d.L("cont.no_payments"))
	} else {
		rows = nil
		for _, pay := range r.Payments {
			fwd := d.L("cont.not_forwarded")
			if !pay.Forwarded.IsZero() {
				fwd = pay.Forwarded.String()
			}
			rows = append(rows, []string{pay.ID, fmt.Sprint(pay.Customer), "¥" + pay.Amount.Yuan(), pay.Received.String(), fwd})
		}
		d.Table([]float64{40, 28, 40, 33, 33}, "LRRLL", []string{d.L("cont.pay_id"), d.L("cont.pay_customer"), d.L("cont.pay_amount"),
			d.L("cont.pay_received"), d.L("cont.pay_forwarded")}, rows)
	}
	p.Ln(2)
	state := d.L("cont.reconciled")
	if r.Received != r.Forwarded {
		state = fmt.Sprintf(d.L("cont.unreconciled"), "¥"+(r.Received-r.Forwarded).Yuan())
	}
	d.Fields(50, 124, [][2]string{
		{d.L("cont.total_received"), "¥" + r.Received.Yuan()},
		{d.L("cont.total_forwarded"), "¥" + r.Forwarded.Yuan()},
		{d.L("cont.total_outstanding"), "¥" + (r.Received - r.Forwarded).Yuan()},
		{d.L("cont.reconciles"), state},
	})
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("continuity report: %w", err)
	}
	return pdf, nil
}
