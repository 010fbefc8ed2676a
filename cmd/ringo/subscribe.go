package main

// This file holds both ends of SIP event subscriptions (RFC 6665) on the
// command line: the subscribe command, and the notifier behind
// "agent --notify NAME=FILE".

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/sip"
)

// eventTypes are the body types of the common event packages: what
// subscribe accepts and what agent --notify sends by default.
var eventTypes = map[string]string{
	"presence":        "application/pidf+xml",               // RFC 3856
	"message-summary": "application/simple-message-summary", // RFC 3842
	"dialog":          "application/dialog-info+xml",        // RFC 4235
	"reg":             "application/reginfo+xml",            // RFC 3680
	"presence.winfo":  "application/watcherinfo+xml",        // RFC 3857
}

// unsubscribeWait bounds the wait for the final NOTIFY after subscribe
// unsubscribed on Ctrl-C: the un-SUBSCRIBE was accepted, and a notifier
// that sends no final NOTIFY (JsSIP's, unless its application does) should
// not hold the command up for RFC 6665's 30 s.
const unsubscribeWait = 5 * time.Second

var subscribeCommand = &command{
	name:    "subscribe",
	args:    "--server URL --uri URI --event NAME [--accept TYPE] [--fetch] [flags] TARGET",
	summary: "subscribe to an event package and print each notification",
	help: `Subscribe connects to the server and subscribes to the event package NAME
of TARGET (SIP SUBSCRIBE, RFC 6665), then prints each notification the
notifier sends (with --json as {"event":"notify","final":false,
"content_type":...,"body":...}) until the notifier ends the subscription
or the command is interrupted (Ctrl-C, SIGTERM) or --duration has passed;
then it unsubscribes and waits for the final NOTIFY. TARGET is a SIP URI
or a user name, which gets the domain of --uri. NAME may carry parameters:
"dialog;id=7". The subscription is refreshed before it expires.

--accept lists the body types accepted; by default the one of a known
event package (presence: application/pidf+xml, message-summary:
application/simple-message-summary, dialog: application/dialog-info+xml,
reg: application/reginfo+xml, presence.winfo:
application/watcherinfo+xml), otherwise */*. --fetch asks for the current
state once (Expires: 0): a single, final NOTIFY.

Events: subscribe_accepted (the 2xx), subscription_state (pending,
active), notify, subscription_terminated (its code as JsSIP names it,
FINAL_NOTIFY_RECEIVED for a final NOTIFY, with the reason and retry-after
the notifier gave, or the status of a refused SUBSCRIBE).

--timeout bounds the start: connecting, registering (with --register) and
the answer to the SUBSCRIBE.

The exit status is 0 when a final NOTIFY ended the subscription or the
command was interrupted and unsubscribed, 1 when it could not connect or
register, the SUBSCRIBE was refused or unanswered, or the subscription
ended otherwise, and 2 for a wrong command line.
`,
	run: runSubscribe,
}

