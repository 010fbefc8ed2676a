package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// RPC calls a Kamailio RPC command over JSON-RPC on HTTP (the configuration
// serves it at /RPC on the WebSocket port) and returns its result, for
// example RPC(ctx, "ul.dump") or RPC(ctx, "ul.lookup", "location", "alice").
func (k *Kamailio) RPC(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+k.wsAddr()+"/RPC", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	// The configuration closes every HTTP connection after its reply
	// (set_reply_close): a reused one would fail with EOF.
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kamailio rpc %s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("kamailio rpc %s: %w", method, err)
	}
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("kamailio rpc %s: HTTP %s: %q", method, resp.Status, data)
	}
	if r.Error != nil {
		return nil, &RPCError{Method: method, Code: r.Error.Code, Message: r.Error.Message}
	}
	return r.Result, nil
}

// RPCError is an error answer to Kamailio.RPC.
type RPCError struct {
	Method  string // the RPC command called
	Code    int    // JSON-RPC error code (Kamailio uses SIP-like codes: 500, 404, ...)
	Message string // Kamailio's error text
}

// Error says which command failed and how.
func (e *RPCError) Error() string {
	return fmt.Sprintf("kamailio rpc %s: %d %s", e.Method, e.Code, e.Message)
}

// Contact is one registered contact of a user, as Kamailio's location table
// holds it.
type Contact struct {
	Address   string `json:"Address"`    // the Contact URI as registered
	Received  string `json:"Received"`   // where the REGISTER came from (WebSocket, NAT), "" if not set
	Expires   int    `json:"Expires"`    // seconds left
	UserAgent string `json:"User-Agent"` // the REGISTER's User-Agent
	Instance  string `json:"Instance"`   // +sip.instance with its angle brackets, "" if none
	RegID     int    `json:"Reg-Id"`     // reg-id, 0 if none
	CallID    string `json:"Call-ID"`
	CSeq      int    `json:"CSeq"`
	Socket    string `json:"Socket"` // Kamailio's socket it came in on, e.g. "tcp:127.0.0.1:PORT"
}

// Contacts returns the contacts registered for user (location lookups
// ignore the domain), none if the user is not registered.
func (k *Kamailio) Contacts(ctx context.Context, user string) ([]Contact, error) {
	res, err := k.RPC(ctx, "ul.lookup", "location", user)
	var rerr *RPCError
	if errors.As(err, &rerr) && strings.Contains(rerr.Message, "not found") {
		return nil, nil // Kamailio 5.6: 500 AOR not found in location table
	}
	if err != nil {
		return nil, err
	}
	var r struct {
		Contacts []struct {
			Contact Contact `json:"Contact"`
		} `json:"Contacts"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return nil, fmt.Errorf("kamailio rpc ul.lookup: %w in %s", err, res)
	}
	cs := make([]Contact, len(r.Contacts))
	for i, c := range r.Contacts {
		cs[i] = c.Contact
		for _, f := range []*string{&cs[i].Received, &cs[i].Instance} {
			if *f == "[not set]" {
				*f = ""
			}
		}
	}
	return cs, nil
}

// WaitRegistered polls Contacts until user has at least one contact and
// returns them, or fails the test when ctx is done. Call it from the test's
// goroutine.
func (k *Kamailio) WaitRegistered(ctx context.Context, user string) []Contact {
	k.t.Helper()
	for {
		cs, err := k.Contacts(ctx, user)
		if err == nil && len(cs) > 0 {
			return cs
		}
		select {
		case <-ctx.Done():
			k.t.Fatalf("kamailio: %s did not register: %v (last lookup error: %v)", user, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
