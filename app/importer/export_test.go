package importer

import "time"

// ConvertRow is the import's validate stage alone, for the stage benchmarks: a row of in
// turned into a record (or its findings), as Run does before the lookup.
func ConvertRow(in Input, now time.Time) func(Row) (failed bool) {
	cv := &converter{table: in.Table, header: in.Header, m: MappingFor(in.Table, in.Header, nil), now: now, source: in.Name()}
	return func(r Row) bool { return cv.convert(r).failed }
}
