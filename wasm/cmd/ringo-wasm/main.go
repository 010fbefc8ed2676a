//go:build js && wasm

// Command ringo-wasm is Ringo compiled to WebAssembly. It is not meant to be
// run by hand: ringo.js loads it, and main hands the native API (an object of
// functions) to the loader's globalThis.__ringoInit, then waits forever so
// that the functions stay callable.
package main

import (
	"syscall/js"
)

func main() {
	init := js.Global().Get("__ringoInit")
	if init.Type() != js.TypeFunction {
		js.Global().Get("console").Call("error", "ringo.wasm: load it through ringo.js")
		return
	}
	init.Invoke(newAPI().object())
	select {}
}
