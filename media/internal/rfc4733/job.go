package rfc4733

import (
	"context"

	"github.com/ringo-sip/ringo/media"
)

// A Job is one SendDTMF call on its way to an engine's sending goroutine:
// the caller's context, the Player of its tones, and where the result
// goes.
type Job struct {
	Ctx context.Context
	*Player
	done chan error // receives the result once
}

// NewJob returns the job of playing tones (validated) with opts.
func NewJob(ctx context.Context, tones string, opts media.DTMFOptions) *Job {
	return &Job{Ctx: ctx, Player: NewPlayer(tones, opts), done: make(chan error, 1)}
}

// Finish reports the job's result to Run; the sending goroutine calls it
// once.
func (j *Job) Finish(err error) { j.done <- err }

// Run hands the job to the sending goroutine through jobs and waits for
// its result. closed is closed when the session is: Run then returns
// media.ErrClosed. Until the goroutine takes the job, the caller's context
// can end the wait.
func (j *Job) Run(jobs chan<- *Job, closed <-chan struct{}) error {
	select {
	case jobs <- j:
	case <-j.Ctx.Done():
		return j.Ctx.Err()
	case <-closed:
		return media.ErrClosed
	}
	select {
	case err := <-j.done:
		return err
	case <-closed:
		return media.ErrClosed
	}
}
