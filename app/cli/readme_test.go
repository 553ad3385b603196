package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's command table is the commands' own synopses: every command appears there
// exactly as declared, and every command the table names exists.
func TestReadmeTableMatchesCommands(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var table []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `handover") {
			table = append(table, line)
		}
	}
	text := strings.Join(table, "\n")
	declared := map[string]bool{}
	for _, c := range commands() {
		full := strings.TrimSpace("handover " + c.Name + " " + c.Synopsis)
		declared[full] = true
		if c.Name == "version" {
			continue
		}
		if !strings.Contains(text, "`"+strings.ReplaceAll(full, "|", `\|`)+"`") {
			t.Errorf("the README's table lacks `%s`", full)
		}
	}
	span := regexp.MustCompile("`(handover[^`]*)`")
	for _, line := range table {
		cell := strings.SplitN(strings.TrimPrefix(line, "| "), " | ", 2)[0]
		for _, m := range span.FindAllStringSubmatch(cell, -1) {
			got := strings.ReplaceAll(m[1], `\|`, "|")
			if !declared[got] && !strings.HasPrefix(got, "handover gui") && got != "handover" && got != "handover --version" {
				t.Errorf("the README's table names `%s`, which no command declares", got)
			}
		}
	}
}
