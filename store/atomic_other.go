package store

import (
	"errors"
	"runtime"
	"syscall"
)

func isUnsupportedSync(err error) bool {
	return runtime.GOOS == "windows" || errors.Is(err, syscall.EINVAL)
}
