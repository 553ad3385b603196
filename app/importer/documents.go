package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"handover/app/idcard"
	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

// Documents is the table of a folder of scanned documents.
const Documents Table = "documents"

// MappingFileNames are the names of a folder's optional list that matches files to
// customers or contracts (columns 文件名, 身份证号 or 合同编号, and optionally 类型).
// Files it does not list are matched by their names.
var MappingFileNames = []string{"documents.csv", "文件对照表.csv", "对照表.csv"}

var docAliases = map[string][]string{
	"file":      {"文件名", "文件", "file", "file name"},
	"id_number": aliases[Customers]["id_number"],
	"contract":  aliases[Loans]["contract"],
	"kind":      {"类型", "文件类型", "kind", "type"},
}

type docFile struct {
	rel    string
	size   int64
	sha256 string
}

type docTarget struct{ id, contract, kind string }

// inspectFolder lists a folder's documents and hashes them; the folder's identity is the
// hash of that list, so the same scans import once.
func inspectFolder(dir string) (Input, error) {
	files, _, err := listFolder(dir)
	if err != nil {
		return Input{}, &FileError{File: filepath.Base(dir), Err: err}
	}
	h := sha256.New()
	var size int64
	for _, f := range files {
		fmt.Fprintf(h, "%s\t%s\n", f.rel, f.sha256)
		size += f.size
	}
	return Input{Path: dir, SHA256: hex.EncodeToString(h.Sum(nil)), Size: size, Table: Documents,
		Header: []string{"文件"}}, nil
}

func listFolder(dir string) (files []docFile, mapping string, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		for _, m := range MappingFileNames {
			if rel == m {
				mapping = path
				return nil
			}
		}
		sum, size, err := hashFile(path)
		if err != nil {
			return err
		}
		files = append(files, docFile{rel: rel, size: size, sha256: sum})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	if err == nil && len(files) == 0 {
		err = errors.New("the folder holds no documents")
	}
	return files, mapping, err
}

// readDocMapping reads the folder's mapping list: file name → target.
func readDocMapping(path string) (map[string]docTarget, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := NewReader(f, EncAuto)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	col := map[string]int{}
	for field, names := range docAliases {
		col[field] = -1
		for i, h := range rd.Header {
			for _, a := range names {
				if normalize(h) == a && col[field] < 0 {
					col[field] = i
				}
			}
		}
	}
	if col["file"] < 0 || col["id_number"] < 0 && col["contract"] < 0 {
		return nil, fmt.Errorf("%s: needs a column 文件名 and a column 身份证号 or 合同编号", filepath.Base(path))
	}
	get := func(r Row, f string) string {
		if i := col[f]; i >= 0 && i < len(r.Fields) {
			return strings.TrimSpace(r.Fields[i])
		}
		return ""
	}
	out := map[string]docTarget{}
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		out[filepath.ToSlash(get(r, "file"))] = docTarget{id: strings.ToUpper(get(r, "id_number")), contract: get(r, "contract"), kind: get(r, "kind")}
	}
}

var idInName = regexp.MustCompile(`[0-9]{17}[0-9Xx]`)

// match finds whom a document belongs to: the mapping list first, then an identity number
// in the file name, then a contract number (the whole name, or a part between _ or spaces).
func match(lk refs, f docFile, list map[string]docTarget) (model.CustomerNo, string, string, bool) {
	t, listed := list[f.rel]
	if !listed {
		t, listed = list[filepath.Base(f.rel)]
	}
	if listed {
		if t.id != "" {
			no, ok := lk.customer(t.id)
			return no, "", t.kind, ok
		}
		ref, ok := lk.contract(t.contract)
		return ref.customer(), t.contract, t.kind, ok
	}
	stem := strings.TrimSuffix(filepath.Base(f.rel), filepath.Ext(f.rel))
	for _, id := range idInName.FindAllString(stem, -1) {
		id = strings.ToUpper(id)
		if idcard.Validate(id, time.Now()) == nil {
			if no, ok := lk.customer(id); ok {
				return no, "", "", true
			}
		}
	}
	cands := append([]string{stem}, strings.FieldsFunc(stem, func(r rune) bool { return r == '_' || r == ' ' || r == '　' })...)
	for _, c := range cands {
		if ref, ok := lk.contract(c); ok {
			return ref.customer(), c, "", true
		}
	}
	return 0, "", "", false
}

func docKind(name, given string) string {
	s := strings.ToLower(given)
	if s == "" {
		s = strings.ToLower(name)
	}
	switch {
	case strings.Contains(s, "正面") || strings.Contains(s, "front"):
		return "id_card_front"
	case strings.Contains(s, "反面") || strings.Contains(s, "背面") || strings.Contains(s, "back"):
		return "id_card_back"
	case strings.Contains(s, "合同") || strings.Contains(s, "contract"):
		return "contract"
	}
	return "other"
}

