package report

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"handover/app/doc"
	"handover/app/retention"
	"handover/store/model"
)

// Retention is what the retention report states: the rules with their laws and the readings
// for counsel, who keeps the AML records after the handover, the book's customers by state
// and by the year they fall due, the holds and the storage-only state.
type Retention struct {
	Vault, Workstation string
	Issued             time.Time
	AsOf               model.Date
	Classes            []retention.Class
	// Keeper is who keeps the AML records ("transferor" or "transferee", "" if not
	// recorded), for how many years and who confirmed it.
	Keeper          string
	KeeperYears     int
	KeeperConfirmed string
	Active, Ended   int64
	Due, Held       int64
	ByYear          map[int]int64
	Holds           []RetentionHold
	Records         []RetentionRecords
	Restricted      time.Time // zero when not restricted
	RestrictReason  string
}

// RetentionRecords is how many records of one class the book holds and when they fall due.
type RetentionRecords struct {
	Class                    retention.Class
	Records, Open, Due, Kept int64
	ByYear                   map[int]int64
}

// RetentionHold is one legal hold as the report lists it.
type RetentionHold struct {
	ID, Case  string
	Customers int // 0: the whole book
	Released  time.Time
}

// RenderRetention draws the retention report.
func RenderRetention(r *Retention, lang string) ([]byte, error) {
	id := "RR-" + r.Issued.UTC().Format("20060102-150405")
	d := doc.New(lang, r.Issued, "retention.title", "retention.footer", id)
	p := d.S
	p.AddPage()
	d.Title(d.L("retention.title"))
	p.Ln(3)
	keeper := d.L("retention.keeper_none")
	if r.Keeper != "" {
		keeper = fmt.Sprintf(d.L("retention.keeper_value"), d.L("retention.keeper."+r.Keeper), r.KeeperYears, r.KeeperConfirmed)
	}
	restricted := d.L("retention.not_restricted")
	if !r.Restricted.IsZero() {
		restricted = fmt.Sprintf(d.L("retention.restricted_since"), r.Restricted.In(doc.Shanghai).Format("2006-01-02"), r.RestrictReason)
	}
	d.Fields(34, 140, [][2]string{
		{d.L("retention.report_id"), id},
		{d.L("cert.vault"), r.Vault},
		{d.L("retention.as_of"), r.AsOf.String()},
		{d.L("cert.issued"), doc.LocalTime(r.Issued)},
		{d.L("cert.workstation"), r.Workstation},
		{d.L("retention.keeper"), keeper},
		{d.L("retention.restricted"), restricted},
	})
	d.Section(d.L("retention.rules"))
	var rows [][]string
	for _, c := range r.Classes {
		counsel := ""
		if c.Counsel {
			counsel = d.L("retention.counsel")
		}
		rows = append(rows, []string{doc.Clip(c.Name[d.Lang], 30), strconv.Itoa(c.Years), doc.Clip(c.Law[d.Lang], 54), counsel})
	}
	d.Table([]float64{50, 12, 92, 20}, "LRLC", []string{d.L("retention.class"), d.L("retention.years"), d.L("retention.law"), d.L("retention.counsel_col")}, rows)
	for _, c := range r.Classes {
		d.Paragraph(8.5, 4.5, c.Name[d.Lang]+": "+c.Note[d.Lang])
	}
	if len(r.Records) > 0 {
		d.Section(d.L("retention.records"))
		var rows [][]string
		for _, c := range r.Records {
			var next int64
			for y := r.AsOf.Y + 1; y <= r.AsOf.Y+5; y++ {
				next += c.ByYear[y]
			}
			rows = append(rows, []string{doc.Clip(c.Class.Name[d.Lang], 32), model.Group(c.Records), model.Group(c.Open),
				model.Group(c.Due), model.Group(c.Kept), model.Group(next)})
		}
		d.Table([]float64{54, 24, 24, 24, 24, 24}, "LRRRRR", []string{d.L("retention.class"), d.L("retention.rec_count"),
			d.L("retention.rec_open"), d.L("retention.rec_due"), d.L("retention.rec_due_kept"), d.L("retention.rec_next")}, rows)
		d.Paragraph(8.5, 4.5, d.L("retention.rec_note"))
	}
	d.Section(d.L("retention.book"))
	d.Fields(60, 114, [][2]string{
		{d.L("retention.active"), model.Group(r.Active)},
		{d.L("retention.ended"), model.Group(r.Ended)},
		{d.L("retention.due"), model.Group(r.Due)},
		{d.L("retention.held"), model.Group(r.Held)},
	})
	var years []int
	for y := range r.ByYear {
		years = append(years, y)
	}
	sort.Ints(years)
	var byYear [][]string
	for _, y := range years {
		byYear = append(byYear, []string{strconv.Itoa(y), model.Group(r.ByYear[y])})
	}
	if len(byYear) > 0 {
		p.Ln(2)
		d.Table([]float64{87, 87}, "LR", []string{d.L("retention.year"), d.L("retention.falling_due")}, byYear)
	}
	d.Section(d.L("retention.holds"))
	if len(r.Holds) == 0 {
		d.Paragraph(9.5, 6, d.L("retention.no_holds"))
	}
	for _, h := range r.Holds {
		scope := d.L("retention.hold_all")
		if h.Customers > 0 {
			scope = fmt.Sprintf(d.L("retention.hold_n"), h.Customers)
		}
		state := d.L("retention.hold_active")
		if !h.Released.IsZero() {
			state = fmt.Sprintf(d.L("retention.hold_released"), h.Released.In(doc.Shanghai).Format("2006-01-02"))
		}
		d.Paragraph(9, 5, "· "+h.ID+" · "+h.Case+" · "+scope+" · "+state)
	}
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("retention report: %w", err)
	}
	return pdf, nil
}
