//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"syscall/js"
)

// api is the native side of ringo.js: a table of functions over handles
// (small integers) that name the Go objects: UAs, sessions, subscribers,
// notifiers. The JavaScript classes hold the handles; Go holds the objects
// and the JavaScript object that receives each one's events.
//
// Rules that keep the single JavaScript thread and the Go loops apart:
//   - a native function never waits: anything that waits for the network
//     runs on a goroutine and reports through a done(err, value) callback,
//     which the loader turns into a Promise;
//   - events are delivered from the UA's dispatcher goroutine, never from
//     its loop, by calling the JavaScript object's _emit, which catches the
//     handlers' exceptions;
//   - a panic in a native function (bad arguments) comes back as an Error
//     value, which the loader throws, instead of ending the Go program.
type api struct {
	mu      sync.Mutex
	next    int
	handles map[int]any
	level   *slog.LevelVar
	log     *slog.Logger
}

// levelOff is above every level slog uses: logging is off until
// Ringo.debug.enable(), as JsSIP's debug module.
const levelOff = slog.Level(100)

func newAPI() *api {
	a := &api{handles: map[int]any{}, level: new(slog.LevelVar)}
	a.level.Set(levelOff)
	a.log = slog.New(slog.NewTextHandler(consoleWriter{}, &slog.HandlerOptions{Level: a.level}))
	return a
}

// add stores x under a new handle.
func (a *api) add(x any) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	a.handles[a.next] = x
	return a.next
}

func (a *api) drop(id int) {
	a.mu.Lock()
	delete(a.handles, id)
	a.mu.Unlock()
}

// lookup returns the object of handle id, which must be a T; it panics
// otherwise, which guard turns into an Error for the caller.
func lookup[T any](a *api, v js.Value) T {
	id := v.Int()
	a.mu.Lock()
	x, ok := a.handles[id]
	a.mu.Unlock()
	t, ok2 := x.(T)
	if !ok || !ok2 {
		panic(fmt.Sprintf("no such object (handle %d): it has ended or was never made", id))
	}
	return t
}

// object returns the table of native functions.
func (a *api) object() js.Value {
	o := js.Global().Get("Object").New()
	for name, f := range a.functions() {
		o.Set(name, js.FuncOf(guard(name, f)))
	}
	return o
}

type nativeFunc func(args []js.Value) any

func (a *api) functions() map[string]nativeFunc {
	fs := map[string]nativeFunc{
		"version": func([]js.Value) any { return version },
		"debug":   a.debug,
	}
	for _, m := range []map[string]nativeFunc{a.uaFunctions(), a.sessionFunctions(), a.subscriptionFunctions(), a.toolFunctions()} {
		for k, v := range m {
			fs[k] = v
		}
	}
	return fs
}

// version is the library version the wasm build reports.
const version = "0.1.0"

// debug sets the log level: "debug", "info", "warn", "error" or "off".
func (a *api) debug(args []js.Value) any {
	switch arg(args, 0).String() {
	case "debug":
		a.level.Set(slog.LevelDebug)
	case "info":
		a.level.Set(slog.LevelInfo)
	case "warn":
		a.level.Set(slog.LevelWarn)
	case "error":
		a.level.Set(slog.LevelError)
	default:
		a.level.Set(levelOff)
	}
	return nil
}

// guard wraps a native function: args beyond those given read as
// undefined, and a panic becomes a returned Error.
func guard(name string, f nativeFunc) func(js.Value, []js.Value) any {
	return func(_ js.Value, args []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				ret = js.Global().Get("Error").New(fmt.Sprintf("ringo: %s: %v", name, r))
			}
		}()
		return f(args)
	}
}

// arg returns args[i], or undefined.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// callback returns a function that calls the JavaScript done(err, value)
// once; it may be called from any goroutine.
func callback(done js.Value) func(err error, v any) {
	var once sync.Once
	return func(err error, v any) {
		once.Do(func() {
			if done.Type() != js.TypeFunction {
				return
			}
			e := js.Null()
			if err != nil {
				e = errorValue(err)
			}
			if v == nil {
				v = js.Null()
			}
			invoke(done, e, v)
		})
	}
}

// invoke calls f, recovering the panic that a JavaScript exception causes,
// so that an application's bug cannot end the Go program.
func invoke(f js.Value, args ...any) (ret js.Value) {
	defer func() {
		if r := recover(); r != nil {
			ret = js.Undefined()
			js.Global().Get("console").Call("error", fmt.Sprintf("ringo: a JavaScript callback threw: %v", r))
		}
	}()
	return f.Invoke(args...)
}

// call calls the method of o, as invoke does.
func call(o js.Value, method string, args ...any) (ret js.Value) {
	defer func() {
		if r := recover(); r != nil {
			ret = js.Undefined()
			js.Global().Get("console").Call("error", fmt.Sprintf("ringo: %s threw: %v", method, r))
		}
	}()
	return o.Call(method, args...)
}

// consoleWriter writes log lines with console.log.
type consoleWriter struct{}

func (consoleWriter) Write(p []byte) (int, error) {
	s := string(p)
	if n := len(s); n > 0 && s[n-1] == '\n' {
		s = s[:n-1]
	}
	js.Global().Get("console").Call("log", s)
	return len(p), nil
}

// errNoObject is the error for a handle the JavaScript side lost.
var errNoObject = errors.New("ringo: no such object")