// runSubscribe is the subscribe command.
func runSubscribe(e *env, cmd *command, args []string) int {
	fs := newFlagSet(cmd)
	f := addUAFlags(fs)
	event := fs.String("event", "", "the event package `NAME`, with parameters if any: presence, dialog;id=7 (required)")
	accept := fs.String("accept", "", "the body `TYPE`s accepted, comma-separated (default by event package, otherwise */*)")
	var interval secondsValue
	fs.Var(&interval, "sub-expires", "subscription interval asked for, in `seconds` or as a duration (default 900)")
	fetch := fs.Bool("fetch", false, "fetch the current state in one final NOTIFY instead of subscribing")
	register := fs.Bool("register", false, "register before subscribing, unregister after")
	duration := fs.Duration("duration", 0, "unsubscribe after this long (0: until the notifier ends it or the command is interrupted)")
	pos, status, ok := parseArgs(e, cmd, fs, args)
	if !ok {
		return status
	}
	if len(pos) != 1 {
		return usageError(e, cmd, "want one TARGET, got %d arguments", len(pos))
	}
	if err := f.check(e); err != nil {
		return usageError(e, cmd, "%v", err)
	}
	if *event == "" {
		return usageError(e, cmd, "--event is required")
	}
	ev, err := sip.ParseEvent(*event)
	if err != nil {
		return usageError(e, cmd, "--event %q: %v", *event, err)
	}
	if *accept == "" {
		*accept = "*/*"
		if t, ok := eventTypes[ev.Type]; ok {
			*accept = t
		}
	} else {
		for _, t := range strings.Split(*accept, ",") {
			if _, err := sip.ParseMediaType(strings.TrimSpace(t)); err != nil {
				return usageError(e, cmd, "--accept %q: %v", *accept, err)
			}
		}
	}
	if *duration < 0 {
		return usageError(e, cmd, "--duration %v is negative", *duration)
	}
	if *fetch && (*duration != 0 || interval != 0) {
		return usageError(e, cmd, "--fetch takes neither --duration nor --sub-expires")
	}
	rep := newReporter(e, cmd, f.json)
	s, status, ok := newSession(e, cmd, f, rep, sessionOptions{})
	if !ok {
		return status
	}
	uri, err := s.ua.NormalizeTarget(pos[0])
	if err != nil {
		return usageError(e, cmd, "bad TARGET: %v", err)
	}
	target := uri.String()
	sub, err := s.ua.Subscribe(target, *event, *accept, &ringo.SubscribeOptions{Expires: time.Duration(interval)})
	if err != nil {
		return usageError(e, cmd, "%v", err)
	}
	ended := make(chan ringo.SubscriberTerminatedEvent, 1)
	hookSubscriber(rep, sub, target, ended)

	ctx, cancel := withTimeout(e.ctx, f.timeout)
	defer cancel()
	if !s.start(ctx) {
		return exitFailure
	}
	defer s.stop(e.ctx)
	if *register && !s.register(ctx) {
		return exitFailure
	}
	if *fetch {
		rep.progress("fetching %s of %s", ev, target)
		err = sub.Terminate(ctx, nil)
	} else {
		rep.progress("subscribing to %s of %s", ev, target)
		err = sub.Subscribe(ctx, nil)
	}
	if err != nil {
		rep.errorf("SUBSCRIBE failed: %v", err)
		if sub.State() != ringo.SubscriptionTerminated {
			// Interrupted or out of time with the SUBSCRIBE in flight:
			// take back what it may set up.
			uctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), stopTimeout)
			sub.Terminate(uctx, nil)
			cancel()
		}
		return exitFailure
	}
	if *fetch {
		// The single NOTIFY is due within --timeout.
		select {
		case ev := <-ended:
			return subscriptionStatus(rep, ev)
		case <-ctx.Done():
			rep.errorf("no NOTIFY came: %v", ctx.Err())
			return exitFailure
		}
	}
	var timeUp <-chan time.Time
	if *duration > 0 {
		t := time.NewTimer(*duration)
		defer t.Stop()
		timeUp = t.C
	}
	select {
	case ev := <-ended:
		return subscriptionStatus(rep, ev)
	case <-e.ctx.Done():
		rep.progress("interrupted")
	case <-timeUp:
	}
	rep.progress("unsubscribing")
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(e.ctx), stopTimeout)
	defer ucancel()
	if err := sub.Terminate(uctx, nil); err != nil && !errors.Is(err, ringo.ErrSubscriptionTerminated) {
		rep.errorf("unsubscribing failed: %v", err)
		return exitFailure
	}
	select {
	case ev := <-ended:
		if ev.Code != ringo.FinalNotifyReceived {
			return subscriptionStatus(rep, ev)
		}
	case <-time.After(unsubscribeWait):
		rep.progress("unsubscribed; no final NOTIFY came within %v", unsubscribeWait)
	}
	return exitOK
}

// subscriptionStatus is the exit status for the end of a subscription: 0
// only for a final NOTIFY.
func subscriptionStatus(rep *reporter, ev ringo.SubscriberTerminatedEvent) int {
	if ev.Code == ringo.FinalNotifyReceived {
		return exitOK
	}
	rep.errorf("subscription ended: %s", ev.Code)
	return exitFailure
}

