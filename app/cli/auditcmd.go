package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"handover/app/report"
	"handover/store/atomicfile"
)

// errAuditBad makes audit verify exit 1 after its report.
var errAuditBad = errors.New("the audit log does not verify: see above")

func auditVerify(ctx context.Context, env Env, args []string) error {
	fs := newFlags("audit verify", env)
	u := addUnlockFlags(fs)
	var cps listFlag
	fs.Var(&cps, "checkpoint", "a checkpoint file handed out earlier (repeat); the log must extend each")
	if err := parse(fs, args); err != nil {
		return err
	}
	var texts []string
	for _, p := range cps {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		texts = append(texts, string(b))
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	rep, err := s.VerifyAudit(ctx, texts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "events %d\nroot %s\ncheckpoints checked %d\n", rep.Events, base64.StdEncoding.EncodeToString(rep.Root[:]), rep.Checkpoints)
	if rep.Problem != nil {
		fmt.Fprintf(env.Stdout, "FIRST BAD EVENT %d: %s: %s\n", rep.Problem.Seq, rep.Problem.Reason, rep.Problem.Detail)
		return errAuditBad
	}
	fmt.Fprintln(env.Stdout, "ok: every event is in place and the log extends every checkpoint")
	return nil
}

func auditCheckpoint(_ context.Context, env Env, args []string) error {
	fs := newFlags("audit checkpoint", env)
	u := addUnlockFlags(fs)
	out := fs.String("out", "", "file to write the signed checkpoint to (default: print it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	cp, key, err := s.Checkpoint()
	if err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprint(env.Stdout, cp)
		fmt.Fprintf(env.Stderr, "verifier key: %s\n", key)
		return nil
	}
	if err := atomicfile.Write(*out, []byte(cp), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "checkpoint written to %s\nverifier key: %s\n", *out, key)
	return nil
}

func auditList(ctx context.Context, env Env, args []string) error {
	fs := newFlags("audit list", env)
	u := addUnlockFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON Lines, one event per line")
	since := fs.String("since", "", "only events at or after this time (RFC 3339, or 2006-01-02 in Asia/Shanghai)")
	action := fs.String("action", "", "only this action (e.g. customer.reveal)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02", *since, shanghai)
		}
		if err != nil {
			return usagef("--since must be RFC 3339 (2026-11-28T08:00:00Z) or a date (2026-11-28)")
		}
		from = t
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	evs, err := s.AuditEventsFiltered(ctx, from, *action)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	for _, ev := range evs {
		if *asJSON {
			if err := enc.Encode(ev); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(env.Stdout, "%6d %s %-26s %-10s %-16s %s %v\n", ev.Seq, ev.Time.In(shanghai).Format("2006-01-02 15:04:05"),
			ev.Action, ev.Outcome, ev.Operator, ev.Target, ev.Detail)
	}
	return nil
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", s, shanghai)
}

func auditReport(ctx context.Context, env Env, args []string) error {
	fs := newFlags("audit report", env)
	u := addUnlockFlags(fs)
	out := fs.String("out", "", "PDF file to write")
	since := fs.String("since", "", "start of the period (RFC 3339, or a date in Asia/Shanghai)")
	until := fs.String("until", "", "end of the period, exclusive")
	lang := fs.String("lang", "zh-CN", "language: zh-CN or en")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE.pdf is required")
	}
	from, err1 := parseDay(*since)
	to, err2 := parseDay(*until)
	if err1 != nil || err2 != nil {
		return usagef("--since and --until must be RFC 3339 or dates like 2026-11-28")
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	sum, err := s.AuditReport(ctx, from, to)
	if err != nil {
		return err
	}
	pdf, err := report.RenderAudit(sum, *lang)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(*out, pdf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "audit report written to %s: %d events, %d exceptions; %s\n", *out, sum.Events, len(sum.Exceptions), sum.Verified)
	return nil
}

func auditExport(ctx context.Context, env Env, args []string) error {
	fs := newFlags("audit export", env)
	u := addUnlockFlags(fs)
	out := fs.String("out", "", "JSON Lines file to write (one event per line)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE.jsonl is required")
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	evs, err := s.AuditEventsFiltered(ctx, time.Time{}, "")
	if err != nil {
		return err
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, ev := range evs {
		enc.Encode(ev)
	}
	if err := atomicfile.Write(*out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d events written to %s\n", len(evs), *out)
	return nil
}
