package sip

// This file holds the headers of SIP-specific event notification (RFC
// 6665): Event, Allow-Events and Subscription-State.

// Event is the value of the Event header: an event type and its
// parameters.
type Event struct {
	// Type is the event type as written: "presence", "refer",
	// "message-summary", "presence.winfo", ... RFC 6665 compares it byte
	// by byte, so it is not case-folded.
	Type string
	// Params are the parameters as written, "id" among them.
	Params Params
}

// ID returns the id parameter, or "".
func (e Event) ID() string { return e.Params.Value("id") }

// Matches reports whether e and o name the same subscription: the same
// event type and the same id (or both none), each compared byte by byte
// as RFC 6665 says. Other parameters do not count.
func (e Event) Matches(o Event) bool {
	id1, ok1 := e.Params.Get("id")
	id2, ok2 := o.Params.Get("id")
	return e.Type == o.Type && ok1 == ok2 && id1 == id2
}

// String returns the value in wire form: "presence;id=1".
func (e Event) String() string {
	return string(e.Params.appendTo([]byte(e.Type), ';'))
}

// ParseEvent parses an Event value such as "dialog;id=42".
func ParseEvent(s string) (Event, error) {
	return parseWhole(s, func(s string) (Event, string, error) {
		t, ps, rest, err := tokenThenParams(s, "event type")
		return Event{Type: t, Params: ps}, rest, err
	})
}

// Event returns the Event value (full name or "o").
func (h *Header) Event() (Event, error) { return parseFirst(h, "Event", ParseEvent) }

// AllowEvents returns the event types of the Allow-Events header (full
// name or "u"). An absent header gives an empty list.
func (h *Header) AllowEvents() ([]string, error) { return h.Tokens("Allow-Events") }

// Subscription states of RFC 6665 §8.2.3.
const (
	StateActive     = "active"
	StatePending    = "pending"
	StateTerminated = "terminated"
)

// SubscriptionState is the value of the Subscription-State header of a
// NOTIFY (RFC 6665 §8.2.3).
type SubscriptionState struct {
	// State is "active", "pending", "terminated" or an extension state,
	// lower case whatever the message wrote.
	State string
	// Params are the parameters as written: expires, reason, retry-after
	// and any other. The methods read the well-known ones.
	Params Params
}

// Expires returns the expires parameter in seconds and whether it is
// present.
func (s SubscriptionState) Expires() (uint32, bool) { return s.uintParam("expires") }

// RetryAfter returns the retry-after parameter in seconds and whether it
// is present.
func (s SubscriptionState) RetryAfter() (uint32, bool) { return s.uintParam("retry-after") }

// Reason returns the reason parameter in lower case ("deactivated",
// "probation", "rejected", "timeout", "giveup", "noresource",
// "invariant"), or "".
func (s SubscriptionState) Reason() string { return lowerASCII(s.Params.Value("reason")) }

func (s SubscriptionState) uintParam(name string) (uint32, bool) {
	v, ok := s.Params.Get(name)
	if !ok {
		return 0, false
	}
	n, err := parseUintValue(v)
	return n, err == nil
}

// String returns the value in wire form: "active;expires=600".
func (s SubscriptionState) String() string {
	return string(s.Params.appendTo([]byte(s.State), ';'))
}

// ParseSubscriptionState parses a Subscription-State value such as
// "terminated;reason=timeout". The expires and retry-after parameters must
// be numbers and reason a token.
func ParseSubscriptionState(s string) (SubscriptionState, error) {
	return parseWhole(s, func(s string) (SubscriptionState, string, error) {
		var ss SubscriptionState
		st, ps, rest, err := tokenThenParams(s, "subscription state")
		if err != nil {
			return ss, rest, err
		}
		for _, name := range [...]string{"expires", "retry-after"} {
			if v, ok := ps.Get(name); ok {
				if _, err := parseUintValue(v); err != nil {
					return ss, rest, errorf("%s: %w", name, err)
				}
			}
		}
		if v, ok := ps.Get("reason"); ok && tokenLen(v) != len(v) {
			return ss, rest, errorf("reason %q is not a token", v)
		}
		ss.State, ss.Params = lowerASCII(st), ps
		return ss, rest, nil
	})
}

// SubscriptionState returns the Subscription-State value.
func (h *Header) SubscriptionState() (SubscriptionState, error) {
	return parseFirst(h, "Subscription-State", ParseSubscriptionState)
}
