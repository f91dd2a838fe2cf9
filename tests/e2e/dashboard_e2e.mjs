// End-to-end test of the dashboard in headless Chromium against a real `baton serve`:
// a webhook starts a pipeline whose `flaky` task fails on its first run only (a marker file);
// the page must show the run appear live, the DAG change colour, a step's log stream (ANSI
// colours, search), and after a click on "Retry failed" a new run that reuses `prepare` and
// succeeds. Screenshots go to $E2E_SCREENSHOTS.
//   usage: node dashboard_e2e.mjs   (env: BATON, E2E_NODE_MODULES, E2E_SCREENSHOTS)
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const baton = process.env.BATON;
const modules = process.env.E2E_NODE_MODULES;
const shots = process.env.E2E_SCREENSHOTS;
if (!baton || !modules || !shots) throw new Error('set BATON, E2E_NODE_MODULES and E2E_SCREENSHOTS');
const { chromium } = await import(pathToFileURL(path.resolve(modules, 'playwright-core', 'index.mjs')).href);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-'));
const marker = path.join(dir, 'flaky-ran-once');
const gate = path.join(dir, 'gate');
const STEP_TIMEOUT = 30000;
let server = null;
let context = null;

function log(msg) { process.stdout.write(`e2e: ${msg}\n`); }

// The pipeline: prepare (waits for the gate file, so the test can see it running and its log
// streaming) -> flaky (fails once) -> report; a finally task `notify`.
function writeSources() {
  fs.mkdirSync(path.join(dir, 'sources'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'home'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'sources', 'e2e.yaml'), `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: e2e-flaky}
spec:
  params: [{name: who, default: world}]
  tasks:
    - name: prepare
      taskSpec:
        results: [{name: greeting}]
        steps:
          - name: wait-for-gate
            image: busybox
            script: |
              printf '\\033[32mprepare: started\\033[0m for %s\\n' "$(params.who)"
              printf '\\033[1;34mwaiting for the gate\\033[0m <b>not bold</b>\\n'
              # Bounded, so a test that dies half-way leaves no step looping behind.
              for i in $(seq 1200); do [ -f ${gate} ] && break; sleep 0.05; done
              printf 'hello' > $(results.greeting.path)
              echo "prepare: gate open"
    - name: flaky
      runAfter: [prepare]
      params: [{name: greeting, value: $(tasks.prepare.results.greeting)}]
      taskSpec:
        params: [{name: greeting}]
        steps:
          - name: test
            image: busybox
            script: |
              echo "flaky got $(params.greeting)"
              if [ ! -f ${marker} ]; then
                touch ${marker}
                printf '\\033[31;1mFAIL\\033[0m first attempt fails on purpose\\n'
                exit 1
              fi
              printf '\\033[32mPASS\\033[0m second time lucky\\n'
    - name: report
      runAfter: [flaky]
      taskSpec:
        steps: [{name: report, image: busybox, script: "echo report done"}]
  finally:
    - name: notify
      taskSpec:
        steps: [{name: notify, image: busybox, script: "echo notify"}]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: e2e}
spec:
  triggers:
    - name: e2e
      bindings: [{name: who, value: $(body.who)}]
      template:
        spec:
          params: [{name: who}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {generateName: e2e-flaky-}
              spec:
                pipelineRef: {name: e2e-flaky}
                params: [{name: who, value: $(tt.params.who)}]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: e2e-gated}
spec:
  tasks:
    - name: build
      taskSpec:
        steps: [{name: build, image: busybox, script: "echo built"}]
    - name: gate
      runAfter: [build]
      timeout: 120s
      taskRef: {apiVersion: baton.dev/v1alpha1, kind: Approval}
    - name: ship
      runAfter: [gate]
      taskSpec:
        steps: [{name: ship, image: busybox, script: "echo shipped"}]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: e2e-gated}
spec:
  triggers:
    - name: gated
      template:
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {generateName: e2e-gated-}
              spec:
                pipelineRef: {name: e2e-gated}
`);
  fs.writeFileSync(path.join(dir, 'baton.yaml'), `apiVersion: baton.dev/v1alpha1
kind: ServeConfig
listen: 127.0.0.1:0
home: ${dir}/home
store: ${dir}/home/baton.db
sources: [{directory: ${dir}/sources}]
reload: {interval: 0}
shutdown: {grace: 5s}
`);
}

