//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"

	"github.com/ringo-sip/ringo"
	"github.com/ringo-sip/ringo/media/browser"
	"github.com/ringo-sip/ringo/sip"
	"github.com/ringo-sip/ringo/transport"
)

// messageData is what ringo.js needs to build JsSIP's IncomingRequest,
// IncomingResponse or OutgoingRequest: the start line fields, the header
// fields in order (names in their canonical spelling, so that compact forms
// are found by their full names), the body, the raw text, and From and To
// already parsed. Nil gives null.
//
// It crosses into JavaScript as one JSON string that JSON.parse turns into
// the object: building it field by field through syscall/js costs a
// crossing per value, some 20 times as much.
func messageData(m sip.Message) any {
	d := messageMap(m)
	if d == nil {
		return nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return js.ValueOf(d)
	}
	return jsonParse.Invoke(string(b))
}

var jsonParse = js.Global().Get("JSON").Get("parse").Call("bind", js.Global().Get("JSON"))

func messageMap(m sip.Message) map[string]any {
	switch v := m.(type) {
	case nil:
		return nil
	case *sip.Request:
		if v == nil {
			return nil
		}
	case *sip.Response:
		if v == nil {
			return nil
		}
	}
	h := m.Header()
	fields := make([]any, 0, h.Len())
	for _, f := range h.Fields() {
		fields = append(fields, []any{sip.CanonicalName(f.Name), f.Value})
	}
	d := map[string]any{
		"headers": fields,
		"body":    string(m.Body()),
		"data":    m.String(),
		"call_id": h.CallID(),
	}
	switch v := m.(type) {
	case *sip.Request:
		d["method"] = v.Method
		d["ruri"] = uriData(v.URI)
	case *sip.Response:
		d["status_code"] = v.StatusCode
		d["reason_phrase"] = v.Reason
	}
	if cseq, err := h.CSeq(); err == nil {
		d["cseq"] = int(cseq.Seq)
		if d["method"] == nil {
			d["method"] = cseq.Method
		}
	}
	if a, err := h.From(); err == nil {
		d["from"] = addressData(a)
		d["from_tag"] = a.Tag()
	}
	if a, err := h.To(); err == nil {
		d["to"] = addressData(a)
		d["to_tag"] = a.Tag()
	}
	return d
}

// addressData is a name-addr for JsSIP's NameAddrHeader.
func addressData(a sip.Address) map[string]any {
	return map[string]any{
		"display_name": a.DisplayName,
		"uri":          uriData(a.URI),
		"params":       paramsData(a.Params),
		"string":       a.String(),
	}
}

// uriData is a URI for JsSIP's URI.
func uriData(u sip.URI) map[string]any {
	d := map[string]any{
		"scheme":  u.Scheme,
		"user":    u.User,
		"host":    u.Host,
		"params":  paramsData(u.Params),
		"headers": paramsData(u.Headers),
		"string":  u.String(),
	}
	if u.Port != 0 {
		d["port"] = u.Port
	}
	return d
}

func paramsData(p sip.Params) map[string]any {
	d := make(map[string]any, len(p))
	for _, x := range p {
		if x.Value == "" {
			d[x.Name] = nil
		} else {
			d[x.Name] = x.Value
		}
	}
	return d
}

// errorValue is err for ringo.js: {message, cause, status_code,
// reason_phrase, response}, with JsSIP's cause names.
func errorValue(err error) js.Value {
	d := map[string]any{"message": err.Error(), "cause": causeOf(err)}
	var e *ringo.Error
	if errors.As(err, &e) {
		if e.StatusCode != 0 {
			d["status_code"] = e.StatusCode
			d["reason_phrase"] = e.Reason
		}
		if e.Response != nil {
			d["response"] = messageData(e.Response)
		}
	}
	return js.ValueOf(d)
}

// causeOf names err as JsSIP's causes do.
func causeOf(err error) string {
	var e *ringo.Error
	switch {
	case errors.As(err, &e):
		return string(e.Cause)
	case errors.Is(err, browser.ErrUserMedia):
		return "User Denied Media Access"
	case errors.Is(err, context.DeadlineExceeded):
		return string(ringo.CauseRequestTimeout)
	case errors.Is(err, ringo.ErrNotStarted), errors.Is(err, ringo.ErrStopped), errors.Is(err, transport.ErrNotConnected):
		return string(ringo.CauseConnectionError)
	}
	return string(ringo.CauseInternalError)
}

// strings reads an array of strings (JsSIP's extraHeaders); anything else
// reads as none.
func stringList(v js.Value) []string {
	if v.Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", v).Bool() {
		return nil
	}
	out := make([]string, v.Length())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}

// str reads a string property, "" when missing or null.
func str(o js.Value, key string) string {
	if o.Type() != js.TypeObject {
		return ""
	}
	v := o.Get(key)
	switch v.Type() {
	case js.TypeString:
		return v.String()
	case js.TypeUndefined, js.TypeNull:
		return ""
	}
	// A JsSIP URI or NameAddrHeader object: its toString.
	return v.Call("toString").String()
}

// num reads a number property and whether it was set.
func num(o js.Value, key string) (float64, bool) {
	if o.Type() != js.TypeObject {
		return 0, false
	}
	v := o.Get(key)
	if v.Type() != js.TypeNumber {
		return 0, false
	}
	return v.Float(), true
}

// boolean reads a boolean property, def when it is not a boolean.
func boolean(o js.Value, key string, def bool) bool {
	if o.Type() != js.TypeObject {
		return def
	}
	v := o.Get(key)
	if v.Type() != js.TypeBoolean {
		return def
	}
	return v.Bool()
}
