package checklist

import "strings"

// The items' Source points into the source document (../shared/seed, docs/MISSION.md) as
// "§四.1": its section and point. Those numbers mean nothing to a clerk; SourceTitle
// names them in words, for the details of an item.
var sourceSections = map[string][2]string{
	"二":  {"客户资料的处理原则", "Principles of handling customer files"},
	"四":  {"客户资料的移交流程", "Handing over customer files"},
	"五":  {"客户资料的后续处理", "After the handover"},
	"六":  {"客户资料的风险评估", "Risk assessment"},
	"七":  {"客户资料的合规审查", "Compliance review"},
	"八":  {"客户资料的保密协议", "Confidentiality agreements"},
	"十":  {"客户资料的跨境传输", "Cross-border transfer"},
	"十一": {"客户资料的销毁处理", "Destruction"},
	"十三": {"客户资料的审计监督", "Audit and supervision"},
	"十四": {"客户资料的应急处理", "Incident response"},
	"十五": {"客户资料的培训与教育", "Training and education"},
}

var sourcePoints = map[string][2]string{
	"二.3": {"完整性", "Completeness"},
	"四.1": {"签订协议", "Agreement"},
	"四.2": {"资料整理", "Preparing the files"},
	"四.3": {"数据备份", "Backup"},
	"四.4": {"移交确认", "Confirming the handover"},
	"五.1": {"客户通知", "Notifying customers"},
	"五.2": {"业务对接", "Handing over the business"},
	"五.3": {"资料归档", "Archiving"},
	"五.4": {"定期清理", "Clearing out"},
}

// SourceTitle names an item's source in words, in "zh-CN" or "en": the section's title and,
// for a point, the point's; "" for a source it does not know.
func SourceTitle(source, lang string) string {
	ref := strings.TrimPrefix(source, "§")
	sec, point, _ := strings.Cut(ref, ".")
	i := 0
	if lang == "en" {
		i = 1
	}
	s, ok := sourceSections[sec]
	if !ok {
		return ""
	}
	title := s[i]
	if p, ok := sourcePoints[ref]; ok && point != "" {
		if i == 0 {
			return "“" + title + "”之“" + p[i] + "”"
		}
		return "“" + title + "”, “" + p[i] + "”"
	}
	return "“" + title + "”"
}
