package store

import (
	"os"
	"path/filepath"
)

// scratchDir is kept free for an import's scratch space; a crash may leave it behind.
const scratchDir = "scratch"

// stagingDir holds a package's payload, sealed under a key that lives only in memory,
// while a receive checks it (app/pkg).
const stagingDir = "staging"

// StagingDir is the folder a receive stages into, inside the vault's folder.
func (s *Store) StagingDir() string { return filepath.Join(s.dir.path, stagingDir) }

// removeLeftovers deletes what a crash during an import or a receive left: both hold only
// data under keys that died with the process.
func (s *Store) removeLeftovers() {
	os.RemoveAll(filepath.Join(s.dir.path, scratchDir))
	os.RemoveAll(filepath.Join(s.dir.path, stagingDir))
}
