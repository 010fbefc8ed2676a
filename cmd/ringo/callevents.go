package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media"
	"github.com/ringo-sip/ringo/sip"
)

// callReporter reports the events of one call, as the JSON events
// call_progress, call_accepted, call_confirmed, call_media, dtmf, stats,
// call_ended and call_failed, or as readable lines.
//
// The call command shows them as progress on standard error (and the JSON
// on standard output with --json); the agent, which may carry several
// calls, prints them on standard output like its other events, numbered
// ("call 2: ...", "call":2).
type callReporter struct {
	rep *reporter
	// progress puts the readable lines on standard error.
	progress bool
	// id numbers the agent's calls; 0 for the call command.
	id int

	mu sync.Mutex
	// invited is when the INVITE was sent (call) or received (agent).
	invited time.Time
	// answeredAt is when the call was answered; zero before.
	answeredAt time.Time
	firstRTP   time.Duration
	codec      string

	// answered is closed when the call is answered; ended gets its end.
	answered     chan struct{}
	answeredOnce sync.Once
	ended        chan callEnd
}

func newCallReporter(rep *reporter, progress bool, id int) *callReporter {
	return &callReporter{
		rep: rep, progress: progress, id: id,
		answered: make(chan struct{}),
		ended:    make(chan callEnd, 1),
	}
}

// event reports one event of the call.
func (c *callReporter) event(human, name string, kv ...any) {
	if c.id != 0 {
		kv = append([]any{"call", c.id}, kv...)
		human = fmt.Sprintf("call %d: %s", c.id, human)
	}
	if !c.progress {
		c.rep.event(human, name, kv...)
		return
	}
	c.rep.progress("%s", human)
	if c.rep.json {
		io.WriteString(c.rep.stdout, string(eventJSON(name, kv...)))
	}
}

// setInvited records when the INVITE was sent or received: the times
// reported are counted from it.
func (c *callReporter) setInvited(t time.Time) {
	c.mu.Lock()
	c.invited = t
	c.mu.Unlock()
}

// sinceInvite returns the time since the INVITE.
func (c *callReporter) sinceInvite() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Since(c.invited)
}

// talkTime returns how long the call has been answered, or zero.
func (c *callReporter) talkTime() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answeredAt.IsZero() {
		return 0
	}
	return time.Since(c.answeredAt)
}

// handlers returns the session handlers that report the call's events.
func (c *callReporter) handlers() ringo.SessionHandlers {
	return ringo.SessionHandlers{
		Progress: func(ev ringo.ProgressEvent) {
			code, reason := ev.Response.StatusCode, ev.Response.Reason
			human := fmt.Sprintf("ringing (%d %s) after %s", code, reason, ms(c.sinceInvite()))
			if ev.Originator == ringo.Local {
				human = fmt.Sprintf("sent %d %s", code, reason)
			} else if code != 180 {
				human = fmt.Sprintf("progress (%d %s) after %s", code, reason, ms(c.sinceInvite()))
			}
			c.event(human, "call_progress", "originator", string(ev.Originator), "status", code,
				"reason", reason, "elapsed_ms", msNumber(c.sinceInvite()))
		},
		Accepted: func(ev ringo.AcceptedEvent) {
			setup := c.sinceInvite()
			c.mu.Lock()
			c.answeredAt = time.Now()
			c.mu.Unlock()
			code, reason := ev.Response.StatusCode, ev.Response.Reason
			human := fmt.Sprintf("answered (%d %s); setup time %s", code, reason, ms(setup))
			if ev.Originator == ringo.Local {
				human = fmt.Sprintf("answered (%d %s sent) after %s", code, reason, ms(setup))
			}
			c.event(human, "call_accepted", "originator", string(ev.Originator), "status", code,
				"reason", reason, "setup_ms", msNumber(setup))
			c.answeredOnce.Do(func() { close(c.answered) })
		},
		Confirmed: func(ev ringo.ConfirmedEvent) {
			human := "confirmed (ACK sent)"
			if ev.Originator == ringo.Remote {
				human = "confirmed (ACK received)"
			}
			c.event(human, "call_confirmed", "originator", string(ev.Originator),
				"elapsed_ms", msNumber(c.sinceInvite()))
		},
		Ended: func(ev ringo.EndEvent) {
			talk := c.talkTime()
			c.event(fmt.Sprintf("call ended by %s (%s) after %s", ev.Originator, ev.Cause, seconds(talk)),
				"call_ended", "cause", string(ev.Cause), "originator", string(ev.Originator),
				"duration_s", secondsNumber(talk))
			c.end(callEnd{EndEvent: ev})
		},
		Failed: func(ev ringo.EndEvent) {
			code, reason := failureStatus(ev)
			human := fmt.Sprintf("call failed: %s", ev.Cause)
			if code != 0 {
				human += fmt.Sprintf(" (%d %s)", code, reason)
			}
			human += fmt.Sprintf(", by %s after %s", ev.Originator, ms(c.sinceInvite()))
			c.event(human, "call_failed", "cause", string(ev.Cause), "originator", string(ev.Originator),
				"status", opt(code), "reason", opt(reason), "elapsed_ms", msNumber(c.sinceInvite()))
			c.end(callEnd{EndEvent: ev, failed: true})
		},
		Hold: func(ev ringo.HoldEvent) {
			c.event("on hold ("+string(ev.Originator)+")", "call_hold", "originator", string(ev.Originator))
		},
		Unhold: func(ev ringo.HoldEvent) {
			c.event("off hold ("+string(ev.Originator)+")", "call_unhold", "originator", string(ev.Originator))
		},
		NewDTMF: func(ev ringo.DTMFEvent) {
			transport := "rfc4733"
			if ev.Request != nil {
				transport = "info"
			}
			verb := "received"
			if ev.Originator == ringo.Local {
				verb = "sent"
			}
			tone := string(ev.Tone)
			c.event(fmt.Sprintf("DTMF %s %s (%s, %s)", tone, verb, transport, ms(ev.Duration)),
				"dtmf", "tone", tone, "originator", string(ev.Originator), "transport", transport,
				"duration_ms", msNumber(ev.Duration))
		},
	}
}

