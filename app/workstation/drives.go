package workstation

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
)

// RemovableDrives lists the mount points where a USB stick usually appears, newest mount
// first is not knowable portably, so by name: on Linux the desktop's automount folders
// (/media/USER/*, /run/media/USER/*, /media/*), on macOS /Volumes/* except the system
// volume, on Windows the drive letters other than C: that exist. A stick is offered first
// when a package's destination is chosen; the list may be empty, and the user can always
// type or browse a path.
func RemovableDrives() []string {
	var out []string
	add := func(pattern string, skip ...string) {
		ms, _ := filepath.Glob(pattern)
		for _, m := range ms {
			if fi, err := os.Stat(m); err != nil || !fi.IsDir() {
				continue
			}
			ok := true
			for _, s := range skip {
				ok = ok && m != s
			}
			if ok {
				out = append(out, m)
			}
		}
	}
	switch runtime.GOOS {
	case "linux":
		user := os.Getenv("USER")
		if user == "" {
			user = "*"
		}
		add(filepath.Join("/media", user, "*"))
		add(filepath.Join("/run/media", user, "*"))
		if user != "*" {
			add("/media/*", filepath.Join("/media", user))
		}
	case "darwin":
		add("/Volumes/*", "/Volumes/Macintosh HD")
	case "windows":
		for l := 'D'; l <= 'Z'; l++ {
			root := string(l) + `:\`
			if fi, err := os.Stat(root); err == nil && fi.IsDir() {
				out = append(out, root)
			}
		}
	}
	sort.Strings(out)
	return dedupe(out)
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
