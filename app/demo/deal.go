package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"handover/app/assess"
	"handover/app/checklist"
	"handover/app/validate"
	"handover/app/vault"
	"handover/store/model"
)

// TransfereeName is the demo vault's operator for the receiving company, who signs off
// what both parties must agree (the figures).
const TransfereeName = "演示受让方"

func creditCode(body string) string { return body + string(validate.CreditCodeCheck(body)) }

// Deal is a demo deal of the given type between two fictitious companies: a merger is an
// absorption; an equity transfer's target is the transferor company, sold by a fictitious
// shareholder to the transferee.
func Deal(dealType string) checklist.Deal {
	d := checklist.Deal{
		Type: dealType,
		Transferor: checklist.Party{Name: "演示小额贷款有限公司", CreditCode: creditCode("91330100MA27XY012"),
			Address: "浙江省杭州市示例路 1 号", Contact: "张出让", Phone: "0571-88880000"},
		Transferee: checklist.Party{Name: "示范金融服务有限公司", CreditCode: creditCode("91110108MA01ABC03"),
			Address: "北京市海淀区示范街 8 号", Contact: "李受让", Phone: "010-66660000"},
		RecipientLocation: checklist.Mainland,
		PlannedStart:      "2026-11-01", PlannedEnd: "2026-12-31",
	}
	if subs := checklist.Subtypes[dealType]; len(subs) > 0 {
		d.Subtype = subs[0]
	}
	if dealType == checklist.Equity {
		d.Target = &checklist.Party{Name: d.Transferor.Name, CreditCode: d.Transferor.CreditCode}
		d.Transferor = checklist.Party{Name: "演示原股东（虚构）", Person: true}
	}
	return d
}

// CounselName is who "confirmed" the demo deal's readings for counsel.
const CounselName = "演示法律顾问（虚构）"

// PrepareDeal records a demo deal in s's vault, records an NDA and a training for every
// operator, completes every item the export waits for that people attest (attaching a
// short synthetic document as evidence where one is needed), answers the assessment
// workbooks and has the demo auditor sign them off with reviewerPass; with backupDir, it
// also writes and verifies a backup there, so that the demo (and tests of later steps) can
// export at once.
func PrepareDeal(ctx context.Context, s *vault.Session, dealType, backupDir, reviewerPass string) error {
	if _, err := s.InitDeal(Deal(dealType)); err != nil {
		return err
	}
	if err := RegisterOperators(ctx, s); err != nil {
		return err
	}
	view, err := s.Checklist(ctx)
	if err != nil {
		return err
	}
	for _, it := range view.Items {
		if it.Gate != checklist.StepExport || it.Kind == checklist.Automatic {
			continue // data_validated follows from the book itself
		}
		if it.Kind == checklist.Evidence {
			doc := fmt.Sprintf("演示文件 · demo document\n%s\n%s\n", it.Title["zh-CN"], it.Title["en"])
			if _, err := s.AttachEvidence(ctx, it.ID, it.ID+".txt", strings.NewReader(doc)); err != nil {
				return err
			}
		}
		c := vault.Completion{Note: "演示数据"}
		if it.Counsel {
			c.ConfirmedBy = CounselName
		}
		if err := s.CompleteItemWith(ctx, it.ID, c); err != nil {
			return err
		}
	}
	if err := AnswerWorkbooks(ctx, s, reviewerPass); err != nil {
		return err
	}
	if backupDir != "" {
		if err := os.MkdirAll(backupDir, 0o700); err != nil {
			return err
		}
		if _, err := s.Backup(ctx, backupDir); err != nil {
			return err
		}
	}
	if err := s.SetNoticeSetup(ctx, NoticeSetup()); err != nil {
		return err
	}
	if _, ok := view.Item("notice_before_export"); ok {
		// The demo book's people are synthetic: nobody to ask. A real deal notifies them, or
		// records the basis counsel confirmed.
		basis := "演示数据：客户均为合成数据，无须取得同意（真实交接须通知客户或记录经法律顾问确认的依据）"
		doc := "演示文件 · demo document\n" + basis + "\n"
		if _, err := s.RecordNoticeBasis(ctx, basis, "演示管理员", "notice-basis.txt", strings.NewReader(doc)); err != nil {
			return err
		}
	}
	return nil
}

