package rfc4733

import (
	"context"
	"errors"
	"testing"

	"github.com/ringo-sip/ringo/media"
)

func TestJobRun(t *testing.T) {
	ctx := context.Background()
	bad := errors.New("renegotiated")

	// Taken by the sending goroutine, which reports a result.
	jobs := make(chan *Job)
	go func() { (<-jobs).Finish(bad) }()
	if err := NewJob(ctx, "1", media.DTMFOptions{}).Run(jobs, nil); !errors.Is(err, bad) {
		t.Errorf("finished job: %v, want %v", err, bad)
	}

	// Never taken: the caller's context ends the wait.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := NewJob(cctx, "1", media.DTMFOptions{}).Run(make(chan *Job), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled job: %v", err)
	}

	// The session closes, before or after the job is taken.
	closed := make(chan struct{})
	close(closed)
	if err := NewJob(ctx, "1", media.DTMFOptions{}).Run(make(chan *Job), closed); !errors.Is(err, media.ErrClosed) {
		t.Errorf("closed session: %v", err)
	}
	taken, end := make(chan *Job), make(chan struct{})
	go func() { <-taken; close(end) }()
	if err := NewJob(ctx, "1", media.DTMFOptions{}).Run(taken, end); !errors.Is(err, media.ErrClosed) {
		t.Errorf("session closed while playing: %v", err)
	}
}