var mimeTypes = map[string]string{".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".pdf": "application/pdf", ".tif": "image/tiff", ".tiff": "image/tiff", ".bmp": "image/bmp",
	".gif": "image/gif", ".webp": "image/webp"}

// runDocuments stores a folder's scans, each in chunks under its customer. A document is
// one "row": the summary counts files, and unmatched files go to quarantine.
func runDocuments(ctx context.Context, st *store.Store, lk *lookup, in Input, opts Options, p progress.Reporter, stats *Stats) (Result, error) {
	prev, done, err := previous(st, in, p)
	if err != nil || done != nil {
		return derefResult(done), err
	}
	files, mapPath, err := listFolder(in.Path)
	if err != nil {
		return Result{}, &FileError{File: filepath.Base(in.Path), Err: err}
	}
	list, err := readDocMapping(mapPath)
	if err != nil {
		return Result{}, &FileError{File: filepath.Base(in.Path), Err: err}
	}
	sum := prev
	if sum == nil {
		sum = &Summary{ID: in.ID(), File: filepath.Base(in.Path), SHA256: in.SHA256, Table: Documents,
			Header: in.Header, Mapping: Mapping{"file": 0}, State: StateRunning, Operator: opts.Operator,
			Started: opts.Now().UTC(), Totals: map[string]model.Fen{}, TotalsRead: map[string]model.Fen{}}
	}
	r := &run{st: st, lk: lk, key: fileKey(in.ID()), refuse: map[int]bool{}, sum: sum, groups: newRepaymentGroups()}
	r.w = st.NewImportWriter()
	committed := false
	defer func() {
		if !committed {
			r.w.Abort()
		}
	}()
	docs := map[model.CustomerNo]uint32{}
	for i, f := range files {
		row := i + 1
		if row <= sum.LastRow {
			p.Add(f.size)
			continue
		}
		if err := ctx.Err(); err != nil {
			return resultOf(sum), err
		}
		stats.Rows.Add(1)
		values := []string{f.rel}
		no, contract, kind, ok := match(lk, f, list)
		if !ok {
			if err := r.quarantine(Row{Line: row, Fields: values}, []Finding{{Column: "文件", Reason: ReasonDocumentUnmatched,
				Message: "the file name names no customer's identity number or contract number in the vault, and the folder's list does not name it"}}); err != nil {
				return resultOf(sum), err
			}
		} else {
			seq, known := docs[no]
			if !known {
				existing, err := st.Documents(ctx, no)
				if err != nil {
					return resultOf(sum), err
				}
				seq = uint32(len(existing))
			}
			seq++
			m := model.Document{Customer: no, Seq: seq, Kind: docKind(f.rel, kind), Name: filepath.Base(f.rel),
				MIME: mimeTypes[strings.ToLower(filepath.Ext(f.rel))], SHA256: f.sha256, Contract: contract}
			if m.MIME == "" {
				m.MIME = "application/octet-stream"
			}
			if err := r.document(ctx, filepath.Join(in.Path, filepath.FromSlash(f.rel)), &m, p); err != nil {
				var unreadable *unreadableError
				if !errors.As(err, &unreadable) {
					return resultOf(sum), err
				}
				if err := r.quarantine(Row{Line: row, Fields: values}, []Finding{{Column: "文件", Reason: ReasonDocumentUnreadble, Message: unreadable.msg}}); err != nil {
					return resultOf(sum), err
				}
			} else {
				docs[no] = seq
				sum.Rows++
				sum.Accepted++
			}
		}
		sum.LastRow = row
		if err := r.checkpoint(); err != nil {
			return resultOf(sum), err
		}
	}
	committed = true
	return r.finish(opts.Now(), prev != nil)
}

type unreadableError struct{ msg string }

func (e *unreadableError) Error() string { return e.msg }

// document streams one file into chunks, committing between chunks when the transaction
// fills; its metadata is added last, so it counts only once every chunk is stored.
func (r *run) document(ctx context.Context, path string, m *model.Document, p progress.Reporter) error {
	f, err := os.Open(path)
	if err != nil {
		return &unreadableError{"the file could not be opened"}
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, store.ChunkSize)
	for chunk := uint32(0); ; chunk++ {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			if r.w.ImportFull() {
				if err := r.w.Checkpoint(); err != nil {
					return err
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			h.Write(buf[:n])
			if err := r.w.AddDocumentChunk(m.Customer, m.Seq, chunk, buf[:n]); err != nil {
				return err
			}
			m.Size += int64(n)
			m.Chunks++
			p.Add(int64(n))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return &unreadableError{"the file could not be read to its end"}
		}
	}
	if hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return &unreadableError{"the file changed while it was being imported; import the folder again"}
	}
	return r.w.AddDocument(*m)
}
