package report

import (
	"fmt"
	"strings"
	"time"

	"handover/app/doc"
	"handover/store/model"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"inc.authority": "个人信息安全事件报告", "inc.individuals": "个人信息安全事件告知书（草稿）", "inc.footer": "事件 %s · 第 %d 页 共 %s 页",
			"inc.id": "事件编号", "inc.kind": "事件类型", "inc.discovered": "发现时间", "inc.state": "状态", "inc.handler": "个人信息处理者",
			"inc.to": "报送", "inc.summary": "一、事件经过", "inc.scope": "二、涉及的个人和信息",
			"inc.customers": "涉及个人（户）", "inc.records": "记录", "inc.sensitive": "含以下信息的个人（户）", "inc.encrypted": "保护状态",
			"inc.encrypted_yes": "资料在以 age 加密的移交包中，只有以下接收人的身份可解密：%s", "inc.encrypted_no": "资料未加密（或来源不是加密的移交包）",
			"inc.window": "访问时段", "inc.accesses": "审计日志中的访问",
			"inc.art57": "三、第五十七条规定的事项", "inc.categories": "信息种类", "inc.cause": "原因", "inc.harm": "可能造成的危害",
			"inc.measures": "已采取的补救措施", "inc.advice": "个人可以采取的减轻危害的措施", "inc.contact": "处理者的联系方式",
			"inc.decision": "四、是否通知个人的决定", "inc.notify_yes": "通知个人", "inc.notify_no": "不通知个人（已采取的措施能够有效避免危害，第五十七条第二款），仍向主管部门报告",
			"inc.reasoning": "理由", "inc.decided_by": "决定人", "inc.due": "通知期限", "inc.authorities": "报告的部门",
			"inc.actions": "五、整改措施", "inc.action": "措施", "inc.owner": "负责人", "inc.action_due": "期限", "inc.done": "完成",
			"inc.open": "未完成", "inc.root_cause": "根本原因", "inc.timeline": "六、时间线", "inc.none": "尚未记录",
			"inc.dear": "尊敬的客户：", "inc.intro": "我们在此告知您一起可能涉及您个人信息的安全事件（编号 %s）。以下各项依《个人信息保护法》第五十七条写明。",
			"inc.seal": "%s（盖章）", "inc.kind.lost_media": "存储介质丢失", "inc.kind.wrong_recipient": "误送给错误的接收方",
			"inc.kind.unauthorised_access": "越权访问", "inc.kind.other": "其他",
			"inc.state.open": "处理中", "inc.state.contained": "已控制", "inc.state.notified": "已通知", "inc.state.closed": "已关闭",
			"inc.draft_note":      "本文为草稿，由保管库中的事件记录生成；发出前请核对并盖章。逐户的告知书与短信经“客户通知”按客户生成并跟踪送达。",
			"inc.notify":          "是否通知个人",
			"inc.class.customers": "客户", "inc.class.loans": "借款", "inc.class.repayments": "还款", "inc.class.documents": "扫描件",
			"inc.field.id_number": "身份证号", "inc.field.phone": "手机号", "inc.field.bank_card": "银行卡号", "inc.field.address": "住址",
			"inc.tl.discovered": "发现：%s", "inc.tl.opened": "登记事件%s", "inc.tl.note": "%s", "inc.tl.decided": "记录是否通知的决定（决定人 %s）",
			"inc.tl.state": "状态改为：%s", "inc.tl.action": "整改措施：%s", "inc.tl.action_done": "整改措施 %s 已完成", "inc.tl.root_cause": "根本原因：%s",
			"inc.tl.signoff": "关闭签认%s", "inc.when": "时间", "inc.who": "人员", "inc.what": "事项",
		},
		"en": {
			"inc.authority": "Personal-Information Incident Report", "inc.individuals": "Notice of a Personal-Information Incident (draft)", "inc.footer": "Incident %s · page %d of %s",
			"inc.id": "Incident", "inc.kind": "Kind", "inc.discovered": "Discovered", "inc.state": "State", "inc.handler": "Handler",
			"inc.to": "To", "inc.summary": "1. What happened", "inc.scope": "2. The individuals and information concerned",
			"inc.customers": "Individuals", "inc.records": "Records", "inc.sensitive": "Individuals with this information", "inc.encrypted": "Protection",
			"inc.encrypted_yes": "the data was in an age-encrypted package, readable only with the identities of: %s", "inc.encrypted_no": "the data was not encrypted (or did not come from an encrypted package)",
			"inc.window": "Access window", "inc.accesses": "Accesses in the audit log",
			"inc.art57": "3. What PIPL Art. 57 asks to state", "inc.categories": "Categories of information", "inc.cause": "Cause", "inc.harm": "Possible harm",
			"inc.measures": "Remedial measures taken", "inc.advice": "What individuals can do to reduce harm", "inc.contact": "The handler's contact",
			"inc.decision": "4. The decision on notifying individuals", "inc.notify_yes": "individuals are notified", "inc.notify_no": "individuals are not notified (the measures effectively avoid harm, Art. 57 second paragraph); the authorities are still told",
			"inc.reasoning": "Reasoning", "inc.decided_by": "Decided by", "inc.due": "Notices by", "inc.authorities": "Authorities told",
			"inc.actions": "5. Remediation", "inc.action": "Action", "inc.owner": "Owner", "inc.action_due": "Due", "inc.done": "Done",
			"inc.open": "open", "inc.root_cause": "Root cause", "inc.timeline": "6. Timeline", "inc.none": "not recorded yet",
			"inc.dear": "Dear customer,", "inc.intro": "We are writing to tell you of a security incident that may concern your personal information (reference %s). What PIPL Art. 57 asks us to tell you follows.",
			"inc.seal": "%s (seal)", "inc.kind.lost_media": "storage medium lost", "inc.kind.wrong_recipient": "sent to the wrong recipient",
			"inc.kind.unauthorised_access": "unauthorised access", "inc.kind.other": "other",
			"inc.state.open": "open", "inc.state.contained": "contained", "inc.state.notified": "notified", "inc.state.closed": "closed",
			"inc.draft_note":      "A draft, drawn from the incident's record in the vault; check and seal it before it goes. Each customer's letter and SMS are generated and tracked through Notices.",
			"inc.notify":          "Notify individuals",
			"inc.class.customers": "customers", "inc.class.loans": "loans", "inc.class.repayments": "repayments", "inc.class.documents": "scans",
			"inc.field.id_number": "identity number", "inc.field.phone": "mobile", "inc.field.bank_card": "bank card", "inc.field.address": "address",
			"inc.tl.discovered": "discovered: %s", "inc.tl.opened": "recorded%s", "inc.tl.note": "%s", "inc.tl.decided": "decision on notification recorded (by %s)",
			"inc.tl.state": "state now: %s", "inc.tl.action": "action: %s", "inc.tl.action_done": "action %s done", "inc.tl.root_cause": "root cause: %s",
			"inc.tl.signoff": "closing sign-off%s", "inc.when": "When", "inc.who": "Who", "inc.what": "What",
		},
	})
}

