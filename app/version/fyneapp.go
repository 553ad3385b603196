package version

import (
	"bufio"
	"bytes"
	"strings"
)

// App identity from FyneApp.toml, the single source of the application's ID, name and
// version. main embeds the file and calls Load; the packaging scripts read the same file.
var (
	AppID = "cn.handover.desktop"
	Name  = "Handover"
)

// Load reads ID, Name and Version from the [Details] table of FyneApp.toml. A Version set at
// link time (-X) wins; without one, the file's version is shown with a "-dev" suffix.
func Load(fyneApp []byte) {
	sc := bufio.NewScanner(bytes.NewReader(fyneApp))
	details := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			details = line == "[Details]"
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !details || !ok {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch strings.TrimSpace(key) {
		case "ID":
			AppID = val
		case "Name":
			Name = val
		case "Version":
			if Version == "" {
				Version = val + "-dev"
			}
		}
	}
}