// hookSubscriber reports the events of sub and hands its end to ended.
func hookSubscriber(rep *reporter, sub *ringo.Subscriber, target string, ended chan<- ringo.SubscriberTerminatedEvent) {
	ev := sub.Event()
	sub.OnAccepted(func(e ringo.SubscriberAcceptedEvent) {
		r := e.Response
		expires, _ := r.Header().Expires()
		rep.event(fmt.Sprintf("subscription to %s of %s accepted: %d %s", ev, target, r.StatusCode, r.Reason),
			"subscribe_accepted", "target", target, "event_package", ev.String(), "status", r.StatusCode,
			"reason", r.Reason, "expires", opt(expires))
	})
	state := func(st ringo.SubscriptionState) func(*ringo.Subscriber) {
		return func(*ringo.Subscriber) {
			rep.event("subscription "+st.String(), "subscription_state", "state", st.String())
		}
	}
	sub.OnPending(state(ringo.SubscriptionPending))
	sub.OnActive(state(ringo.SubscriptionActive))
	sub.OnNotify(func(e ringo.NotifyEvent) {
		human := "notification"
		if e.Final {
			human = "final notification"
		}
		body := string(e.Body)
		rep.event(fmt.Sprintf("%s (%s): %s", human, e.ContentType, strings.TrimRight(body, "\r\n")),
			"notify", "final", e.Final, "content_type", e.ContentType, "body", body)
	})
	sub.OnTerminated(func(e ringo.SubscriberTerminatedEvent) {
		var details []string
		kv := []any{"code", e.Code.String(), "reason", opt(e.Reason)}
		if e.Reason != "" {
			details = append(details, "reason "+e.Reason)
		}
		if e.HasRetryAfter {
			secs := int(e.RetryAfter / time.Second)
			details = append(details, fmt.Sprintf("retry after %d s", secs))
			kv = append(kv, "retry_after", secs)
		}
		var re *ringo.Error
		if errors.As(e.Err, &re) && re.StatusCode != 0 {
			details = append(details, fmt.Sprintf("%d %s", re.StatusCode, re.Reason))
			kv = append(kv, "status", re.StatusCode, "status_reason", re.Reason)
		} else if e.Err != nil {
			details = append(details, e.Err.Error())
			kv = append(kv, "error", e.Err.Error())
		}
		human := "subscription terminated: " + e.Code.String()
		if len(details) > 0 {
			human += " (" + strings.Join(details, ", ") + ")"
		}
		rep.event(human, "subscription_terminated", kv...)
		select {
		case ended <- e:
		default:
		}
	})
}

// notifyPoll is how often agent --notify looks for changes in its files.
const notifyPoll = 200 * time.Millisecond

// maxNotifyBody bounds a file served by agent --notify.
const maxNotifyBody = 64 << 10

// notifyFile is one --notify NAME=FILE: the event package NAME served
// with the content of FILE.
type notifyFile struct {
	event       string
	path        string
	contentType string

	mu      sync.Mutex
	body    []byte
	version int // raised on each change of body
	readErr string
}

// current returns the body last read and its version.
func (nf *notifyFile) current() ([]byte, int) {
	nf.mu.Lock()
	defer nf.mu.Unlock()
	return nf.body, nf.version
}

// read reads the file; it reports whether the content changed, and an
// error only when it differs from the previous read's.
func (nf *notifyFile) read() (changed bool, err error) {
	b, rerr := readSmallFile(nf.path, maxNotifyBody)
	nf.mu.Lock()
	defer nf.mu.Unlock()
	if rerr != nil {
		if rerr.Error() == nf.readErr {
			return false, nil
		}
		nf.readErr = rerr.Error()
		return false, rerr
	}
	nf.readErr = ""
	if bytes.Equal(b, nf.body) && nf.version > 0 {
		return false, nil
	}
	nf.body = b
	nf.version++
	return true, nil
}

func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is over %d bytes", path, limit)
	}
	return b, nil
}

// notifyFlag is the repeatable --notify NAME=FILE flag.
type notifyFlag []*notifyFile

func (n *notifyFlag) String() string {
	var parts []string
	for _, nf := range *n {
		parts = append(parts, nf.event+"="+nf.path)
	}
	return strings.Join(parts, ", ")
}

func (n *notifyFlag) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return errors.New("want NAME=FILE")
	}
	ev, err := sip.ParseEvent(name)
	if err != nil || len(ev.Params) > 0 {
		return fmt.Errorf("bad event package name %q", name)
	}
	for _, nf := range *n {
		if nf.event == name {
			return fmt.Errorf("event package %s given twice", name)
		}
	}
	ct, ok := eventTypes[name]
	if !ok {
		if ct = mime.TypeByExtension(filepath.Ext(path)); ct == "" {
			ct = "text/plain"
		}
	}
	nf := &notifyFile{event: name, path: path, contentType: ct}
	if _, err := nf.read(); err != nil {
		return err
	}
	*n = append(*n, nf)
	return nil
}

// addNotifyFlag defines agent's --notify on fs.
func addNotifyFlag(fs *flag.FlagSet) *notifyFlag {
	n := &notifyFlag{}
	fs.Var(n, "notify", "answer subscriptions to the event package NAME with the content of FILE, and notify\n"+
		"each change of FILE (`NAME=FILE`; repeatable)")
	return n
}

