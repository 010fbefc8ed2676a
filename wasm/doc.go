// Package wasm holds Ringo's JavaScript API: the WebAssembly build of the
// library (cmd/ringo-wasm, GOOS=js GOARCH=wasm) and the npm-style package
// around it: ringo.js, the loader and the JsSIP-shaped classes (UA,
// WebSocketInterface, RTCSession, Message, ...), ringo.d.ts, its TypeScript
// declarations, and build.sh, which builds dist/ringo.wasm and copies Go's
// wasm_exec.js from the toolchain next to it.
//
// The same package runs in browsers and in Node.js 20 (with the ws package
// as the WebSocket when there is no global one). The Go tests here build the
// wasm file and drive it from Node.js against native Ringo UAs.
package wasm
