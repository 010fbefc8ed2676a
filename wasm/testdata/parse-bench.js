'use strict';
// Parse speed of the wasm build in Node.js against JsSIP's parser in the
// same process, on the same messages (RINGO_MESSAGES: a JSON file of
// [{name, text}], internal/testmsg's). One JSON line per message:
//   jssip_us      JsSIP's Parser.parseMessage (it parses Via, From, To,
//                 CSeq, Call-ID, Contact, ... eagerly)
//   wasm_us       sip.Parse inside Go, looped in Go (no JS<->Go crossing)
//   wasm_typed_us the same, then reading the headers JsSIP parses eagerly
//   wasm_js_us    Ringo.parse(text) from JavaScript: the crossing into Go,
//                 the parse, and the message object built back in JS
// Then {"event":"startup", ms} for loading ringo.js (compile and start).
const fs = require('fs');

const t0 = process.hrtime.bigint();
const Ringo = require('../ringo.js');
const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
const Parser = require('jssip/lib/Parser');

const messages = JSON.parse(fs.readFileSync(process.env.RINGO_MESSAGES, 'utf8'));
const n = Number(process.env.RINGO_BENCH_N || 20000);
const ua = {}; // JsSIP keeps it on the message; parsing does not use it

// time returns the best of 5 rounds of n/5 calls, in µs per call: the
// machine may be busy with other work, and the best round is the one it
// disturbed least.
function time(f) {
  for (let i = 0; i < Math.min(2000, n); i++) f(); // warm up the JIT
  const per = Math.max(1, Math.floor(n / 5));
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < per; i++) f();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e3 / per);
  }
  return best;
}

function best(f) {
  let b = Infinity;
  for (let r = 0; r < 5; r++) b = Math.min(b, f());
  return b;
}

for (const m of messages) {
  if (!Parser.parseMessage(m.text, ua)) {
    throw new Error(`JsSIP cannot parse ${m.name}`);
  }
  const out = { event: 'parse', name: m.name, bytes: m.text.length };
  out.jssip_us = time(() => Parser.parseMessage(m.text, ua));
  Ringo.benchParse(m.text, 2000, true);
  out.wasm_us = best(() => Ringo.benchParse(m.text, n / 5, false)) / 1e3;
  out.wasm_typed_us = best(() => Ringo.benchParse(m.text, n / 5, true)) / 1e3;
  out.wasm_js_us = time(() => Ringo.parse(m.text));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
process.stdout.write(`${JSON.stringify({ event: 'startup', ms: startupMs })}\n`);
