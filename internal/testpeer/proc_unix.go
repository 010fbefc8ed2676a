//go:build unix

package testpeer

import (
	"os/exec"
	"syscall"
	"time"
)

// ownGroup puts the command in a process group of its own so that stop can
// reach its children (Kamailio forks its workers). Being out of the
// terminal's group, it would not see a Ctrl-C given to go test: on Linux the
// leader gets SIGTERM when the test binary dies instead.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(cmd.SysProcAttr)
}

// stop sends SIGTERM to the command's process group, then SIGKILL if the
// group leader has not exited after grace. exited is closed when cmd.Wait
// has returned.
func stop(cmd *exec.Cmd, exited <-chan struct{}, grace time.Duration) {
	if cmd.Process == nil {
		return
	}
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	// Workers that outlived their parent.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}
