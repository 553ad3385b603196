package notice

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// What a delivery report's rows say, normalised.
const (
	ReportDelivered = "delivered"
	ReportSent      = "sent"
	ReportFailed    = "failed"
	ReportReturned  = "returned"
	ReportUnknown   = "unknown"
	ReportConsented = "consented"
	ReportObjected  = "objected"
)

// reportStatuses maps what SMS gateways and the post write to a normalised status.
var reportStatuses = map[string]string{
	"delivered": ReportDelivered, "delivrd": ReportDelivered, "成功": ReportDelivered, "已送达": ReportDelivered, "妥投": ReportDelivered,
	"sent": ReportSent, "已发送": ReportSent, "已寄出": ReportSent,
	"failed": ReportFailed, "undeliv": ReportFailed, "失败": ReportFailed, "rejectd": ReportFailed, "expired": ReportFailed,
	"returned": ReportReturned, "退回": ReportReturned, "退信": ReportReturned,
	"unknown": ReportUnknown, "未知": ReportUnknown,
	"consented": ReportConsented, "同意": ReportConsented, "objected": ReportObjected, "不同意": ReportObjected, "异议": ReportObjected,
}

var reportColumns = map[string][]string{
	"reference": {"reference", "ref", "code", "参考号", "验证码", "编号"},
	"mobile":    {"mobile", "phone", "手机号", "手机号码", "号码"},
	"status":    {"status", "state", "状态", "结果"},
	"reason":    {"reason", "原因", "备注"},
}

// ErrReport is a report without the columns this program reads.
var ErrReport = errors.New("the report has no column this program reads (reference or mobile, and status)")

// ReportRow is one row of a delivery report. Status is normalised, "" when the row's status
// is not one this program knows.
type ReportRow struct {
	Row                               int // 1-based, the header being row 1
	Reference, Mobile, Status, Reason string
}

// MaxReportSize caps a report: a gateway's report of a million messages is well under it.
const MaxReportSize = 512 << 20

// ReadReport reads a delivery report: CSV in UTF-8 (a byte-order mark is skipped) or GBK with a
// header naming reference or mobile, status, and optionally reason, in English or Chinese.
func ReadReport(r io.Reader) ([]ReportRow, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxReportSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxReportSize {
		return nil, fmt.Errorf("the report is larger than %d MiB", MaxReportSize>>20)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		// Gateways and the post on Chinese Windows write GBK; GB18030 reads it and more.
		if dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err == nil {
			raw = dec
		}
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, ErrReport
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for k, names := range reportColumns {
			if _, seen := col[k]; !seen && slices.Contains(names, h) {
				col[k] = i
			}
		}
	}
	_, hasRef := col["reference"]
	_, hasMobile := col["mobile"]
	if _, ok := col["status"]; !ok || (!hasRef && !hasMobile) {
		return nil, ErrReport
	}
	field := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []ReportRow
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		rows = append(rows, ReportRow{Row: row, Reference: field(rec, "reference"), Mobile: field(rec, "mobile"),
			Status: reportStatuses[strings.ToLower(field(rec, "status"))], Reason: field(rec, "reason")})
	}
}
