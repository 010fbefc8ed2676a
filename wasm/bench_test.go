//go:build !js

package wasm_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ringo-sip/ringo/internal/testmsg"
)

// BenchmarkNodeParse compares the wasm build's parser in Node.js with
// JsSIP's, in one Node.js process, on internal/testmsg's messages; it
// reports microseconds per message (see testdata/parse-bench.js for what
// each figure times) and the start-up time of ringo.js. b.N is not used:
// the script loops itself, and one run takes longer than the default
// benchtime, so it runs once.
func BenchmarkNodeParse(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	type message struct {
		Name string `json:"name"`
		Text string `json:"text"`
	}
	var list []message
	for _, m := range testmsg.All {
		list = append(list, message{m.Name, m.Text})
	}
	msgs, err := json.Marshal(list)
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "messages.json")
	if err := os.WriteFile(file, msgs, 0o644); err != nil {
		b.Fatal(err)
	}
	p := runPeer(b, ctx, peerScript(b, "parse-bench.js"), map[string]string{
		"RINGO_MESSAGES": file,
		"RINGO_BENCH_N":  strconv.Itoa(20000),
	})
	for range testmsg.All {
		ev, err := p.WaitFor(ctx, "parse")
		if err != nil {
			b.Fatal(err)
		}
		name := ev["name"].(string)
		for _, k := range []string{"jssip_us", "wasm_us", "wasm_typed_us", "wasm_js_us"} {
			b.ReportMetric(ev[k].(float64), name+"-"+k)
		}
		b.Logf("%s (%v bytes): JsSIP %.1f µs, wasm %.1f µs (typed %.1f µs, from JS %.1f µs)", name, ev["bytes"],
			ev["jssip_us"], ev["wasm_us"], ev["wasm_typed_us"], ev["wasm_js_us"])
	}
	ev, err := p.WaitFor(ctx, "startup")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ev["ms"].(float64), "startup-ms")
}