// Incident is what an incident's drafts state.
type Incident struct {
	ID, Kind, State, Summary, Handler string
	Discovered, Issued                time.Time
	Customers                         int
	Records, Sensitive                map[string]int64
	Encrypted                         bool
	Recipients                        []string
	From, To                          time.Time
	Accesses                          map[string]int64
	Categories                        string
	Cause, Harm, Measures, Advice     string
	Contact                           string
	Decided                           bool
	NotifyIndividuals                 bool
	Reasoning, DecidedBy              string
	Authorities                       []string
	Due                               model.Date
	RootCause                         string
	Actions                           [][4]string // what, owner, due, done
	Timeline                          [][4]string // when, who, code, text (or what, without a code)
}

// RenderIncident draws an incident's draft: "authority", the report to the authorities, or
// "individuals", the notice to the people concerned. Both carry every Art. 57 element.
func RenderIncident(r *Incident, which, lang string) ([]byte, error) {
	title := "inc.authority"
	if which == "individuals" {
		title = "inc.individuals"
	}
	d := doc.New(lang, r.Issued, title, "inc.footer", r.ID)
	d.S.AddPage()
	d.Title(d.L(title))
	d.S.Ln(3)
	or := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return d.L("inc.none")
		}
		return s
	}
	art57 := [][2]string{
		{d.L("inc.categories"), or(r.Categories)},
		{d.L("inc.cause"), or(r.Cause)},
		{d.L("inc.harm"), or(r.Harm)},
		{d.L("inc.measures"), or(r.Measures)},
		{d.L("inc.advice"), or(r.Advice)},
		{d.L("inc.contact"), or(r.Contact)},
	}
	if which == "individuals" {
		d.Paragraph(10, 6, d.L("inc.dear"))
		d.Paragraph(10, 6, fmt.Sprintf(d.L("inc.intro"), r.ID))
		for _, f := range art57 {
			d.Paragraph(10, 6, f[0]+(map[bool]string{true: "：", false: ": "}[d.Lang == "zh-CN"])+f[1])
		}
		d.S.Ln(4)
		d.Paragraph(10, 6, fmt.Sprintf(d.L("inc.seal"), r.Handler)+"        "+doc.LocalTime(r.Issued)[:10])
		d.Paragraph(8.5, 4.5, d.L("inc.draft_note"))
		pdf, _, err := d.PDF()
		return pdf, err
	}
	d.Fields(34, 140, [][2]string{
		{d.L("inc.id"), r.ID},
		{d.L("inc.handler"), r.Handler},
		{d.L("inc.kind"), d.L("inc.kind." + r.Kind)},
		{d.L("inc.discovered"), doc.LocalTime(r.Discovered)},
		{d.L("inc.state"), d.L("inc.state." + r.State)},
		{d.L("cert.issued"), doc.LocalTime(r.Issued)},
	})
	d.Section(d.L("inc.summary"))
	d.Paragraph(9.5, 5.5, r.Summary)
	d.Section(d.L("inc.scope"))
	fields := [][2]string{{d.L("inc.customers"), model.Group(int64(r.Customers))}}
	var recs, sens []string
	for _, k := range []string{"customers", "loans", "repayments", "documents"} {
		if n := r.Records[k]; n > 0 {
			recs = append(recs, d.L("inc.class."+k)+" "+model.Group(n))
		}
	}
	for _, k := range []string{"id_number", "phone", "bank_card", "address"} {
		if n := r.Sensitive[k]; n > 0 {
			sens = append(sens, d.L("inc.field."+k)+" "+model.Group(n))
		}
	}
	fields = append(fields, [2]string{d.L("inc.records"), strings.Join(recs, " · ")}, [2]string{d.L("inc.sensitive"), strings.Join(sens, " · ")})
	enc := d.L("inc.encrypted_no")
	if r.Encrypted {
		var short []string
		for _, fp := range r.Recipients {
			short = append(short, doc.Clip(fp, 16))
		}
		enc = fmt.Sprintf(d.L("inc.encrypted_yes"), strings.Join(short, ", "))
	}
	fields = append(fields, [2]string{d.L("inc.encrypted"), enc})
	if !r.From.IsZero() {
		fields = append(fields, [2]string{d.L("inc.window"), doc.LocalTime(r.From) + " – " + doc.LocalTime(r.To)})
		var acc []string
		for k, n := range r.Accesses {
			acc = append(acc, fmt.Sprintf("%s %d", k, n))
		}
		fields = append(fields, [2]string{d.L("inc.accesses"), strings.Join(acc, " · ")})
	}
	d.Fields(48, 126, fields)
	d.Section(d.L("inc.art57"))
	d.Fields(62, 112, art57)
	d.Section(d.L("inc.decision"))
	if !r.Decided {
		d.Paragraph(9.5, 6, d.L("inc.none"))
	} else {
		notify := d.L("inc.notify_no")
		if r.NotifyIndividuals {
			notify = d.L("inc.notify_yes")
		}
		d.Fields(48, 126, [][2]string{{d.L("inc.notify"), notify}, {d.L("inc.reasoning"), r.Reasoning}, {d.L("inc.decided_by"), r.DecidedBy},
			{d.L("inc.authorities"), strings.Join(r.Authorities, "、")}, {d.L("inc.due"), r.Due.String()}})
	}
	d.Section(d.L("inc.actions"))
	d.Fields(48, 126, [][2]string{{d.L("inc.root_cause"), or(r.RootCause)}})
	if len(r.Actions) > 0 {
		var rows [][]string
		for _, a := range r.Actions {
			done := a[3]
			if done == "" {
				done = d.L("inc.open")
			}
			rows = append(rows, []string{doc.Clip(a[0], 40), doc.Clip(a[1], 10), a[2], done})
		}
		d.Table([]float64{90, 30, 27, 27}, "LLLL", []string{d.L("inc.action"), d.L("inc.owner"), d.L("inc.action_due"), d.L("inc.done")}, rows)
	}
	d.Section(d.L("inc.timeline"))
	var rows [][]string
	for _, e := range r.Timeline {
		what := e[3]
		if e[2] != "" {
			what = fmt.Sprintf(d.L("inc.tl."+e[2]), e[3])
		}
		rows = append(rows, []string{e[0], doc.Clip(e[1], 10), doc.Clip(what, 50)})
	}
	d.Table([]float64{40, 30, 104}, "LLL", []string{d.L("inc.when"), d.L("inc.who"), d.L("inc.what")}, rows)
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("incident report: %w", err)
	}
	return pdf, nil
}

// IncidentState is an incident's state in words.
func IncidentState(lang, state string) string { return doc.Label(doc.Lang(lang), "inc.state."+state) }
