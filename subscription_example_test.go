package ringo_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ringo-sip/ringo"
)

// A presence watcher: subscribe, print each notification, unsubscribe.
func ExampleUA_Subscribe() {
	var ua *ringo.UA // created with ringo.NewUA and started
	s, err := ua.Subscribe("bob", "presence", "application/pidf+xml", nil)
	if err != nil {
		log.Fatal(err)
	}
	s.OnNotify(func(e ringo.NotifyEvent) {
		fmt.Printf("%s: %s\n", e.ContentType, e.Body)
	})
	s.OnTerminated(func(e ringo.SubscriberTerminatedEvent) {
		fmt.Println("ended:", e.Code, e.Reason)
	})
	ctx := context.Background()
	if err := s.Subscribe(ctx, nil); err != nil {
		log.Fatal(err)
	}
	// ... later:
	s.Terminate(ctx, nil)
}

// A presence server: accept every subscription to "presence", then send
// changes with Notify.
func ExampleUA_Notify() {
	var ua *ringo.UA // created with ringo.NewUA and started
	ua.OnNewSubscribe(func(r *ringo.IncomingSubscribe) {
		if r.Event.Type != "presence" {
			r.Reject(489, "")
			return
		}
		n, err := ua.Notify(r, "application/pidf+xml", nil)
		if err != nil {
			return
		}
		n.OnTerminated(func(e ringo.NotifierTerminatedEvent) { fmt.Println("ended:", e.Code) })
		// Start waits for the first NOTIFY's answer: do not hold up the
		// other events meanwhile.
		go n.Start(context.Background(), []byte("<presence/>"))
	})
}
