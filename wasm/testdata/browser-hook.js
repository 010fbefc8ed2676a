'use strict';
// Preloaded (NODE_OPTIONS=--require) into interop/browser/driver.js, the
// teammates' Chromium harness, by the browser tests in wasm/: the harness's
// phone page (interop/browser/phone.js, written against JsSIP's API) then
// runs on Ringo instead of JsSIP, with only the library changed:
//
//   - the driver's JsSIP bundle (require('./build').bundle()) becomes
//     ringo.js followed by `window.JsSIP = window.Ringo`, served as
//     /jssip.js;
//   - the driver's HTTP server also serves /dist/ringo.wasm and
//     /dist/wasm_exec.js from RINGO_WASM_DIR, where ringo.js looks for
//     them (dist/ next to the script).
//
// The harness itself (driver.js, phone.js, internal/testpeer) is used
// unchanged.
const fs = require('fs');
const http = require('http');
const path = require('path');
const Module = require('module');

const wasmDir = process.env.RINGO_WASM_DIR;
const ringoJS = path.join(__dirname, '..', 'ringo.js');

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === './build' && parent && /interop[\\/]browser[\\/]driver\.js$/.test(parent.filename)) {
    return {
      bundle: async () => `${fs.readFileSync(ringoJS, 'utf8')}\nwindow.JsSIP = window.Ringo;\n`,
    };
  }
  return load.apply(this, arguments);
};

const createServer = http.createServer;
http.createServer = function (handler) {
  return createServer.call(this, (req, res) => {
    const m = /^\/dist\/(ringo\.wasm|wasm_exec\.js)$/.exec(new URL(req.url, 'http://127.0.0.1').pathname);
    if (!m) {
      handler(req, res);
      return;
    }
    const type = m[1].endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    fs.createReadStream(path.join(wasmDir, m[1])).pipe(res);
  });
};
