//go:build js && wasm

package main

import "syscall/js"

func (a *api) subscriptionFunctions() map[string]nativeFunc { return map[string]nativeFunc{} }

func (h *uaHandle) listenSubscriptions() {}

var _ js.Value
