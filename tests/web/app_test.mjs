// Unit tests of the dashboard's pure parts (ANSI parser, DAG layout) under Node's test runner:
// app.js is loaded in a VM context with just enough of a browser to define them.
//   usage: node --test tests/web/app_test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = fs.readFileSync(path.join(here, '../../dashboard-api/web/app.js'), 'utf8');
const noop = () => {};
const requests = []; // [{path, headers}] seen by the fake fetch
let responses = []; // queued: arrays of body chunks (strings), one per request
const sandbox = {
  document: { addEventListener: noop, querySelector: () => null },
  localStorage: { getItem: (k) => (k === 'baton.token' ? 'secret-token' : null), setItem: noop, removeItem: noop },
  addEventListener: noop,
  setTimeout, clearTimeout, TextDecoder, AbortController,
  // A server that sends each queued body in the given chunks, then drops the connection.
  fetch: async (path, init) => {
    requests.push({ path, headers: { ...init.headers } });
    const chunks = responses.shift() || [];
    const enc = new TextEncoder();
    let i = 0;
    return {
      ok: true, status: 200,
      body: { getReader: () => ({ read: async () => (i < chunks.length ? { value: enc.encode(chunks[i++]), done: false } : { done: true }) }) },
    };
  },
};
sandbox.window = sandbox;
vm.runInNewContext(source, sandbox, { filename: 'app.js' });
const { Ansi, layoutDag, stream } = sandbox.batonDashboard;

const pieces = (...chunks) => {
  const a = new Ansi();
  return chunks.flatMap((c) => a.feed(c)).map((p) => [p.text, p.cls, ...(p.css ? [p.css.color || p.css.backgroundColor] : [])]);
};

test('SGR colours, bold and reset', () => {
  assert.deepEqual(pieces('a\x1b[31mred\x1b[0mplain'), [['a', ''], ['red', 'a-f1'], ['plain', '']]);
  assert.deepEqual(pieces('\x1b[92mok\x1b[39m'), [['ok', 'a-f10']]);
  // bold makes the 8 normal colours bright, like xterm
  assert.deepEqual(pieces('\x1b[1;34mB\x1b[22mN'), [['B', 'a-f12 a-bold'], ['N', 'a-f4']]);
  assert.deepEqual(pieces('\x1b[41;97mX\x1b[m'), [['X', 'a-f15 a-b1']]);
  assert.deepEqual(pieces('\x1b[3;4mI\x1b[23;24mJ'), [['I', 'a-it a-ul'], ['J', '']]);
});

test('256-colour and truecolour become inline colours', () => {
  assert.deepEqual(pieces('\x1b[38;5;196mZ'), [['Z', '', 'rgb(255,0,0)']]);
  assert.deepEqual(pieces('\x1b[38;5;9mZ'), [['Z', 'a-f9']]);
  assert.deepEqual(pieces('\x1b[38;5;244mZ'), [['Z', '', 'rgb(128,128,128)']]);
  assert.deepEqual(pieces('\x1b[48;2;1;2;3mZ'), [['Z', '', 'rgb(1,2,3)']]);
});

test('a sequence split across chunks is carried over', () => {
  assert.deepEqual(pieces('x\x1b', '[3', '2mg'), [['x', ''], ['g', 'a-f2']]);
});

test('other escape sequences are dropped, text kept verbatim', () => {
  assert.deepEqual(pieces('a\x1b[2Kb\x1b[1Ac'), [['a', ''], ['b', ''], ['c', '']]);
  assert.deepEqual(pieces('\x1b]0;title\x07t\x1b]8;;http://x\x1b\\link'), [['t', ''], ['link', '']]);
  assert.deepEqual(pieces('<b>&amp;</b>'), [['<b>&amp;</b>', '']]);
});

const task = (name, deps = [], fin = false) => ({ name, depends_on: deps, is_finally: fin, state: 'pending' });

test('diamond: one column per depth, parents left of children, finally last', () => {
  const L = layoutDag([task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c']), task('f', [], true)], false);
  const x = (n) => L.nodes.get(n).x;
  assert.ok(x('a') < x('b') && x('b') === x('c') && x('c') < x('d') && x('d') < x('f'));
  assert.notEqual(L.nodes.get('b').y, L.nodes.get('c').y);
  assert.ok(L.hasFinally);
  assert.ok(L.width > L.height);
});

test('vertical layout swaps the axes', () => {
  const L = layoutDag([task('a'), task('b', ['a']), task('c', ['b'])], true);
  const y = (n) => L.nodes.get(n).y;
  assert.ok(y('a') < y('b') && y('b') < y('c'));
  assert.equal(L.nodes.get('a').x, L.nodes.get('c').x);
  assert.ok(L.height > L.width);
});

test('a cycle or an unknown dependency does not hang or throw', () => {
  const L = layoutDag([task('a', ['b']), task('b', ['a']), task('c', ['nope'])], false);
  assert.equal(L.nodes.size, 3);
});

test('SSE over fetch: framing, bearer token, and resume with Last-Event-ID after a drop', async () => {
  responses = [
    // split mid-line and mid-field; a comment; CRLF; a two-line data; an event with no id
    [': hello\n\nid: 1\nevent: log\nda', 'ta: {"a":1}\n\n', 'id: 2\r\nevent: log\r\ndata: x\r\ndata: y\r\n\r\n'],
    ['event: end\ndata: {"status":"succeeded"}\n\n', 'id: 9\nevent: log\ndata: never\n\n'],
  ];
  const seen = [];
  await new Promise((resolve) => {
    stream('/api/v1/x', {
      onEvent(ev) {
        seen.push([ev.type, ev.data, ev.id]);
        if (ev.type === 'end') { resolve(); return false; } // handler ends the stream for good
        return true;
      },
    });
  });
  assert.deepEqual(seen, [['log', '{"a":1}', '1'], ['log', 'x\ny', '2'], ['end', '{"status":"succeeded"}', null]]);
  assert.equal(requests.length, 2);
  assert.equal(requests[0].headers.Authorization, 'Bearer secret-token');
  assert.equal(requests[0].headers.Accept, 'text/event-stream');
  assert.equal(requests[0].headers['Last-Event-ID'], undefined);
  assert.equal(requests[1].headers['Last-Event-ID'], '2');
});
