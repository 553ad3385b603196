//go:build !windows

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock that the kernel releases when the process dies,
// so a crashed session never leaves the vault locked.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
