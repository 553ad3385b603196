//go:build linux

package handoverpkg

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCacheRange asks the kernel to forget a stretch of a written file's cached pages, so
// that the read-back check reads from the stick itself rather than from memory. The stretch
// was fsynced first, so nothing is lost; the hint is best effort. It is needed only where the
// file system refuses O_DIRECT (blockio.go).
func dropCacheRange(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) { _ = unix.Fadvise(int(fd), off, n, unix.FADV_DONTNEED) })
}
