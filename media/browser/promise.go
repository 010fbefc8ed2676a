//go:build js

package browser

import (
	"context"
	"errors"
	"syscall/js"
)

// jsError is a rejected Promise or a thrown JavaScript value.
type jsError struct {
	name, message string
}

func (e *jsError) Error() string {
	if e.name == "" {
		return e.message
	}
	return e.name + ": " + e.message
}

func errorFrom(v js.Value) error {
	if v.Type() == js.TypeObject {
		return &jsError{name: v.Get("name").String(), message: v.Get("message").String()}
	}
	return &jsError{message: v.String()}
}

// await waits for the Promise p on the calling goroutine, which must not
// be a JavaScript callback's.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var then, catch js.Func
	then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	catch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		err := errors.New("rejected")
		if len(args) > 0 {
			err = errorFrom(args[0])
		}
		ch <- result{err: err}
		return nil
	})
	release := func() {
		then.Release()
		catch.Release()
	}
	if err := call(p, "then", then, catch); err != nil {
		release()
		return js.Undefined(), err
	}
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
		// The callbacks must live until the Promise settles.
		go func() {
			<-ch
			release()
		}()
		return js.Undefined(), ctx.Err()
	}
}

// call calls a method, turning a JavaScript exception into an error.
func call(o js.Value, method string, args ...any) (err error) {
	_, err = callValue(o, method, args...)
	return err
}

func callValue(o js.Value, method string, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = errorFrom(je.Value)
			} else {
				err = errors.New(method + ": " + toString(r))
			}
		}
	}()
	return o.Call(method, args...), nil
}

func toString(r any) string {
	if e, ok := r.(error); ok {
		return e.Error()
	}
	if s, ok := r.(string); ok {
		return s
	}
	return "panic"
}

// awaitCall calls a method that returns a Promise and waits for it.
func awaitCall(ctx context.Context, o js.Value, method string, args ...any) (js.Value, error) {
	p, err := callValue(o, method, args...)
	if err != nil {
		return js.Undefined(), err
	}
	return await(ctx, p)
}

// listener is a JavaScript event listener that can be removed.
type listener struct {
	target js.Value
	event  string
	fn     js.Func
}

func listen(target js.Value, event string, f func(ev js.Value)) *listener {
	l := &listener{target: target, event: event}
	l.fn = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := js.Undefined()
		if len(args) > 0 {
			ev = args[0]
		}
		f(ev)
		return nil
	})
	target.Call("addEventListener", event, l.fn)
	return l
}

func (l *listener) remove() {
	l.target.Call("removeEventListener", l.event, l.fn)
	l.fn.Release()
}
