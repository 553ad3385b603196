package demo

import (
	"context"
	"runtime"
	"sync"

	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

// chunk is how many customers one generator goroutine makes at a time.
const chunk = 256

// Write generates customers [0, n) of g's book into w. Generation and sealing run on every
// core while one goroutine commits in order, so customer numbers follow the generator's order.
func Write(ctx context.Context, w *store.Writer, g *Generator, n int, p progress.Reporter) error {
	p.SetTotal(int64(n))
	base := w.Next()
	ordered := make(chan chan []*store.Prepared, runtime.NumCPU()*2)
	stop := make(chan struct{})
	errs := make(chan error, cap(ordered)+1)
	// Workers seal with the store's keys: Write must not return (and let the caller lock
	// the vault) while one is still running.
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ordered)
		for start := 0; start < n; start += chunk {
			ch := make(chan []*store.Prepared, 1)
			select {
			case ordered <- ch:
			case <-stop:
				return
			}
			wg.Add(1)
			go func(start int) {
				defer wg.Done()
				ps := make([]*store.Prepared, 0, chunk)
				for i := start; i < min(n, start+chunk); i++ {
					p, err := w.Prepare(base+model.CustomerNo(i), g.Book(i))
					if err != nil {
						ch <- append(ps, nil) // nil marks the failure; Commit is never reached
						errs <- err
						return
					}
					ps = append(ps, p)
				}
				ch <- ps
			}(start)
		}
	}()
	for ch := range ordered {
		if err := ctx.Err(); err != nil {
			return err
		}
		ps := <-ch
		for _, pr := range ps {
			if pr == nil {
				return <-errs
			}
			if err := w.Commit(pr); err != nil {
				return err
			}
		}
		p.Add(int64(len(ps)))
	}
	return nil
}