// notifyServer is the notifier of agent --notify: it accepts subscriptions
// to its event packages, sends each its file's content, and a NOTIFY to
// every subscriber when a file changes.
type notifyServer struct {
	rep   *reporter
	ua    *ringo.UA
	files map[string]*notifyFile
	// ctx bounds the Notifiers' calls; cancel ends it once stop has sent
	// the final NOTIFYs.
	ctx    context.Context
	cancel context.CancelFunc
	quit   chan struct{}

	mu      sync.Mutex
	n       int               // subscriptions so far
	subs    map[int]*notifyTo // live subscriptions
	closing bool
	stopped sync.Once
	wg      sync.WaitGroup // the watcher and one per subscription
}

// notifyTo is one subscription served by a notifyServer.
type notifyTo struct {
	id   int
	n    *ringo.Notifier
	file *notifyFile
	wake chan struct{} // the file changed
	done chan struct{} // closed when the subscription has ended
}

// newNotifyServer serves the event packages of files on ua; with none it
// returns nil, and ua answers every SUBSCRIBE 489 Bad Event. Call it
// before the UA starts, and stop before it stops.
func newNotifyServer(rep *reporter, ua *ringo.UA, files notifyFlag) *notifyServer {
	if len(files) == 0 {
		return nil
	}
	ns := &notifyServer{rep: rep, ua: ua, files: make(map[string]*notifyFile),
		quit: make(chan struct{}), subs: make(map[int]*notifyTo)}
	ns.ctx, ns.cancel = context.WithCancel(context.Background())
	for _, nf := range files {
		ns.files[nf.event] = nf
	}
	ua.OnNewSubscribe(ns.onSubscribe)
	ns.wg.Add(1)
	go ns.watch()
	return ns
}

// onSubscribe accepts a SUBSCRIBE to one of the served event packages
// whose Accept allows the file's type.
func (ns *notifyServer) onSubscribe(r *ringo.IncomingSubscribe) {
	from := r.From().URI.String()
	ev := r.Event.String()
	refuse := func(code int, why string) {
		ns.rep.event(fmt.Sprintf("subscription from %s to %s refused: %d (%s)", from, ev, code, why),
			"subscription_refused", "from", from, "event_package", ev, "status", code)
		r.Reject(code, "")
	}
	nf := ns.files[r.Event.Type]
	if nf == nil {
		refuse(489, "event package not served")
		return
	}
	if !acceptable(r.Request.Header(), nf.contentType) {
		refuse(406, "does not accept "+nf.contentType)
		return
	}
	ns.mu.Lock()
	if ns.closing {
		ns.mu.Unlock()
		refuse(480, "agent stopping")
		return
	}
	n, err := ns.ua.Notify(r, nf.contentType, nil)
	if err != nil {
		ns.mu.Unlock()
		ns.rep.errorf("subscription from %s: %v", from, err)
		return
	}
	ns.n++
	sub := &notifyTo{id: ns.n, n: n, file: nf, wake: make(chan struct{}, 1), done: make(chan struct{})}
	ns.subs[sub.id] = sub
	ns.wg.Add(1)
	ns.mu.Unlock()

	expires, ok := r.Expires()
	if !ok {
		expires = ringo.DefaultSubscribeExpires
	}
	secs := int(expires / time.Second)
	ns.rep.event(fmt.Sprintf("subscription %d from %s to %s (%d s)", sub.id, from, ev, secs),
		"subscription", "subscription", sub.id, "from", from, "event_package", ev, "expires", secs)
	initial := true
	n.OnSubscribe(func(e ringo.NotifierSubscribeEvent) {
		if initial {
			initial = false
			return
		}
		if e.Unsubscribe {
			return // the subscription_terminated event says so
		}
		secs := refreshSeconds(e.Request)
		ns.rep.event(fmt.Sprintf("subscription %d refreshed (%d s)", sub.id, secs),
			"subscription_refreshed", "subscription", sub.id, "expires", secs)
	})
	n.OnTerminated(func(e ringo.NotifierTerminatedEvent) {
		human := fmt.Sprintf("subscription %d ended: %s", sub.id, e.Code)
		var errText string
		if e.Err != nil && !errors.Is(e.Err, ringo.ErrStopped) {
			errText = e.Err.Error()
			human += " (" + errText + ")"
		}
		ns.rep.event(human, "subscription_terminated", "subscription", sub.id, "code", e.Code.String(), "error", opt(errText))
		ns.mu.Lock()
		delete(ns.subs, sub.id)
		ns.mu.Unlock()
		close(sub.done)
	})
	// Start waits for the answer to the first NOTIFY: not on the UA's
	// event goroutine.
	go ns.serve(sub)
}

