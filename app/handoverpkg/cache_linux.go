//go:build linux

package handoverpkg

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCache asks the kernel to forget a written file's cached pages, so that the read-back
// check reads from the stick itself rather than from memory. The file was fsynced first,
// so nothing is lost; the hint is best effort.
func dropCache(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
