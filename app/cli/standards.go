package cli

import (
	"flag"

	"handover/app/vault"
	"handover/store/atomicfile"
)

func standardsReportCmd() *Cmd {
	var csvPath string
	return pdfReportCmd("standards report", "[--csv FILE.csv]", "the standards map (ISO/IEC 27001:2022 Annex A, PIPL, NDR, JR/T 0171, GDPR) with this deal's evidence status per control, as PDF and CSV",
		func(fs *flag.FlagSet) { fs.StringVar(&csvPath, "csv", "", "also write the map as a CSV file") },
		func(c *Call, s *vault.Session, lang string) ([]byte, error) {
			pdf, csv, err := s.StandardsReport(c.Ctx, lang)
			if err == nil && csvPath != "" {
				err = atomicfile.Write(csvPath, csv, 0o644)
			}
			return pdf, err
		})
}
