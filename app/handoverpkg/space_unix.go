//go:build unix

package handoverpkg

import "golang.org/x/sys/unix"

// freeSpace is the space available to this user in the file system holding dir.
func freeSpace(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil //nolint:unconvert // Bsize differs by OS
}
