package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// runRingo runs the program in-process with args and stdin and returns
// what it wrote and its exit status.
func runRingo(t *testing.T, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errOut bytes.Buffer
	code = run(args, stdin, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // lines that must appear
		wantStderr []string
	}{
		{"no command", nil, exitUsage, nil, []string{"\tringo <command> [arguments]", "\tinspect    parse a SIP message and print it as a tree"}},
		{"unknown command", []string{"dance"}, exitUsage, nil, []string{`ringo: unknown command "dance"`}},
		{"help", []string{"help"}, exitOK, []string{"\tinspect    parse a SIP message and print it as a tree"}, nil},
		{"-h", []string{"-h"}, exitOK, []string{"\tringo <command> [arguments]"}, nil},
		{"help inspect", []string{"help", "inspect"}, exitOK, []string{"usage: ringo inspect [-json] FILE|-", "  -json"}, nil},
		{"help unknown", []string{"help", "dance"}, exitUsage, nil, []string{`ringo help: unknown command "dance"`}},
		{"help too many", []string{"help", "a", "b"}, exitUsage, nil, []string{"usage: ringo help [command]"}},
		{"inspect -h", []string{"inspect", "-h"}, exitOK, []string{"usage: ringo inspect [-json] FILE|-"}, nil},
		{"inspect no file", []string{"inspect"}, exitUsage, nil, []string{
			"ringo inspect: want one FILE (or - for standard input), got 0 arguments",
			"usage: ringo inspect [-json] FILE|-",
		}},
		{"inspect two files", []string{"inspect", "a", "b"}, exitUsage, nil, []string{
			"ringo inspect: want one FILE (or - for standard input), got 2 arguments",
		}},
		{"inspect bad flag", []string{"inspect", "-yaml", "x"}, exitUsage, nil, []string{
			"ringo inspect: flag provided but not defined: -yaml",
			"Run 'ringo help inspect' for details.",
		}},
		{"inspect missing file", []string{"inspect", "testdata/no-such-file.dat"}, exitFailure, nil, []string{
			"ringo inspect: open testdata/no-such-file.dat: no such file or directory",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runRingo(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			checkLines(t, "stdout", stdout, tt.wantStdout)
			checkLines(t, "stderr", stderr, tt.wantStderr)
			if tt.wantStdout == nil && stdout != "" {
				t.Errorf("unexpected stdout:\n%s", stdout)
			}
			if tt.wantStderr == nil && stderr != "" {
				t.Errorf("unexpected stderr:\n%s", stderr)
			}
		})
	}
}

// checkLines reports each of want that is not a whole line of got.
func checkLines(t *testing.T, what, got string, want []string) {
	t.Helper()
	lines := strings.Split(got, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if l == w {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s has no line %q; it is:\n%s", what, w, got)
		}
	}
}
