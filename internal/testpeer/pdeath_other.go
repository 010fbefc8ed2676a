//go:build unix && !linux

package testpeer

import "syscall"

func setParentDeathSignal(a *syscall.SysProcAttr) {}
