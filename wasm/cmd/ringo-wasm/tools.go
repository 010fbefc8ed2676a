//go:build js && wasm

package main

import (
	"syscall/js"
	"time"

	"github.com/ringo-sip/ringo/sip"
)

func (a *api) toolFunctions() map[string]nativeFunc {
	return map[string]nativeFunc{
		"parse":      parse,
		"benchParse": benchParse,
	}
}

// parse(text) parses one SIP message and returns it as ringo.js's message
// data, or an Error that names the header and offset.
func parse(args []js.Value) any {
	m, err := sip.Parse([]byte(arg(args, 0).String()))
	if err != nil {
		return js.Global().Get("Error").New(err.Error())
	}
	return messageData(m)
}

// benchParse(text, n, typed) parses text n times inside Go and returns the
// nanoseconds per message; with typed set it also reads the headers JsSIP
// parses eagerly (Via, From, To, CSeq, Call-ID, Contact), since Ringo parses
// typed headers on first use.
func benchParse(args []js.Value) any {
	text, n, typed := arg(args, 0).String(), arg(args, 1).Int(), arg(args, 2).Truthy()

	if n <= 0 {
		n = 1
	}
	start := time.Now()
	for range n {
		m, err := sip.Parse([]byte(text))
		if err != nil {
			return js.Global().Get("Error").New(err.Error())
		}
		if typed {
			h := m.Header()
			h.Via()
			h.From()
			h.To()
			h.CSeq()
			h.CallID()
			h.Contact()
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
