'use strict';
// The JSON-lines protocol of the Node.js test peers (peer.js, node-call.js,
// node-refer.js), which internal/testpeer's NodeProcess speaks: events go
// out as one JSON object a line on stdout, with an "event" field; commands
// come in as one JSON object a line on stdin, with a "cmd" field.
const readline = require('readline');

// emit writes one event.
function emit(event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({}, fields || {}, { event })) + '\n');
}

// serve runs commands[c.cmd](c) for each command line; a command that
// throws (or is unknown) is reported as an "error" event. When stdin
// closes, commands.stop() runs.
function serve(commands) {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    let c;
    try {
      c = JSON.parse(line);
      commands[c.cmd](c);
    } catch (err) {
      emit('error', { message: String(err && err.stack || err), cmd: c && c.cmd });
    }
  }).on('close', () => commands.stop());
}

module.exports = { emit, serve };
