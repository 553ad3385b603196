package demo

import (
	"context"
	"fmt"
	"strings"

	"handover/app/checklist"
	"handover/app/validate"
	"handover/app/vault"
	"handover/store/model"
)

// TransfereeName is the demo vault's operator for the receiving company, who signs off
// what both parties must agree (the figures).
const TransfereeName = "演示受让方"

func creditCode(body string) string { return body + string(validate.CreditCodeCheck(body)) }

// Deal is a demo deal of the given type between two fictitious companies.
func Deal(dealType string) checklist.Deal {
	return checklist.Deal{
		Type: dealType,
		Transferor: checklist.Party{Name: "演示小额贷款有限公司", CreditCode: creditCode("91330100MA27XY012"),
			Address: "浙江省杭州市示例路 1 号", Contact: "张出让", Phone: "0571-88880000"},
		Transferee: checklist.Party{Name: "示范金融服务有限公司", CreditCode: creditCode("91110108MA01ABC03"),
			Address: "北京市海淀区示范街 8 号", Contact: "李受让", Phone: "010-66660000"},
		RecipientLocation: checklist.Mainland,
		PlannedStart:      "2026-11-01", PlannedEnd: "2026-12-31",
	}
}

// PrepareDeal records a demo deal in s's vault and completes every item the export waits
// for that people attest, attaching a short synthetic document as evidence where one is
// needed, so that the demo (and tests of later steps) can export at once.
func PrepareDeal(ctx context.Context, s *vault.Session, dealType string) error {
	if _, err := s.InitDeal(Deal(dealType)); err != nil {
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
		if err := s.CompleteItem(ctx, it.ID, "演示数据", ""); err != nil {
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