// refreshSeconds returns the Expires of a refresh in seconds, or the
// default interval when it has none.
func refreshSeconds(req *sip.Request) int {
	if e, err := req.Header().Expires(); err == nil {
		return int(e)
	}
	return int(ringo.DefaultSubscribeExpires / time.Second)
}

// acceptable reports whether the Accept of a SUBSCRIBE allows the media
// type ct; a SUBSCRIBE without Accept takes the event package's default.
func acceptable(h *sip.Header, ct string) bool {
	ranges, err := h.Accept()
	if err != nil || len(ranges) == 0 {
		return true
	}
	mt, err := sip.ParseMediaType(ct)
	if err != nil {
		return true
	}
	for _, r := range ranges {
		if r.Match(mt) {
			return true
		}
	}
	return false
}

// serve starts a subscription with the file's content, then sends a
// NOTIFY for each change until the subscription or the agent ends.
func (ns *notifyServer) serve(sub *notifyTo) {
	defer ns.wg.Done()
	body, version := sub.file.current()
	if err := sub.n.Start(ns.ctx, body); err != nil {
		if ns.ctx.Err() == nil {
			ns.rep.errorf("subscription %d: first NOTIFY: %v", sub.id, err)
		}
		return
	}
	ns.notified(sub, body)
	for {
		select {
		case <-sub.wake:
		case <-sub.done:
			return
		case <-ns.quit:
			return
		}
		b, v := sub.file.current()
		if v == version {
			continue
		}
		version = v
		if err := sub.n.Notify(ns.ctx, b); err != nil {
			if ns.ctx.Err() == nil && !errors.Is(err, ringo.ErrSubscriptionTerminated) {
				ns.rep.errorf("subscription %d: NOTIFY: %v", sub.id, err)
			}
			continue // a failure ended the subscription: done is closed
		}
		ns.notified(sub, b)
	}
}

func (ns *notifyServer) notified(sub *notifyTo, body []byte) {
	ns.rep.event(fmt.Sprintf("subscription %d notified (%d bytes)", sub.id, len(body)),
		"notified", "subscription", sub.id, "bytes", len(body))
}

// watch reads the files every notifyPoll and wakes the subscriptions of
// those that changed.
func (ns *notifyServer) watch() {
	defer ns.wg.Done()
	t := time.NewTicker(notifyPoll)
	defer t.Stop()
	for {
		select {
		case <-ns.quit:
			return
		case <-t.C:
		}
		for _, nf := range ns.files {
			changed, err := nf.read()
			if err != nil {
				ns.rep.errorf("--notify %s: %v (still serving its last content)", nf.event, err)
			}
			if !changed {
				continue
			}
			ns.mu.Lock()
			n := 0
			for _, sub := range ns.subs {
				if sub.file == nf {
					n++
					select {
					case sub.wake <- struct{}{}:
					default:
					}
				}
			}
			ns.mu.Unlock()
			ns.rep.progress("%s changed; notifying %d subscriber(s) of %s", nf.path, n, nf.event)
		}
	}
}

// stop ends every subscription with a final NOTIFY and waits (up to
// stopTimeout) for the answers. Later SUBSCRIBEs are refused. It does
// nothing on a nil notifyServer, and the second time.
func (ns *notifyServer) stop() {
	if ns == nil {
		return
	}
	ns.stopped.Do(func() {
		ns.mu.Lock()
		ns.closing = true
		var subs []*notifyTo
		for _, sub := range ns.subs {
			subs = append(subs, sub)
		}
		ns.mu.Unlock()
		close(ns.quit)
		ctx, cancel := context.WithTimeout(ns.ctx, stopTimeout)
		var wg sync.WaitGroup
		for _, sub := range subs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// No reason: the subscriber may subscribe again when it
				// likes (RFC 6665 §4.1.3).
				if err := sub.n.Terminate(ctx, nil, "", 0); err != nil && !errors.Is(err, ringo.ErrStopped) {
					ns.rep.errorf("subscription %d: final NOTIFY: %v", sub.id, err)
				}
			}()
		}
		wg.Wait()
		cancel()
		ns.cancel()
		ns.wg.Wait()
	})
}