// NoticeSetup is the demo deal's notice settings.
func NoticeSetup() vault.NoticeSetup {
	d := Deal(checklist.LoanBook)
	return vault.NoticeSetup{Cutoff: model.Date{Y: 2027, M: 1, D: 1}, ReplyBy: model.Date{Y: 2026, M: 12, D: 31},
		TransfereeAddress: d.Transferee.Address, TransfereePhone: d.Transferee.Phone, RepayAccountName: d.Transferee.Name,
		RepayAccountBank: "中国工商银行北京示范街支行（演示）", RepayAccountNo: "0200 0000 0000 0000 000", RepayChannels: "银行转账、柜台还款",
		ServicingPhone: "010-66660001", ComplaintsPhone: "010-66660002", Hotline: "400-000-0000",
		Purpose: "贷款管理、还款服务和客户服务", Method: "收集、存储、使用、加工", Categories: "姓名、身份证号、联系方式、住址、银行卡号、借款及还款记录",
		SMSSignature: "【示范金融】"}
}

// RegisterOperators records a synthetic NDA and a training, current for a year from today,
// for every operator of the vault (the registers, docs/REGISTERS.md).
func RegisterOperators(ctx context.Context, s *vault.Session) error {
	ops, err := s.Operators(ctx)
	if err != nil {
		return err
	}
	today := model.DateOf(time.Now().In(shanghai))
	score := 90
	for _, op := range ops {
		doc := "演示文件 · demo document\n保密协议（虚构）: " + op.Name + "\n"
		if _, err := s.AddNDA(ctx, vault.NDARecord{Operator: op.ID, Version: "演示版 v1", Signed: today.AddDays(-1),
			Until: today.AddMonths(12), Scope: "本次交接的全部客户资料", Liability: true}, "nda-"+op.ID+".txt", strings.NewReader(doc)); err != nil {
			return err
		}
		if _, err := s.AddTraining(ctx, vault.TrainingRecord{Operator: op.ID, Date: today.AddDays(-1), Content: "个人信息保护与交接流程（演示）",
			Trainer: "演示培训师（虚构）", Score: &score, Expires: today.AddMonths(12)}); err != nil {
			return err
		}
	}
	return nil
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// AnswerWorkbooks answers every question of every assessment workbook the deal asks with
// made-up answers (assess.SampleAnswer; a short synthetic file for evidence questions) and
// has the vault's first auditor sign each off with passphrase.
func AnswerWorkbooks(ctx context.Context, s *vault.Session, passphrase string) error {
	ops, err := s.Operators(ctx)
	if err != nil {
		return err
	}
	reviewer := ""
	for _, op := range ops {
		if vault.Role(op.Role) == vault.Auditor && reviewer == "" {
			reviewer = op.ID
		}
	}
	for _, id := range assess.IDs {
		wb, err := s.Workbook(ctx, id)
		if err != nil {
			return err
		}
		for _, qid := range wb.Unanswered {
			q, _ := wb.Template.Question(qid)
			var file io.Reader
			if q.Type == assess.Evidence {
				file = strings.NewReader("演示文件 · demo document\n" + q.Text["zh-CN"] + "\n")
			}
			a := assess.SampleAnswer(q)
			if qid == "individuals" {
				if c, err := s.Counts(); err == nil {
					a.Value = fmt.Sprint(c.Customers) // the book's customers, not a made-up number
				}
			}
			if err := s.AnswerQuestion(ctx, id, qid, a, qid+".txt", file); err != nil {
				return err
			}
		}
		if reviewer != "" {
			if err := s.SignOffWorkbook(ctx, id, reviewer, passphrase, "演示数据"); err != nil {
				return err
			}
		}
	}
	return nil
}