async function until(what, pred, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startServer() {
  const out = fs.openSync(path.join(dir, 'serve.log'), 'w');
  server = spawn(baton, ['serve', '--config', path.join(dir, 'baton.yaml')], { stdio: ['ignore', out, out] });
  server.on('exit', (code, sig) => { if (server) log(`baton serve exited (${code ?? sig})`); server = null; });
  const port = await until('baton serve to listen', () => {
    if (!server) throw new Error(`baton serve died:\n${fs.readFileSync(path.join(dir, 'serve.log'), 'utf8')}`);
    const m = fs.readFileSync(path.join(dir, 'serve.log'), 'utf8').match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return m && Number(m[1]);
  });
  return `http://127.0.0.1:${port}`;
}

function createToken(role, name) {
  const text = execFileSync(baton, ['token', 'create', '--config', path.join(dir, 'baton.yaml'), '--role', role, '--name', name],
    { encoding: 'utf8' });
  // The secret is printed once; take the last non-empty line's last word.
  const lines = text.trim().split('\n').filter(Boolean);
  const token = lines[lines.length - 1].trim().split(/\s+/).pop();
  if (!token || token.length < 16) throw new Error(`no token in: ${text}`);
  return token;
}

async function shot(page, name, { content = false } = {}) {
  // content: only as tall as the page's content (the runs list would be mostly empty space).
  const clip = content ? await page.evaluate(() => ({ x: 0, y: 0, width: window.innerWidth,
    height: Math.min(window.innerHeight, Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)) })) : undefined;
  await page.screenshot({ path: path.join(shots, name), clip });
  log(`screenshot ${name}`);
}

