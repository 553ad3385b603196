package report

import (
	"fmt"
	"time"

	"handover/app/doc"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"reg.title": "保密协议与培训登记报告", "reg.footer": "报告编号 %s · 第 %d 页 共 %s 页",
			"reg.operators": "一、操作员状态", "reg.operators_note": "交接项目登记后，没有有效保密协议或培训记录的操作员不能查看明文、导出、签发证书或销毁（个人信息保护法第五十一条）。",
			"reg.operator": "操作员", "reg.role": "角色", "reg.nda": "保密协议", "reg.training": "培训", "reg.current": "有效", "reg.missing": "缺少（%s）",
			"reg.ndas": "二、保密协议登记册", "reg.trainings": "三、培训登记册",
			"reg.person": "人员", "reg.version": "版本", "reg.signed": "签署日", "reg.until": "到期日", "reg.no_end": "无期限",
			"reg.liability": "违约责任条款", "reg.yes": "有", "reg.no": "无（不计入）", "reg.file": "签署文件 SHA-256",
			"reg.date": "培训日", "reg.content": "内容", "reg.trainer": "培训人", "reg.score": "成绩", "reg.expires": "有效期至", "reg.none": "无记录",
			"reg.reason.none": "无记录", "reg.reason.expired": "已过期", "reg.reason.no_liability": "无违约责任条款", "reg.reason.failed": "成绩不合格",
			"reg.role.transferor": "出让方经办", "reg.role.transferee": "受让方经办", "reg.role.witness": "见证人", "reg.role.auditor": "合规审计", "reg.role.admin": "管理员",
		},
		"en": {
			"reg.title": "NDA and Training Register Report", "reg.footer": "Report %s · page %d of %s",
			"reg.operators": "1. Operators", "reg.operators_note": "Once a deal is recorded, an operator without a current NDA or training record cannot reveal, export, issue certificates or destroy (PIPL Art. 51).",
			"reg.operator": "Operator", "reg.role": "Role", "reg.nda": "NDA", "reg.training": "Training", "reg.current": "current", "reg.missing": "missing (%s)",
			"reg.ndas": "2. NDA register", "reg.trainings": "3. Training register",
			"reg.person": "Person", "reg.version": "Version", "reg.signed": "Signed", "reg.until": "Until", "reg.no_end": "no end",
			"reg.liability": "Liability clause", "reg.yes": "yes", "reg.no": "no (does not count)", "reg.file": "Signed copy SHA-256",
			"reg.date": "Date", "reg.content": "Content", "reg.trainer": "Trainer", "reg.score": "Score", "reg.expires": "Expires", "reg.none": "no records",
			"reg.reason.none": "no record", "reg.reason.expired": "expired", "reg.reason.no_liability": "no liability clause", "reg.reason.failed": "failed",
			"reg.role.transferor": "transferor officer", "reg.role.transferee": "transferee officer", "reg.role.witness": "witness", "reg.role.auditor": "compliance auditor", "reg.role.admin": "administrator",
		},
	})
}

// Registers is what the registers report states.
type Registers struct {
	Vault, Workstation string
	Issued             time.Time
	Operators          []RegisterOperator
	NDAs               []RegisterNDA
	Trainings          []RegisterTraining
}

// RegisterOperator is one operator's standing: "" when current, else the reason a record
// is missing (none, expired, no_liability, failed).
type RegisterOperator struct {
	Name, Role      string
	NDAMissing      string
	TrainingMissing string
}

// RegisterNDA is one line of the NDA register.
type RegisterNDA struct {
	Person, Version, Signed, Until, SHA256 string
	Liability                              bool
}

// RegisterTraining is one line of the training register.
type RegisterTraining struct {
	Person, Date, Content, Trainer, Score, Expires string
}

// RenderRegisters draws the registers report.
func RenderRegisters(r *Registers, lang string) ([]byte, error) {
	id := "RG-" + r.Issued.UTC().Format("20060102-150405")
	d := doc.New(lang, r.Issued, "reg.title", "reg.footer", id)
	d.S.AddPage()
	d.Title(d.L("reg.title"))
	d.S.Ln(3)
	d.Fields(34, 140, [][2]string{
		{d.L("retention.report_id"), id},
		{d.L("cert.vault"), r.Vault},
		{d.L("cert.issued"), doc.LocalTime(r.Issued)},
		{d.L("cert.workstation"), r.Workstation},
	})
	d.Section(d.L("reg.operators"))
	standing := func(missing string) string {
		if missing == "" {
			return d.L("reg.current")
		}
		return fmt.Sprintf(d.L("reg.missing"), d.L("reg.reason."+missing))
	}
	var rows [][]string
	for _, op := range r.Operators {
		rows = append(rows, []string{doc.Clip(op.Name, 20), d.L("reg.role." + op.Role), standing(op.NDAMissing), standing(op.TrainingMissing)})
	}
	d.Table([]float64{50, 34, 45, 45}, "LLLL", []string{d.L("reg.operator"), d.L("reg.role"), d.L("reg.nda"), d.L("reg.training")}, rows)
	d.Paragraph(8.5, 4.5, d.L("reg.operators_note"))
	d.Section(d.L("reg.ndas"))
	if len(r.NDAs) == 0 {
		d.Paragraph(9.5, 6, d.L("reg.none"))
	} else {
		rows = nil
		for _, n := range r.NDAs {
			until, liab := n.Until, d.L("reg.yes")
			if until == "" {
				until = d.L("reg.no_end")
			}
			if !n.Liability {
				liab = d.L("reg.no")
			}
			rows = append(rows, []string{doc.Clip(n.Person, 12), doc.Clip(n.Version, 10), n.Signed, until, liab, n.SHA256[:16] + "…"})
		}
		d.Table([]float64{30, 22, 22, 22, 30, 48}, "LLLLLL", []string{d.L("reg.person"), d.L("reg.version"), d.L("reg.signed"),
			d.L("reg.until"), d.L("reg.liability"), d.L("reg.file")}, rows)
	}
	d.Section(d.L("reg.trainings"))
	if len(r.Trainings) == 0 {
		d.Paragraph(9.5, 6, d.L("reg.none"))
	} else {
		rows = nil
		for _, t := range r.Trainings {
			rows = append(rows, []string{doc.Clip(t.Person, 12), t.Date, doc.Clip(t.Content, 22), doc.Clip(t.Trainer, 10), t.Score, t.Expires})
		}
		d.Table([]float64{30, 22, 52, 26, 18, 26}, "LLLLRL", []string{d.L("reg.person"), d.L("reg.date"), d.L("reg.content"),
			d.L("reg.trainer"), d.L("reg.score"), d.L("reg.expires")}, rows)
	}
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("registers report: %w", err)
	}
	return pdf, nil
}
