//go:build !linux

package handoverpkg

import (
	"errors"
	"os"
)

// setDirect is Linux-only for now (macOS has F_NOCACHE, Windows FILE_FLAG_NO_BUFFERING, which
// need the file opened differently): elsewhere parts go through the page cache.
func setDirect(*os.File, bool) error { return errors.ErrUnsupported }