// A push-like body (GitHub's field names): the run carries repository, branch and commit.
const push = (who) => ({ who, repository: { full_name: 'acme/shop' }, ref: 'refs/heads/main', after: '9fceb02d0ae598e95dc970b74767f19372d61af8' });
const stateOf = (page, task) => page.getAttribute(`svg.dag g.node[data-task="${task}"]`, 'data-state').catch(() => null);
// The node is redrawn on every live update: read it in one evaluation, and again if the read
// fell between two redraws.
const fillOf = (page, task) => until(`the fill of ${task}`, () => page.evaluate((t) => {
  const r = document.querySelector(`svg.dag g.node[data-task="${CSS.escape(t)}"] rect`);
  return r && r.isConnected ? getComputedStyle(r).fill : '';
}, task));
// The dominant channel of a computed "rgb(r, g, b)" fill: running is blue, succeeded green,
// failed red, whatever the exact shades (light or dark scheme).
function hue(fill) {
  const m = fill.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  if (!m) return `unparsed ${fill}`;
  const [r, g, b] = m.slice(1, 4).map(Number);
  if (r > g && r > b) return 'red';
  if (g > r && g > b) return 'green';
  if (b > r && b > g) return 'blue';
  return `grey ${fill}`;
}
async function waitState(page, task, states) {
  const want = [].concat(states);
  return until(`task ${task} to be ${want.join('|')} (is ${await stateOf(page, task)})`, async () => {
    const s = await stateOf(page, task);
    return want.includes(s) && s;
  });
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  fs.rmSync(path.join(shots, 'failure.png'), { force: true });
  writeSources();
  const base = await startServer();
  log(`server at ${base}`);
  const token = createToken('operator', 'e2e-oncall');
  const viewerToken = createToken('viewer', 'e2e-viewer');

  const profile = path.join(dir, 'chromium-profile');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A CSP violation or a script error means the page is broken even if it looks fine.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });

  // 0. The ANSI parser on its own: a sequence split across chunks, 256 colours, OSC dropped.
  await page.goto(`${base}/`);
  const ansi = await page.evaluate(() => {
    const a = new window.batonDashboard.Ansi();
    const parts = [...a.feed('x\x1b[3'), ...a.feed('1mred\x1b[0m \x1b]0;title\x07plain \x1b[38;5;196mZ')];
    return JSON.stringify(parts.map((p) => [p.text, p.cls, ...(p.css ? [p.css.color] : [])]));
  });
  const wantAnsi = '[["x",""],["red","a-f1"],[" ",""],["plain ",""],["Z","","rgb(255,0,0)"]]';
  if (ansi !== wantAnsi) throw new Error(`ANSI parser: ${ansi}, want ${wantAnsi}`);

  // 1. Sign in with a viewer token: read-only, no action buttons.
  await page.fill('#token-input', viewerToken);
  await page.click('#token-form button[type=submit]');
  await until('whoami to show the viewer', async () => /viewer/.test(await page.textContent('#whoami')));
  if (await page.evaluate(() => document.body.classList.contains('operator'))) throw new Error('a viewer is treated as an operator');
  // 2. Then with the operator token (kept in localStorage across reloads).
  await page.fill('#token-input', token);
  await page.click('#token-form button[type=submit]');
  await until('whoami to show the operator', async () => /token:e2e-oncall · operator/.test(await page.textContent('#whoami')));
  await page.reload();
  await until('token to survive a reload', async () => /operator/.test(await page.textContent('#whoami')));
  await page.waitForSelector('.live.on');

  // 3. A webhook starts the pipeline; the open runs list shows it without a reload (SSE).
  const hook = await fetch(`${base}/hooks/e2e`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(push('on-call')) });
  if (hook.status !== 202 && hook.status !== 200 && hook.status !== 201) throw new Error(`webhook answered ${hook.status}: ${await hook.text()}`);
  const row = await page.waitForSelector('tr.run-row.s-running, tr.run-row.s-queued', { timeout: STEP_TIMEOUT });
  const runId = await row.getAttribute('data-run');
  log(`run ${runId} appeared in the list`);
  if (!(await row.textContent()).includes('acme/shop@main 9fceb02')) throw new Error(`no repository in the row: ${await row.textContent()}`);
  await page.waitForSelector(`tr.run-row.s-running[data-run="${runId}"]`, { timeout: STEP_TIMEOUT });
  await shot(page, 'runs-list-live.png', { content: true });

  // 4. Its page: prepare is running (blue) and its log streams, with ANSI colours, HTML escaped.
  await page.click(`tr.run-row[data-run="${runId}"] a.run-link`);
  await waitState(page, 'prepare', 'running');
  const runningFill = await fillOf(page, 'prepare');
  if (hue(runningFill) !== 'blue') throw new Error(`a running task is drawn ${runningFill}, not blue`);
  await page.waitForSelector('.log .ll >> text=waiting for the gate', { timeout: STEP_TIMEOUT });
  const green = await page.$eval('.log .a-f2', (e) => [e.textContent, getComputedStyle(e).color]);
  if (green[0] !== 'prepare: started') throw new Error(`SGR 32 not rendered as a span: ${green}`);
  if ((await page.$$('.log b')).length) throw new Error('log text was parsed as HTML');
  if (!(await page.textContent('.log')).includes('<b>not bold</b>')) throw new Error('escaped HTML missing from the log');
  if (!(await page.$('.log .a-bold.a-f12'))) throw new Error('SGR 1;34 not rendered as bold bright blue');
  if ((await page.$$('#btn-cancel')).length !== 1) throw new Error('operator sees no cancel button on a running run');
  await shot(page, 'run-running.png');

  // 5. Open the gate: prepare turns green, flaky fails (red), report is skipped, notify runs.
  fs.writeFileSync(gate, '');
  await waitState(page, 'prepare', 'succeeded');
  const okFill = await fillOf(page, 'prepare');
  if (hue(okFill) !== 'green') throw new Error(`a succeeded task is drawn ${okFill}, not green`);
  await waitState(page, 'flaky', 'failed');
  const failFill = await fillOf(page, 'flaky');
  if (hue(failFill) !== 'red') throw new Error(`a failed task is drawn ${failFill}, not red`);
  await page.waitForSelector('.run-head .badge.s-failed', { timeout: STEP_TIMEOUT });
  await waitState(page, 'report', ['skipped', 'pending']);
  // The page follows the failed task's log by itself.
  await page.waitForSelector('.log .ll >> text=first attempt fails on purpose', { timeout: STEP_TIMEOUT });
  await page.keyboard.press('/'); // the shortcut focuses the search box
  if (!(await page.evaluate(() => document.activeElement.classList.contains('log-search')))) throw new Error('"/" did not focus the log search');
  await page.keyboard.type('fail');
  await until('search highlights', async () => (await page.$$('.log mark')).length >= 2);
  if (!/\d+ \/ \d+/.test(await page.textContent('.log-count'))) throw new Error('search shows no match position');
  // Raw download: the bytes as stored, escape codes included.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.log-bar button:has-text("Raw")')]);
  const raw = fs.readFileSync(await download.path(), 'utf8');
  if (!raw.includes('\x1b[31;1mFAIL\x1b[0m first attempt')) throw new Error(`raw log download: ${JSON.stringify(raw)}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'run-failed.png');
  await page.waitForSelector('.wf-bar.fail', { timeout: STEP_TIMEOUT }); // the failed span is red
  await page.screenshot({ path: path.join(shots, 'run-failed-full.png'), fullPage: true });

  // 6. Retry failed: a new run that reuses prepare and runs flaky and report again.
  await page.click('#btn-retry-failed');
  await until('the page to move to the retry', async () => !page.url().includes(encodeURIComponent(runId)) && /#\/runs\//.test(page.url()));
  const retryId = decodeURIComponent(page.url().split('#/runs/')[1].split('/')[0]);
  log(`retry run ${retryId}`);
  await page.waitForSelector(`.links a[href="#/runs/${encodeURIComponent(runId)}"]`, { timeout: STEP_TIMEOUT });
  await page.waitForSelector('.run-head .badge.s-succeeded', { timeout: STEP_TIMEOUT });
  await waitState(page, 'prepare', 'reused');
  await waitState(page, 'flaky', 'succeeded');
  await waitState(page, 'report', 'succeeded');
  await page.click('svg.dag g.node[data-task="flaky"]');
  await page.waitForSelector('.log .ll >> text=second time lucky', { timeout: STEP_TIMEOUT });
  await page.waitForSelector('.wf-row .wf-bar', { timeout: STEP_TIMEOUT });
  await shot(page, 'run-retried.png');

  // 7. The list shows both; a narrow screen gets the card layout.
  await page.goto(`${base}/#/`);
  await page.waitForSelector(`tr.run-row.s-succeeded[data-run="${retryId}"]`);
  await page.waitForSelector(`tr.run-row.s-failed[data-run="${runId}"]`);
  await shot(page, 'runs-list.png', { content: true });
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(`${base}/#/runs/${encodeURIComponent(runId)}`);
  await page.waitForSelector('svg.dag');
  await until('the graph to turn vertical', async () => {
    const box = await page.$eval('svg.dag', (e) => [e.width.baseVal.value, e.height.baseVal.value]);
    return box[1] > box[0];
  });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) throw new Error(`narrow screen scrolls sideways by ${overflow}px`);
  await shot(page, 'narrow-run.png');

  // 8. Cancel: a second run waits at the gate; two clicks on "Cancel run" stop it.
  fs.rmSync(gate);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/#/`);
  await page.waitForSelector('.live.on');
  const hook2 = await fetch(`${base}/hooks/e2e`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(push('cancel-me')) });
  if (hook2.status >= 300) throw new Error(`webhook answered ${hook2.status}`);
  const row2 = await page.waitForSelector('tr.run-row.s-running', { timeout: STEP_TIMEOUT });
  const cancelId = await row2.getAttribute('data-run');
  await page.click(`tr.run-row[data-run="${cancelId}"] a.run-link`);
  await waitState(page, 'prepare', 'running');
  await page.click('#btn-cancel');
  if (!/again/.test(await page.textContent('#btn-cancel'))) throw new Error('cancel did not ask for a second click');
  await page.click('#btn-cancel');
  await page.waitForSelector('.run-head .badge.s-cancelled', { timeout: STEP_TIMEOUT });
  await waitState(page, 'prepare', ['cancelled', 'failed']);
  fs.writeFileSync(gate, '');
  log(`run ${cancelId} cancelled`);

  // 9. Approval gate: the run waits; the operator approves with a message; it ships.
  await page.goto(`${base}/#/?pipeline=e2e-gated`);
  await page.waitForSelector('.live.on');
  const hook3 = await fetch(`${base}/hooks/e2e-gated`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  if (hook3.status >= 300) throw new Error(`webhook answered ${hook3.status}`);
  const row3 = await page.waitForSelector('tr.run-row.s-running', { timeout: STEP_TIMEOUT });
  await page.click(`tr.run-row[data-run="${await row3.getAttribute('data-run')}"] a.run-link`);
  await page.waitForSelector('.approval:has-text("gate")', { timeout: STEP_TIMEOUT });
  await page.fill('.approval input', 'looks good');
  await shot(page, 'run-approval.png');
  await page.click('.approval button.primary');
  await page.waitForSelector('.run-head .badge.s-succeeded', { timeout: STEP_TIMEOUT });
  await waitState(page, 'gate', 'succeeded');
  await waitState(page, 'ship', 'succeeded');
  if (await page.$('.approval')) throw new Error('the approval prompt stayed after approving');
  log('approval gate approved');

  // Filters: by pipeline (the select, then the URL) and by status.
  await page.goto(`${base}/#/`);
  await page.waitForSelector(`tr.run-row[data-run="${runId}"]`);
  await page.selectOption('#f-pipeline', 'e2e-gated');
  await until('the pipeline filter', async () => /pipeline=e2e-gated/.test(page.url()) &&
    (await page.$$eval('tr.run-row', (rs) => rs.length === 1 && rs[0].textContent.includes('e2e-gated'))));
  await page.goto(`${base}/#/`);
  await page.fill('#f-repository', 'acme/shop');
  await page.press('#f-repository', 'Enter');
  await until('the repository filter', async () => /repository=acme%2Fshop/.test(page.url()) &&
    (await page.$$eval('tr.run-row', (rs) => rs.length >= 2 && rs.every((r) => r.textContent.includes('acme/shop') &&
      !r.textContent.includes('e2e-gated')))));
  await page.goto(`${base}/#/?status=failed`);
  await until('the status filter', async () => (await page.$$eval('tr.run-row', (rs) => rs.map((r) => r.dataset.run))).join() === runId);
  await page.click(`tr.run-row[data-run="${runId}"] a.run-link`);
  await page.waitForSelector('#btn-rerun');

  // Deliveries: the three webhooks, accepted, each with its run.
  await page.click('#nav-deliveries');
  await until('the deliveries list', async () => (await page.$$('tr[data-delivery] .badge.s-succeeded')).length === 3);
  if (!(await page.$(`tr[data-delivery] a[href="#/runs/${encodeURIComponent(runId)}"]`))) throw new Error('delivery does not link its run');
  await shot(page, 'deliveries.png', { content: true });
  await page.goto(`${base}/#/runs/${encodeURIComponent(runId)}`);
  await page.waitForSelector('#btn-rerun');

  // 10. An action the server refuses is shown with its status and message: the operator's token
  // is revoked (by an admin) while the page is open, then "Re-run" is clicked.
  const admin = createToken('admin', 'e2e-admin');
  const adminHeaders = { Authorization: `Bearer ${admin}` };
  const tokens = await (await fetch(`${base}/api/v1/tokens`, { headers: adminHeaders })).json();
  const mine = tokens.tokens.find((t) => t.name === 'e2e-oncall');
  const del = await fetch(`${base}/api/v1/tokens/${mine.id}`, { method: 'DELETE', headers: adminHeaders });
  if (del.status !== 200) throw new Error(`revoking the token answered ${del.status}`);
  await page.click('#btn-rerun');
  const alert = await page.waitForSelector('.alert:has-text("Re-run failed")', { timeout: STEP_TIMEOUT });
  const alertText = await alert.textContent();
  if (!/Re-run failed: HTTP 401/.test(alertText)) throw new Error(`refused action shown as: ${alertText}`);
  await until('the page to notice the revoked token', async () => /rejected/.test(await page.textContent('#whoami')) &&
    !(await page.$('#btn-rerun')));
  await shot(page, 'action-refused.png');

  // 11. A wrong token is reported as such, not as an empty page.
  await page.fill('#token-input', 'not-a-real-token');
  await page.click('#token-form button[type=submit]');
  await until('a wrong token to be reported', async () => /rejected/.test(await page.textContent('#whoami')));
  if (problems.length) throw new Error(`page problems:\n${problems.join('\n')}`);
  log('PASS');
}

async function cleanup() {
  try { fs.writeFileSync(gate, ''); } catch (_) { /* dir gone */ } // release a waiting step
  if (context) await context.close().catch(() => {});
  if (server) {
    const s = server;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (server) s.kill('SIGKILL');
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  process.stdout.write(`e2e: FAIL: ${e.stack || e}\n`);
  try {
    const page = context && context.pages()[0];
    if (page) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true });
  } catch (_) { /* best effort */ }
  try { process.stdout.write(`--- serve.log ---\n${fs.readFileSync(path.join(dir, 'serve.log'), 'utf8').slice(-4000)}\n`); } catch (_) { /* none */ }
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