// callEnd is how a call ended: its Ended or Failed event.
type callEnd struct {
	ringo.EndEvent
	// failed is set for a Failed event: the call was never up.
	failed bool
}

// end hands the end of the call to whoever waits for it. A session ends
// once; should a second event come, it is dropped.
func (c *callReporter) end(e callEnd) {
	select {
	case c.ended <- e:
	default:
	}
}

// failureStatus returns the status and reason of the response that made
// a call fail, if one did.
func failureStatus(ev ringo.EndEvent) (int, string) {
	if r, ok := ev.Message.(*sip.Response); ok && r != nil {
		return r.StatusCode, r.Reason
	}
	return 0, ""
}

// monitor follows the media of an answered call until done is closed:
// it reports when the first RTP packet arrives (call_media) and, when
// every is not zero, the packet counters at that interval (stats).
func (c *callReporter) monitor(m media.Session, every time.Duration, done <-chan struct{}) {
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-done:
			return
		case <-poll.C:
		}
		st := m.Stats().Audio
		if st.Codec != "" {
			c.mu.Lock()
			c.codec = st.Codec
			c.mu.Unlock()
		}
		if st.Received.Packets > 0 {
			first := c.sinceInvite()
			c.mu.Lock()
			c.firstRTP = first
			c.mu.Unlock()
			c.event(fmt.Sprintf("media flowing: first RTP packet %s after the INVITE (%s)", ms(first), st.Codec),
				"call_media", "codec", st.Codec, "first_rtp_ms", msNumber(first))
			break
		}
	}
	if every <= 0 {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			c.stats(m.Stats().Audio)
		}
	}
}

// stats reports the audio counters.
func (c *callReporter) stats(st media.StreamStats) {
	c.mu.Lock()
	if st.Codec == "" {
		st.Codec = c.codec
	}
	c.mu.Unlock()
	talk := c.talkTime()
	codec := ""
	if st.Codec != "" {
		codec = st.Codec + "  "
	}
	human := fmt.Sprintf("%s  %ssent %d packets, received %d (lost %d, jitter %s)",
		seconds(talk), codec, st.Sent.Packets, st.Received.Packets, st.Received.Lost, ms(st.Received.Jitter))
	c.event(human, "stats", "duration_s", secondsNumber(talk), "codec", opt(st.Codec),
		"sent_packets", st.Sent.Packets, "sent_bytes", st.Sent.Bytes,
		"received_packets", st.Received.Packets, "received_bytes", st.Received.Bytes,
		"received_lost", st.Received.Lost, "jitter_ms", msNumber(st.Received.Jitter))
}

// msNumber is a duration in milliseconds with one decimal, for JSON.
func msNumber(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}

// secondsNumber is a duration in seconds with one decimal, for JSON.
func secondsNumber(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// seconds formats a duration in seconds with one decimal.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}
