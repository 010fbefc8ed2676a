//go:build !unix

package testpeer

import (
	"os/exec"
	"time"
)

func ownGroup(cmd *exec.Cmd) {}

func stop(cmd *exec.Cmd, exited <-chan struct{}, grace time.Duration) {
	if cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}
