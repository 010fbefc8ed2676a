'use strict';
// Drives the Ringo web phone page (wasm/web, served by wasm.WebHandler) in
// headless Chromium through playwright-core, as a person would: it fills
// fields and clicks buttons. The Go test (wasm/webphone_test.go) sends one
// JSON command per line on stdin and reads one JSON event per line on
// stdout:
//   {"cmd":"open","url":URL}                 -> opened {version}
//   {"cmd":"fill","sel":CSS,"value":S}        -> done {id}
//   {"cmd":"click","sel":CSS}                 -> done {id}
//   {"cmd":"wait_text","sel":CSS,"has":S}     -> text {id, text} (30 s at most)
//   {"cmd":"screenshot","path":FILE}          -> done {id}
//   {"cmd":"stop"}                            -> stopped, exit 0
// Errors: error {id, message}. Chromium: RINGO_CHROMIUM or /usr/bin/chromium,
// with fake audio devices, as the interop harness runs it.
const readline = require('readline');
const { chromium } = require('playwright-core');

function emit(event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({}, fields || {}, { event })) + '\n');
}

let browser = null;
let page = null;

const commands = {
  async open(c) {
    browser = await chromium.launch({
      executablePath: process.env.RINGO_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      chromiumSandbox: false,
      args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection',
        '--autoplay-policy=no-user-gesture-required', '--disable-quic'],
    });
    const context = await browser.newContext({ viewport: { width: 620, height: 1000 } });
    page = await context.newPage();
    page.on('console', (m) => process.stderr.write(`console.${m.type()}: ${m.text()}\n`));
    page.on('pageerror', (err) => emit('page_error', { message: String(err) }));
    const t0 = Date.now();
    await page.goto(c.url);
    await page.waitForFunction(() => window.Ringo, null, { timeout: 60000 });
    await page.evaluate(() => window.Ringo.ready);
    emit('opened', { id: c.id, version: browser.version(), ready_ms: Date.now() - t0 });
  },
  async fill(c) {
    await page.fill(c.sel, c.value);
    emit('done', { id: c.id });
  },
  async click(c) {
    await page.click(c.sel);
    emit('done', { id: c.id });
  },
  async wait_text(c) {
    const h = await page.waitForFunction(([sel, has]) => {
      const el = document.querySelector(sel);
      return el && el.textContent.includes(has) ? el.textContent : null;
    }, [c.sel, c.has], { timeout: 30000 });
    emit('text', { id: c.id, text: await h.jsonValue() });
  },
  async screenshot(c) {
    await page.screenshot({ path: c.path, fullPage: true });
    emit('done', { id: c.id });
  },
  async stop() {
    if (browser) await browser.close();
    emit('stopped');
    process.exit(0);
  },
};

let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  queue = queue.then(() => commands[c.cmd](c)).catch((err) => emit('error', { id: c.id, cmd: c.cmd, message: String(err && err.message || err) }));
}).on('close', () => queue.then(() => commands.stop()));
