package testpeer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SIPpInstallHint is the message a test fails with when sipp is missing.
const SIPpInstallHint = "sipp not installed: apt-get install sip-tester"

// SIPp is a sipp process started by StartSIPp. Its methods are safe for
// concurrent use, except Check, which must be called from the test's
// goroutine.
type SIPp struct {
	t    testing.TB
	args []string
	dir  string
	out  logBuffer

	exited  chan struct{}
	waitErr error
}

// StartSIPp runs `sipp ARGS -nostdin` (-nostdin added unless given) in a
// directory of its own (Dir), where -trace_msg, -trace_err and friends write
// their files, and returns at once. sipp is killed in t.Cleanup if it still
// runs; if the test failed, its output and its *_errors.log and
// *_messages.log files go to the test log. Scenario files are best given by
// absolute path, e.g. Testdata(t, "register-recv-message.xml").
//
// The test fails with SIPpInstallHint if sipp is missing.
func StartSIPp(t testing.TB, args ...string) *SIPp {
	t.Helper()
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Fatalf("%s (%v)", SIPpInstallHint, err)
	}
	if !slices.Contains(args, "-nostdin") {
		args = append(slices.Clone(args), "-nostdin")
	}
	s := &SIPp{t: t, args: args, dir: t.TempDir(), exited: make(chan struct{})}
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = &s.out, &s.out
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sipp: %v", err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		stop(cmd, s.exited, time.Second)
		if t.Failed() {
			t.Logf("sipp %s (exit: %v)\noutput:\n%s", strings.Join(args, " "), s.waitErr, tail(s.out.String(), 16<<10))
			for _, pat := range []string{"*_errors.log", "*_messages.log"} {
				files, _ := filepath.Glob(filepath.Join(s.dir, pat))
				for _, f := range files {
					b, _ := os.ReadFile(f)
					t.Logf("%s:\n%s", filepath.Base(f), tail(string(b), 16<<10))
				}
			}
		}
	})
	return s
}

// Wait waits for sipp to exit. It returns nil if sipp exited with status 0
// (every call succeeded), an *exec.ExitError otherwise (1: some call failed;
// 97: stopped by a command; 99: no call ran; 255 and 254: fatal errors), or
// ctx's error if ctx is done first.
func (s *SIPp) Wait(ctx context.Context) error {
	select {
	case <-s.exited:
		return s.waitErr
	case <-ctx.Done():
		return fmt.Errorf("sipp: waiting for exit: %w", ctx.Err())
	}
}

// Check waits for sipp to exit and fails the test unless its status is 0.
func (s *SIPp) Check(ctx context.Context) {
	s.t.Helper()
	if err := s.Wait(ctx); err != nil {
		s.t.Fatalf("sipp %s: %v", strings.Join(s.args, " "), err)
	}
}

// ExitCode returns sipp's exit status, or -1 while it runs (or if a signal
// ended it).
func (s *SIPp) ExitCode() int {
	select {
	case <-s.exited:
	default:
		return -1
	}
	if s.waitErr == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// Exited is closed when sipp has exited.
func (s *SIPp) Exited() <-chan struct{} { return s.exited }

// Output returns what sipp printed so far (its screens and errors).
func (s *SIPp) Output() string { return s.out.String() }

// Dir is sipp's working directory, where its trace files go.
func (s *SIPp) Dir() string { return s.dir }

// Messages returns the content of the *_messages.log files that -trace_msg
// writes (every message sent and received), or "" if there are none.
func (s *SIPp) Messages() string {
	files, _ := filepath.Glob(filepath.Join(s.dir, "*_messages.log"))
	var b strings.Builder
	for _, f := range files {
		data, _ := os.ReadFile(f)
		b.Write(data)
	}
	return b.String()
}

// StartSIPpReceiver runs sipp as a UDP user that registers user at k (no
// credentials: leave user out of KamailioOptions.Users), answers one
// MESSAGE with 200, unregisters and exits 0, with the scenario
// testdata/register-recv-message.xml (the MESSAGE goes to the out-of-call
// scenario recv-message-ooc.xml). sipp gives up after 15 s. Wait for the
// registration with k.WaitRegistered(ctx, user) before sending, then Check
// its exit and read what it received in Messages.
func StartSIPpReceiver(t testing.TB, k *Kamailio, user string) *SIPp {
	t.Helper()
	return StartSIPp(t,
		"-sf", Testdata(t, "register-recv-message.xml"),
		"-oocsf", Testdata(t, "recv-message-ooc.xml"),
		"-s", user, "-i", "127.0.0.1", "-p", strconv.Itoa(FreePort(t, "udp")),
		"-m", "1", "-timeout", "15s", "-timeout_error", "-trace_msg", "-trace_err",
		k.UDPAddr())
}
