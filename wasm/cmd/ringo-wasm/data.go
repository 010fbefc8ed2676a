//go:build js && wasm

package main

import (
	"context"
	"errors"
	"strconv"
	"syscall/js"
	"unicode/utf8"

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
// It crosses into JavaScript as one JSON text that JSON.parse turns into
// the object: building it field by field through syscall/js costs a
// crossing per value, some 20 times as much. appendMessage writes the JSON
// straight from the message; encoding/json on a map of the same fields
// took most of the time of a Ringo.parse called from JavaScript.
func messageData(m sip.Message) any {
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
	return jsonParse.Invoke(string(appendMessage(make([]byte, 0, 1024), m)))
}

var jsonParse = js.Global().Get("JSON").Get("parse").Call("bind", js.Global().Get("JSON"))

// appendMessage appends m as the JSON object messageData describes:
// {headers: [[name, value]...], body, data, call_id, ruri | status_code
// and reason_phrase, cseq, method, from, from_tag, to, to_tag}.
func appendMessage(b []byte, m sip.Message) []byte {
	h := m.Header()
	b = append(b, `{"headers":[`...)
	for i, f := range h.Fields() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONString(b, sip.CanonicalName(f.Name))
		b = append(b, ',')
		b = appendJSONString(b, f.Value)
		b = append(b, ']')
	}
	b = append(b, `],"body":`...)
	b = appendJSONString(b, m.Body())
	b = append(b, `,"data":`...)
	b = appendJSONString(b, m.Bytes())
	b = append(b, `,"call_id":`...)
	b = appendJSONString(b, h.CallID())
	var method string
	switch v := m.(type) {
	case *sip.Request:
		method = v.Method
		b = append(b, `,"ruri":`...)
		b = appendURI(b, v.URI)
	case *sip.Response:
		b = append(b, `,"status_code":`...)
		b = strconv.AppendInt(b, int64(v.StatusCode), 10)
		b = append(b, `,"reason_phrase":`...)
		b = appendJSONString(b, v.Reason)
	}
	if cseq, err := h.CSeq(); err == nil {
		b = append(b, `,"cseq":`...)
		b = strconv.AppendUint(b, uint64(cseq.Seq), 10)
		if method == "" {
			method = cseq.Method
		}
	}
	if method != "" {
		b = append(b, `,"method":`...)
		b = appendJSONString(b, method)
	}
	if a, err := h.From(); err == nil {
		b = append(b, `,"from":`...)
		b = appendAddress(b, a)
		b = append(b, `,"from_tag":`...)
		b = appendJSONString(b, a.Tag())
	}
	if a, err := h.To(); err == nil {
		b = append(b, `,"to":`...)
		b = appendAddress(b, a)
		b = append(b, `,"to_tag":`...)
		b = appendJSONString(b, a.Tag())
	}
	return append(b, '}')
}

// appendAddress appends a name-addr for JsSIP's NameAddrHeader:
// {display_name, uri, params, string}.
func appendAddress(b []byte, a sip.Address) []byte {
	b = append(b, `{"display_name":`...)
	b = appendJSONString(b, a.DisplayName)
	b = append(b, `,"uri":`...)
	b = appendURI(b, a.URI)
	b = append(b, `,"params":`...)
	b = appendParams(b, a.Params)
	b = append(b, `,"string":`...)
	b = appendJSONString(b, a.String())
	return append(b, '}')
}

// appendURI appends a URI for JsSIP's URI: {scheme, user, host, port (when
// given), params, headers, string}.
func appendURI(b []byte, u sip.URI) []byte {
	b = append(b, `{"scheme":`...)
	b = appendJSONString(b, u.Scheme)
	b = append(b, `,"user":`...)
	b = appendJSONString(b, u.User)
	b = append(b, `,"host":`...)
	b = appendJSONString(b, u.Host)
	if u.Port != 0 {
		b = append(b, `,"port":`...)
		b = strconv.AppendInt(b, int64(u.Port), 10)
	}
	b = append(b, `,"params":`...)
	b = appendParams(b, u.Params)
	b = append(b, `,"headers":`...)
	b = appendParams(b, u.Headers)
	b = append(b, `,"string":`...)
	b = appendJSONString(b, u.String())
	return append(b, '}')
}

// appendParams appends {name: value, ...}, null for a parameter without a
// value; of a name given twice the last wins, as in JSON.parse.
func appendParams(b []byte, p sip.Params) []byte {
	b = append(b, '{')
	for i, x := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, x.Name)
		b = append(b, ':')
		if x.Value == "" {
			b = append(b, "null"...)
		} else {
			b = appendJSONString(b, x.Value)
		}
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string. Bytes that are not UTF-8
// become U+FFFD, as a JavaScript string would make them.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n - 1
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// paramsData is p as a JavaScript object, as appendParams writes it.
func paramsData(p sip.Params) js.Value {
	return jsonParse.Invoke(string(appendParams(nil, p)))
}

// errorValue is err for ringo.js: {message, cause, status_code,
// reason_phrase, response}, with JsSIP's cause names.
func errorValue(err error) js.Value {
	d := jsObject("message", err.Error(), "cause", causeOf(err))
	var e *ringo.Error
	if errors.As(err, &e) {
		if e.StatusCode != 0 {
			d.Set("status_code", e.StatusCode)
			d.Set("reason_phrase", e.Reason)
		}
		if e.Response != nil {
			d.Set("response", messageData(e.Response))
		}
	}
	return d
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

// jsObject returns a new JavaScript object with the keys and values given
// in turn: jsObject("originator", "remote", "response", r). Values are
// what js.ValueOf takes. It is the events' payloads: cheaper to build, and
// less code in the wasm file, than a map[string]any given to js.ValueOf.
func jsObject(kv ...any) js.Value {
	o := objectConstructor.New()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

var objectConstructor = js.Global().Get("Object")
