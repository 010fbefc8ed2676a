package testpeer

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var repoRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
})

// RepoRoot returns the directory of the repository's go.mod, found by walking
// up from the test's working directory (its package directory). Tests use it
// to reach files outside their package, such as interop/ or
// internal/testpeer/testdata/.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := repoRoot()
	if err != nil {
		t.Fatalf("testpeer: cannot find the repository root (no go.mod above the working directory): %v", err)
	}
	return dir
}

// Testdata returns the path of name in internal/testpeer/testdata, where the
// shared sipp scenarios live.
func Testdata(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "internal", "testpeer", "testdata", name)
}
