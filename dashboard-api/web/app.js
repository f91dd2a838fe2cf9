// Baton dashboard: plain JavaScript, no framework, no build step. Talks to /api/v1 (contract:
// docs/design/dashboard-api.md). Every value from the server reaches the DOM through
// textContent or attributes, never innerHTML, so log lines and names cannot inject markup.
'use strict';
(() => {
  // ---------------------------------------------------------------- small DOM helpers
  const SVGNS = 'http://www.w3.org/2000/svg';
  function build(el, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
  const svg = (tag, attrs, ...children) => build(document.createElementNS(SVGNS, tag), attrs, children);
  // Like el.replaceChildren(...), but null/false children are left out (native would print "null").
  const fill = (el, ...children) => { el.replaceChildren(); return build(el, {}, children); };
  const $ = (sel, root = document) => root.querySelector(sel);
  // Re-renders `el` with `render()` keeping which <details> were open (live updates re-render
  // often; a section the reader opened must not snap shut).
  function keepOpen(el, render) {
    const open = new Set([...el.querySelectorAll('details[open] > summary')].map((x) => x.textContent));
    render();
    for (const d of el.querySelectorAll('details')) if (open.has(d.firstElementChild && d.firstElementChild.textContent)) d.open = true;
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'timeout', 'interrupted']);
  const BAD = new Set(['failed', 'cancelled', 'timeout', 'interrupted']);
  const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timeout', 'interrupted'];
  const GLYPH = {
    pending: '○', queued: '◌', running: '●', succeeded: '✓', failed: '✗', cancelled: '⊘',
    timeout: '⏱', interrupted: '!', skipped: '↷', reused: '↺',
  };
  const ROLE_RANK = { viewer: 1, operator: 2, admin: 3 };

  // ---------------------------------------------------------------- formatting
  const pad2 = (n) => String(n).padStart(2, '0');
  function fmtTime(ms) {
    if (ms === null || ms === undefined) return '—';
    const d = new Date(ms);
    const now = new Date();
    const hms = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    if (d.toDateString() === now.toDateString()) return hms;
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hms}`;
  }
  function fmtDur(ms) {
    if (ms === null || ms === undefined || ms < 0 || Number.isNaN(ms)) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = Math.floor(ms / 1000);
    if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${pad2(s % 60)}s`;
    return `${Math.floor(m / 60)}h ${pad2(m % 60)}m`;
  }
  const duration = (o) => (o.started_at ? (o.finished_at || Date.now()) - o.started_at : null);
  const iso = (ms) => (ms ? new Date(ms).toISOString() : '');
  const shortSha = (c) => (c && /^[0-9a-f]{12,}$/i.test(c) ? c.slice(0, 7) : c);
  function valueText(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof v.base64 === 'string') return `(binary) ${v.base64}`;
    return JSON.stringify(v);
  }
  function badge(status) {
    const st = status || 'pending';
    return h('span', { class: `badge s-${st}` }, h('span', { 'aria-hidden': 'true' }, GLYPH[st] || '•'), ` ${st}`);
  }

  // ---------------------------------------------------------------- alerts
  function showError(message) {
    const box = $('#alerts');
    // The same failure repeated by live refreshes is shown once.
    for (const a of box.children) if (a.firstElementChild.textContent === message) return;
    while (box.children.length >= 3) box.firstElementChild.remove();
    const item = h('div', { class: 'alert' }, h('span', { class: 'alert-text', text: message }),
      h('button', { type: 'button', class: 'secondary', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
    box.append(item);
  }

  // ---------------------------------------------------------------- API access
  const session = { token: localStorage.getItem('baton.token') || '', role: null, actor: null };
  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }
  function authHeaders(extra) {
    const headers = Object.assign({}, extra);
    if (session.token) headers.Authorization = `Bearer ${session.token}`;
    return headers;
  }
  async function errorOf(res) {
    const text = await res.text().catch(() => '');
    let message = '';
    try { message = JSON.parse(text).error || ''; } catch (_) { message = text.slice(0, 200); }
    return new ApiError(res.status, `HTTP ${res.status}: ${message || res.statusText}`);
  }
  async function api(path, opts = {}) {
    const init = { method: opts.method || 'GET', headers: authHeaders({ Accept: 'application/json' }), signal: opts.signal };
    if (opts.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, `cannot reach the server (${e.message})`);
    }
    if (!res.ok) throw await errorOf(res);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }

  // Server-Sent Events over fetch (EventSource cannot send an Authorization header). Reconnects
  // with backoff and Last-Event-ID; handler returning false ends the stream for good.
  function stream(path, { onEvent, onOpen, onError, retryStatuses = [] }) {
    const ctl = new AbortController();
    let lastId = null;
    let closed = false;
    let delay = 500;
    const state = { connected: false, close() { closed = true; ctl.abort(); } };
    (async () => {
      while (!closed) {
        try {
          const headers = authHeaders({ Accept: 'text/event-stream' });
          if (lastId !== null) headers['Last-Event-ID'] = lastId;
          const res = await fetch(path, { headers, signal: ctl.signal, cache: 'no-store' });
          if (!res.ok) {
            const err = await errorOf(res);
            if (res.status >= 400 && res.status < 500 && !retryStatuses.includes(res.status)) {
              closed = true;
              if (onError) onError(err, true);
              return;
            }
            throw err;
          }
          state.connected = true;
          delay = 500;
          if (onOpen) onOpen();
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          let buf = '';
          let ev = { type: 'message', data: [], id: null };
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += decoder.decode(value, { stream: true });
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              let line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line.endsWith('\r')) line = line.slice(0, -1);
              if (line === '') {
                if (ev.id !== null) lastId = ev.id;
                if (ev.data.length && onEvent({ type: ev.type, data: ev.data.join('\n'), id: ev.id }) === false) {
                  state.close();
                  return;
                }
                ev = { type: 'message', data: [], id: null };
                continue;
              }
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              let val = colon < 0 ? '' : line.slice(colon + 1);
              if (val.startsWith(' ')) val = val.slice(1);
              if (field === 'event') ev.type = val;
              else if (field === 'data') ev.data.push(val);
              else if (field === 'id') ev.id = val;
            }
          }
          state.connected = false;
        } catch (e) {
          state.connected = false;
          if (closed || e.name === 'AbortError') return;
          if (onError) onError(e, false);
        }
        if (closed) return;
        await sleep(delay);
        delay = Math.min(delay * 2, 10000);
      }
    })();
    return state;
  }

  // ---------------------------------------------------------------- who am I
  const canOperate = () => (ROLE_RANK[session.role] || 0) >= ROLE_RANK.operator;
  async function refreshWhoami() {
    const out = $('#whoami');
    try {
      const me = await api('/api/v1/whoami');
      session.role = me.role;
      session.actor = me.actor;
      out.className = 'whoami ok';
      if (!me.role) out.className = 'whoami bad';
      out.textContent = me.role ? `${me.actor} · ${me.role}` : (session.token ? `${me.actor} · no access` : 'sign in with a token');
    } catch (e) {
      session.role = null;
      session.actor = null;
      out.className = 'whoami bad';
      out.textContent = e.status === 401 ? (session.token ? 'token rejected' : 'sign in with a token') : e.message;
    }
    document.body.classList.toggle('operator', canOperate());
  }
  function setupToken() {
    const input = $('#token-input');
    input.value = session.token;
    $('#token-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      session.token = input.value.trim();
      if (session.token) localStorage.setItem('baton.token', session.token);
      else localStorage.removeItem('baton.token');
      $('#alerts').replaceChildren(); // errors of the previous identity are stale
      await refreshWhoami();
      route(true);
    });
    $('#token-clear').addEventListener('click', async () => {
      input.value = '';
      session.token = '';
      localStorage.removeItem('baton.token');
      $('#alerts').replaceChildren(); // errors of the previous identity are stale
      await refreshWhoami();
      route(true);
    });
  }

  // ---------------------------------------------------------------- views and routing
  let current = null; // {kind, runId, dispose(), select?(task, step)}
  function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path, query] = raw.split('?');
    const params = new URLSearchParams(query || '');
    const m = path.match(/^\/runs\/([^/]+)(?:\/tasks\/([^/]+)(?:\/steps\/(\d+))?)?\/?$/);
    if (/^\/deliveries\/?$/.test(path)) return { kind: 'deliveries', params };
    if (m) {
      return { kind: 'run', runId: decodeURIComponent(m[1]), task: m[2] ? decodeURIComponent(m[2]) : null,
        step: m[3] !== undefined ? Number(m[3]) : null, params };
    }
    return { kind: 'runs', params };
  }
  function route(force) {
    const r = parseHash();
    if (!force && current && r.kind === 'run' && current.kind === 'run' && current.runId === r.runId) {
      current.select(r.task, r.step, true);
      return;
    }
    const first = !current;
    if (current) current.dispose();
    const view = $('#view');
    view.replaceChildren();
    // A new view: move focus to it so keyboard and screen-reader users start at its top.
    if (!first) { view.focus({ preventScroll: true }); window.scrollTo(0, 0); }
    document.title = r.kind === 'deliveries' ? 'Deliveries · Baton' : 'Runs · Baton';
    current = r.kind === 'run' ? runView(view, r) : r.kind === 'deliveries' ? deliveriesView(view) : runsView(view, r);
    for (const a of document.querySelectorAll('.top nav a')) {
      const on = a.id === (r.kind === 'deliveries' ? 'nav-deliveries' : 'nav-runs');
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    current.kind = r.kind;
    current.runId = r.runId;
  }
  const runHref = (id, task, step) =>
    `#/runs/${encodeURIComponent(id)}${task ? `/tasks/${encodeURIComponent(task)}` : ''}${step !== null && step !== undefined && task ? `/steps/${step}` : ''}`;

  // ================================================================ runs list
  function runsView(root, r) {
    const filters = { pipeline: r.params.get('pipeline') || '', status: r.params.get('status') || '',
      repository: r.params.get('repository') || '', branch: r.params.get('branch') || '' };
    // Free-text filters apply on Enter or when the field is left (not on every keystroke).
    const textFilter = (id, value, placeholder) => {
      const input = h('input', { id, type: 'search', value, placeholder, size: 14, spellcheck: 'false' });
      input.addEventListener('change', applyFilters);
      return input;
    };
    const repoInput = textFilter('f-repository', filters.repository, 'any (owner/name)');
    const branchInput = textFilter('f-branch', filters.branch, 'any');
    const rows = new Map(); // id -> {run, tr}
    let nextCursor = null;
    const pipelineSel = h('select', { id: 'f-pipeline', onchange: applyFilters }, h('option', { value: '' }, 'all pipelines'));
    const statusSel = h('select', { id: 'f-status', onchange: applyFilters }, h('option', { value: '' }, 'any status'),
      STATUSES.map((s) => h('option', { value: s }, s)));
    statusSel.value = filters.status;
    const live = h('span', { class: 'live', role: 'status', text: 'connecting…' });
    const tbody = h('tbody');
    const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: loadMore }, 'Load older runs');
    const empty = h('p', { class: 'empty', hidden: true }, 'No runs match.');
    root.append(
      h('div', { class: 'bar' }, h('h1', {}, 'Runs'),
        h('div', { class: 'filters' },
          h('label', { for: 'f-pipeline' }, 'Pipeline'), pipelineSel,
          h('label', { for: 'f-status' }, 'Status'), statusSel,
          h('label', { for: 'f-repository' }, 'Repository'), repoInput,
          h('label', { for: 'f-branch' }, 'Branch'), branchInput, live)),
      h('table', { class: 'runs' },
        h('thead', {}, h('tr', {}, ['Status', 'Run', 'Pipeline', 'Trigger', 'Repository', 'Created', 'Duration']
          .map((t) => h('th', { scope: 'col' }, t)))),
        tbody),
      empty, more);

    function applyFilters() {
      const q = new URLSearchParams();
      if (pipelineSel.value) q.set('pipeline', pipelineSel.value);
      if (statusSel.value) q.set('status', statusSel.value);
      if (repoInput.value.trim()) q.set('repository', repoInput.value.trim());
      if (branchInput.value.trim()) q.set('branch', branchInput.value.trim());
      location.hash = `#/${q.toString() ? `?${q}` : ''}`;
    }
    function addPipelineOption(name) {
      if (!name || [...pipelineSel.options].some((o) => o.value === name)) return;
      pipelineSel.append(h('option', { value: name }, name));
    }
    addPipelineOption(filters.pipeline);
    pipelineSel.value = filters.pipeline;
    api('/api/v1/pipelines').then((d) => (d.pipelines || []).forEach((p) => addPipelineOption(p.name)))
      .catch(() => {});

    const matches = (run) => (!filters.pipeline || run.pipeline === filters.pipeline) &&
      (!filters.status || run.status === filters.status) &&
      (!filters.repository || (run.trigger && run.trigger.repository) === filters.repository) &&
      (!filters.branch || (run.trigger && run.trigger.branch) === filters.branch);
    function rowOf(run) {
      const t = run.trigger || {};
      const repo = t.repository ? [t.repository, t.branch && `@${t.branch}`, t.commit && ` ${shortSha(t.commit)}`].filter(Boolean).join('') : '—';
      const trig = [[t.type || '—', t.actor && `by ${t.actor}`].filter(Boolean).join(' '),
        run.retry_of ? h('div', { class: 'small ellipsis' }, 'of ', h('a', { href: runHref(run.retry_of), class: 'mono', title: run.retry_of }, run.retry_of)) : null];
      return h('tr', { class: `run-row s-${run.status}`, 'data-run': run.id },
        h('td', { 'data-label': 'Status' }, badge(run.status)),
        h('td', { 'data-label': 'Run' }, h('a', { href: runHref(run.id), class: 'run-link' }, run.name || run.id),
          run.name ? h('div', { class: 'muted small mono ellipsis', title: run.id }, run.id) : null,
          BAD.has(run.status) && run.reason ? h('div', { class: 'muted small', text: run.reason }) : null),
        h('td', { 'data-label': 'Pipeline' }, run.pipeline || (run.kind === 'TaskRun' ? '(TaskRun)' : '—')),
        h('td', { 'data-label': 'Trigger' }, trig),
        h('td', { 'data-label': 'Repository', class: 'mono' }, repo),
        h('td', { 'data-label': 'Created', title: iso(run.created_at) }, fmtTime(run.created_at)),
        h('td', { 'data-label': 'Duration', class: 'dur' }, fmtDur(duration(run))));
    }
    function upsert(run) {
      const old = rows.get(run.id);
      if (!matches(run)) {
        if (old) { old.tr.remove(); rows.delete(run.id); }
        return;
      }
      addPipelineOption(run.pipeline);
      const tr = rowOf(run);
      if (old) {
        old.tr.replaceWith(tr);
      } else {
        // Newest first: insert before the first row created earlier.
        const after = [...rows.values()].filter((x) => x.run.created_at < run.created_at ||
          (x.run.created_at === run.created_at && x.run.id < run.id))
          .sort((a, b) => b.run.created_at - a.run.created_at)[0];
        if (after) tbody.insertBefore(tr, after.tr); else tbody.append(tr);
      }
      rows.set(run.id, { run, tr });
      empty.hidden = rows.size > 0;
    }
    function query(cursor) {
      const q = new URLSearchParams({ limit: '50' });
      if (filters.pipeline) q.set('pipeline', filters.pipeline);
      if (filters.status) q.set('status', filters.status);
      if (filters.repository) q.set('repository', filters.repository);
      if (filters.branch) q.set('branch', filters.branch);
      if (cursor) q.set('cursor', cursor);
      return `/api/v1/runs?${q}`;
    }
    async function loadFirst() {
      try {
        const d = await api(query(null));
        tbody.replaceChildren();
        rows.clear();
        d.runs.forEach(upsert);
        nextCursor = d.next_cursor;
        more.hidden = !nextCursor;
        empty.hidden = rows.size > 0;
      } catch (e) {
        showError(`Loading runs failed: ${e.message}`);
      }
    }
    async function loadMore() {
      try {
        const d = await api(query(nextCursor));
        d.runs.forEach(upsert);
        nextCursor = d.next_cursor;
        more.hidden = !nextCursor;
      } catch (e) {
        showError(`Loading runs failed: ${e.message}`);
      }
    }
    // Live: each event names a run; fetch that run again (coalesced). A burst (or an event that
    // names no run) reloads the first page instead.
    const pending = new Set();
    let timer = null;
    let reloadAll = false;
    function flush() {
      timer = null;
      if (reloadAll || pending.size > 20) {
        reloadAll = false;
        pending.clear();
        loadFirst();
        return;
      }
      for (const id of pending) {
        api(`/api/v1/runs/${encodeURIComponent(id)}`).then(upsert).catch(() => {});
      }
      pending.clear();
    }
    function schedule(id) {
      if (id) pending.add(id); else reloadAll = true;
      if (!timer) timer = setTimeout(flush, 150);
    }
    let opened = 0;
    loadFirst();
    const events = stream('/api/v1/events', {
      onOpen() {
        live.textContent = '● live';
        live.className = 'live on';
        if (opened++ > 0) schedule(null); // missed events while reconnecting
      },
      onEvent(ev) {
        let d = {};
        try { d = JSON.parse(ev.data); } catch (_) { /* keep {} */ }
        const p = d.payload && typeof d.payload === 'object' ? d.payload : {};
        schedule(d.run_id || p.run_id || (p.run && p.run.id) || null);
      },
      onError(e, final) {
        live.textContent = final ? `live updates off (${e.message})` : 'reconnecting…';
        live.className = 'live off';
      },
    });
    const tick = setInterval(() => {
      for (const { run, tr } of rows.values()) {
        if (!FINISHED.has(run.status) && run.started_at) $('.dur', tr).textContent = fmtDur(duration(run));
      }
    }, 1000);
    return { dispose() { events.close(); clearInterval(tick); if (timer) clearTimeout(timer); } };
  }

  // ================================================================ webhook deliveries
  // What arrived at /hooks/*, and why each was accepted, filtered or rejected; operators can
  // process a stored delivery again (e.g. after fixing a trigger).
  function deliveriesView(root) {
    const tbody = h('tbody');
    const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load older deliveries');
    const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
    const empty = h('p', { class: 'empty', hidden: true }, 'No webhook deliveries yet.');
    let cursor = null;
    root.append(h('div', { class: 'bar' }, h('h1', {}, 'Webhook deliveries'), refresh),
      h('table', { class: 'runs deliveries' },
        h('thead', {}, h('tr', {}, ['Result', 'Received', 'Listener', 'Event', 'Why', 'Runs', '']
          .map((t) => h('th', { scope: 'col' }, t)))),
        tbody),
      empty, more);
    const resultState = { accepted: 'succeeded', filtered: 'skipped', rejected: 'failed' };
    function rowOf(d) {
      const cell = h('td', { 'data-label': 'Runs' }, (d.runs || []).map((id, i) => [i ? ', ' : '', h('a', { href: runHref(id), class: 'mono small' }, id)]));
      const actions = h('td', { 'data-label': '' });
      if (canOperate() && d.result !== 'rejected') {
        const b = h('button', { type: 'button', class: 'secondary small' }, 'Redeliver');
        b.addEventListener('click', async () => {
          b.disabled = true;
          try {
            const res = await api(`/api/v1/deliveries/${encodeURIComponent(d.id)}/redeliver`, { method: 'POST' });
            const runs = res.runs || [];
            actions.replaceChildren(h('span', { class: 'small' }, runs.length ? 'new run ' : 'processed again',
              runs.map((r, i) => [i ? ', ' : '', h('a', { href: runHref(r.id), class: 'mono' }, r.id)])));
          } catch (e) {
            showError(`Redeliver failed: ${e.message}`);
            b.disabled = false;
          }
        });
        actions.append(b);
      }
      const st = resultState[d.result] || 'pending';
      return h('tr', { class: 'run-row', 'data-delivery': d.id },
        h('td', { 'data-label': 'Result' }, h('span', { class: `badge s-${st}` }, d.result)),
        h('td', { 'data-label': 'Received', title: iso(d.received_at) }, fmtTime(d.received_at)),
        h('td', { 'data-label': 'Listener' }, d.listener, h('div', { class: 'muted small' }, d.source)),
        h('td', { 'data-label': 'Event' }, d.event_type || '—',
          h('div', { class: 'muted small mono ellipsis', title: d.id }, d.id)),
        h('td', { 'data-label': 'Why' }, d.reason || '—', d.duplicates ? h('div', { class: 'muted small' }, `${d.duplicates} duplicate${d.duplicates === 1 ? '' : 's'} ignored`) : null),
        cell, actions);
    }
    async function load(append) {
      try {
        const q = new URLSearchParams({ limit: '50' });
        if (append && cursor) q.set('cursor', cursor);
        const d = await api(`/api/v1/deliveries?${q}`);
        if (!append) tbody.replaceChildren();
        for (const x of d.deliveries || []) tbody.append(rowOf(x));
        cursor = d.next_cursor || null;
        more.hidden = !cursor;
        empty.hidden = tbody.children.length > 0;
      } catch (e) {
        showError(`Loading deliveries failed: ${e.message}`);
      }
    }
    more.addEventListener('click', () => load(true));
    refresh.addEventListener('click', () => load(false));
    load(false);
    return { dispose() {} };
  }

  // ================================================================ run page
  function runView(root, r) {
    const runId = r.runId;
    let run = null;
    let selTask = r.task;
    let selStep = r.step;
    let userPicked = !!r.task;
    let selAttempt = null; // attempt id chosen in the task panel; null = latest
    let traceLoadedFor = null;
    let traceLoadedAt = 0;
    let lastActions = null;
    let lastApprovals = null;
    const isWaiting = (t) => t.state === 'running' && (t.reason === 'WaitingForApproval' || (t.approval && !FINISHED.has(t.state)));
    const head = h('section', { class: 'run-head', 'aria-label': 'Run' }, h('p', { class: 'muted' }, 'Loading…'));
    const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Run actions' });
    const approvals = h('div', { class: 'approvals' });
    const dagBox = h('div', { class: 'dag-scroll' });
    // The log view stays in the DOM across refreshes (detaching it would lose its scroll).
    const taskInfo = h('div', { class: 'task-info' });
    const logs = new LogView();
    const taskPanel = h('section', { class: 'card task-panel', 'aria-label': 'Selected task' }, taskInfo, logs.el);
    const traceBox = h('div', { class: 'trace' }, h('p', { class: 'muted' }, 'No trace yet.'));
    const live = h('span', { class: 'live', role: 'status', text: 'connecting…' });
    root.append(head, actions, approvals,
      h('section', { class: 'card', 'aria-labelledby': 'dag-title' },
        h('div', { class: 'card-title' }, h('h2', { id: 'dag-title' }, 'Pipeline graph'), live, legend()), dagBox),
      taskPanel,
      h('section', { class: 'card', 'aria-labelledby': 'trace-title' },
        h('div', { class: 'card-title' }, h('h2', { id: 'trace-title' }, 'Trace')), traceBox));

    // One load at a time; a request for another while one is in flight runs once after it, so
    // answers never arrive out of order and a slow server is not asked twice as often.
    let loading = false;
    let loadAgain = false;
    async function load() {
      if (loading) { loadAgain = true; return; }
      loading = true;
      try {
        await loadOnce();
      } finally {
        loading = false;
        if (loadAgain) { loadAgain = false; load(); }
      }
    }
    async function loadOnce() {
      try {
        run = await api(`/api/v1/runs/${encodeURIComponent(runId)}`);
      } catch (e) {
        if (!run) fill(head, h('h1', {}, 'Run ', h('span', { class: 'mono', text: runId })), h('p', { class: 'error-text', text: e.message }));
        else showError(`Refreshing the run failed: ${e.message}`);
        return;
      }
      autoSelect();
      document.title = `${GLYPH[run.status] || ''} ${run.name || run.id} · Baton`;
      keepOpen(head, renderHead);
      // Actions and approvals hold state (a half-confirmed cancel, a typed message): rebuilt
      // only when what they offer changes.
      const actionsKey = JSON.stringify([canOperate(), run.status, run.params]);
      if (actionsKey !== lastActions) { lastActions = actionsKey; keepOpen(actions, renderActions); }
      const approvalsKey = JSON.stringify([canOperate(), (run.tasks || []).filter(isWaiting).map((t) => t.name)]);
      if (approvalsKey !== lastApprovals) { lastApprovals = approvalsKey; renderApprovals(); }
      renderDag();
      keepOpen(taskInfo, renderTask);
      // The trace once the run is over; while it runs, at most every 5 s (spans land as tasks end).
      if (FINISHED.has(run.status) ? traceLoadedFor !== run.status : Date.now() - traceLoadedAt > 5000) {
        traceLoadedFor = run.status;
        traceLoadedAt = Date.now();
        loadTrace();
      }
    }
    // Until the user picks a task, follow what matters: the running task, else the failed one.
    function autoSelect() {
      if (userPicked) return;
      const tasks = run.tasks || [];
      const pick = tasks.find((t) => t.state === 'running') || tasks.find((t) => ['failed', 'timeout'].includes(t.state)) ||
        (selTask && tasks.find((t) => t.name === selTask)) || null;
      if (!pick) return;
      selTask = pick.name;
      const a = latestAttempt(pick);
      const steps = (a && a.steps) || [];
      const st = steps.find((s) => s.status === 'running') || steps.find((s) => s.status === 'failed' || (s.exit_code || 0) !== 0) ||
        steps[steps.length - 1];
      selStep = st ? st.index : null;
    }
    const latestAttempt = (t) => (t.attempts && t.attempts.length ? t.attempts[t.attempts.length - 1] : null);

    function renderHead() {
      const t = run.trigger || {};
      const meta = [
        ['Pipeline', run.pipeline ? h('a', { href: `#/?pipeline=${encodeURIComponent(run.pipeline)}` }, run.pipeline) : (run.kind || '—')],
        ['Trigger', [[t.type, t.actor && `by ${t.actor}`].filter(Boolean).join(' ') || '—',
          t.delivery_id ? h('div', { class: 'mono small ellipsis', title: `delivery ${t.delivery_id}` }, `delivery ${t.delivery_id}`) : null]],
        ['Repository', t.repository ? `${t.repository}${t.branch ? ` @ ${t.branch}` : ''}${t.commit ? ` ${shortSha(t.commit)}` : ''}` : '—'],
        ['Created', h('time', { datetime: iso(run.created_at), title: iso(run.created_at) }, fmtTime(run.created_at))],
        ['Started', h('time', { datetime: iso(run.started_at), title: iso(run.started_at) }, fmtTime(run.started_at))],
        ['Duration', h('span', { class: 'run-dur' }, fmtDur(duration(run)))],
      ];
      const links = [];
      if (run.retry_of) links.push(h('span', {}, 'Retry of ', h('a', { href: runHref(run.retry_of), class: 'mono' }, run.retry_of)));
      if (run.retries && run.retries.length) {
        links.push(h('span', {}, 'Retried as ', run.retries.map((id, i) => [i ? ', ' : '', h('a', { href: runHref(id), class: 'mono retry-link' }, id)])));
      }
      fill(head,
        h('div', { class: 'title-row' }, h('h1', {}, run.name || run.id), badge(run.status),
          h('span', { class: 'muted mono small', text: run.id })),
        BAD.has(run.status) && (run.reason || run.message)
          ? h('p', { class: `run-msg s-${run.status}` }, [run.reason, run.message].filter(Boolean).join(': '))
          : (run.message ? h('p', { class: 'muted small run-note', text: run.message }) : null),
        links.length ? h('p', { class: 'links' }, links.map((l, i) => [i ? ' · ' : '', l])) : null,
        h('dl', { class: 'meta' }, meta.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
        kv('Parameters', run.params), kv('Results', run.results));
    }
    function kv(title, obj) {
      const entries = Object.entries(obj || {});
      if (!entries.length) return null;
      return h('details', { class: 'kv' }, h('summary', {}, `${title} (${entries.length})`),
        h('dl', {}, entries.map(([k, v]) => h('div', {}, h('dt', { class: 'mono' }, k), h('dd', { class: 'mono' }, valueText(v))))));
    }

    // ---- actions
    async function act(button, label, path, body, after) {
      button.disabled = true;
      const old = button.textContent;
      button.textContent = `${label}…`;
      try {
        const res = await api(path, { method: 'POST', body });
        if (after) after(res);
      } catch (e) {
        showError(`${label} failed: ${e.message}`);
        // A revoked or downgraded token: show who we are now and the buttons that still apply.
        if (e.status === 401 || e.status === 403) {
          refreshWhoami().then(() => {
            lastActions = lastApprovals = null;
            if (run) { keepOpen(actions, renderActions); renderApprovals(); }
            load();
          });
        }
      } finally {
        button.disabled = false;
        button.textContent = old;
      }
    }
    function renderActions() {
      actions.replaceChildren();
      if (!canOperate()) {
        actions.append(h('p', { class: 'muted small' }, session.role ? 'Read-only: an operator token can retry, re-run and cancel.'
          : 'Sign in with an operator token to retry, re-run or cancel.'));
        return;
      }
      const finished = FINISHED.has(run.status);
      if (finished && run.status !== 'succeeded') {
        const b = h('button', { type: 'button', class: 'primary', id: 'btn-retry-failed' }, 'Retry failed');
        b.title = 'New run: reuses tasks that succeeded, runs the failed ones and what depends on them';
        b.addEventListener('click', () => act(b, 'Retry failed', `/api/v1/runs/${encodeURIComponent(runId)}/retry`,
          { failed_only: true }, (res) => { location.hash = runHref(res.run.id); }));
        actions.append(b);
      }
      if (finished) {
        const b = h('button', { type: 'button', id: 'btn-rerun' }, 'Re-run');
        b.addEventListener('click', () => act(b, 'Re-run', `/api/v1/runs/${encodeURIComponent(runId)}/rerun`, {},
          (res) => { location.hash = runHref(res.run.id); }));
        actions.append(b, rerunWithParams());
      } else {
        const mode = h('select', { id: 'cancel-mode', 'aria-label': 'Cancel mode' },
          h('option', { value: 'Cancelled' }, 'cancel everything'),
          h('option', { value: 'CancelledRunFinally' }, 'cancel, run finally tasks'),
          h('option', { value: 'StoppedRunFinally' }, 'stop scheduling, run finally tasks'));
        const b = h('button', { type: 'button', class: 'danger', id: 'btn-cancel' }, 'Cancel run');
        let armed = null;
        // Two clicks instead of a native confirm(): one misclick must not stop a deploy.
        b.addEventListener('click', () => {
          if (!armed) {
            b.textContent = 'Click again to cancel';
            armed = setTimeout(() => { armed = null; b.textContent = 'Cancel run'; }, 4000);
            return;
          }
          clearTimeout(armed);
          armed = null;
          b.textContent = 'Cancel run';
          act(b, 'Cancel', `/api/v1/runs/${encodeURIComponent(runId)}/cancel`, { mode: mode.value }, () => load());
        });
        actions.append(b, mode);
      }
    }
    function rerunWithParams() {
      const entries = Object.entries(run.params || {});
      if (!entries.length) return null;
      const inputs = entries.map(([k, v], i) => [k, h('input', { id: `rp-${i}`, value: valueText(v), class: 'mono' })]);
      const form = h('form', { class: 'rerun-form' },
        inputs.map(([k, input]) => h('div', {}, h('label', { for: input.id, class: 'mono' }, k), input)),
        h('button', { type: 'submit' }, 'Re-run with these'));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const params = {};
        for (const [k, input] of inputs) params[k] = input.value;
        act($('button', form), 'Re-run', `/api/v1/runs/${encodeURIComponent(runId)}/rerun`, { params },
          (res) => { location.hash = runHref(res.run.id); });
      });
      return h('details', { class: 'rerun' }, h('summary', {}, 'Re-run with other parameters'), form);
    }
    function renderApprovals() {
      approvals.replaceChildren();
      for (const t of run.tasks || []) {
        if (!isWaiting(t)) continue;
        const msg = h('input', { type: 'text', placeholder: 'message (optional)', 'aria-label': `Message for ${t.name}` });
        const decide = (decision, b) => act(b, decision === 'approve' ? 'Approve' : 'Reject',
          `/api/v1/runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(t.name)}`,
          { decision, message: msg.value }, () => load());
        const ok = h('button', { type: 'button', class: 'primary' }, 'Approve');
        const no = h('button', { type: 'button', class: 'danger' }, 'Reject');
        ok.addEventListener('click', () => decide('approve', ok));
        no.addEventListener('click', () => decide('reject', no));
        approvals.append(h('div', { class: 'approval' }, h('strong', {}, `${t.name}`), ' waits for approval.',
          canOperate() ? [msg, ok, no] : h('span', { class: 'muted' }, ' An operator can approve it.')));
      }
    }

    // ---- DAG
    function renderDag() {
      const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.task : null;
      // Narrow screens get the graph top to bottom, so it scrolls less sideways.
      const vertical = dagBox.clientWidth > 0 && dagBox.clientWidth < 560;
      dagBox.replaceChildren(drawDag(run.tasks || [], selTask, (name) => selectTask(name), vertical));
      if (focused) { const n = dagBox.querySelector(`[data-task="${CSS.escape(focused)}"]`); if (n) n.focus(); }
    }
    function selectTask(name) {
      location.hash = runHref(runId, name);
    }

    // ---- task panel
    function renderTask() {
      const t = (run.tasks || []).find((x) => x.name === selTask);
      if (!t) {
        fill(taskInfo, h('p', { class: 'muted hint' }, 'Select a task in the graph to see its steps and logs.'));
        logs.el.hidden = true;
        logs.close();
        return;
      }
      const attempts = t.attempts || [];
      let a = attempts.find((x) => x.id === selAttempt) || attempts[attempts.length - 1] || null;
      const tabs = attempts.length > 1 ? h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Attempts' },
        attempts.map((x) => {
          const b = h('button', { type: 'button', role: 'tab', 'aria-selected': String(x === a), class: x === a ? 'tab on' : 'tab' },
            `attempt ${x.attempt ?? ''}${x.matrix_index !== null && x.matrix_index !== undefined ? ` [${x.matrix_index}]` : ''} · ${x.status}`);
          b.addEventListener('click', () => { selAttempt = x.id; selStep = null; renderTask(); });
          return b;
        })) : null;
      const info = [];
      if (t.reason && BAD.has(t.state)) info.push(t.reason);
      if (t.skipped_reason) info.push(`skipped: ${t.skipped_reason}`);
      if (a && a.message) info.push(a.message);
      const steps = (a && a.steps) || [];
      if (a && (selStep === null || !steps.some((s) => s.index === selStep))) {
        const st = steps.find((s) => s.status === 'running') || steps.find((s) => (s.exit_code || 0) !== 0) || steps[0];
        selStep = st ? st.index : null;
      }
      const stepList = h('ol', { class: 'steps', 'aria-label': 'Steps' }, steps.map((s) => {
        const on = s.index === selStep;
        return h('li', {}, h('a', { href: runHref(runId, t.name, s.index), class: on ? 'step on' : 'step', 'aria-current': on ? 'true' : null },
          badge(s.status), h('span', { class: 'step-name', text: s.name || `step ${s.index}` }),
          s.exit_code !== null && s.exit_code !== undefined ? h('span', { class: 'muted small' }, `exit ${s.exit_code}`) : null,
          h('span', { class: 'muted small' }, fmtDur(duration(s)))));
      }));
      const reused = a && a.reused_from ? h('p', { class: 'muted' }, 'Reused from the original run (task run ',
        h('span', { class: 'mono', text: a.reused_from }), '): its results were copied, nothing ran.') : null;
      fill(taskInfo, 
        h('div', { class: 'card-title' }, h('h2', {}, 'Task ', h('span', { class: 'mono', text: t.name })), badge(t.state),
          t.task_ref ? h('span', { class: 'muted small', text: `ref ${t.task_ref}` }) : null,
          a ? h('span', { class: 'muted small' }, fmtDur(duration(a))) : null),
        tabs,
        info.length ? h('p', { class: BAD.has(t.state) ? `run-msg s-${t.state}` : 'muted small run-note', text: info.join(' — ') }) : null,
        reused,
        a ? kv('Results', a.results) : null,
        steps.length && !t.approval ? stepList : (reused ? null : h('p', { class: 'muted' }, t.approval
          ? (isWaiting(t) ? 'Approval gate: waiting for an operator to approve or reject it (buttons above the graph).' : 'Approval gate.')
          : (a ? 'No steps yet.' : 'Not started yet.'))));
      const step = steps.find((s) => s.index === selStep);
      const showLog = !!(a && step && !a.reused_from && !t.approval); // a gate has no output
      logs.el.hidden = !showLog;
      if (showLog) logs.open(runId, a.id, step, t.name); else logs.close();
    }

    // ---- trace
    async function loadTrace() {
      try {
        const tr = await api(`/api/v1/runs/${encodeURIComponent(runId)}/trace`);
        traceBox.replaceChildren(drawTrace(tr));
      } catch (e) {
        traceBox.replaceChildren(h('p', { class: 'muted', text: `No trace: ${e.message}` }));
      }
    }

    let refreshTimer = null;
    const refresh = () => { if (!refreshTimer) refreshTimer = setTimeout(() => { refreshTimer = null; load(); }, 100); };
    load();
    let opened = 0;
    const events = stream(`/api/v1/runs/${encodeURIComponent(runId)}/events`, {
      onOpen() { live.textContent = '● live'; live.className = 'live on'; if (opened++ > 0) refresh(); },
      onEvent() { refresh(); },
      onError(e, final) { live.textContent = final ? `live updates off (${e.message})` : 'reconnecting…'; live.className = 'live off'; },
    });
    let resizeTimer = null;
    const onResize = () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => { if (run) renderDag(); }, 150); };
    window.addEventListener('resize', onResize);
    const tick = setInterval(() => {
      if (run && !FINISHED.has(run.status)) { const d = $('.run-dur', head); if (d) d.textContent = fmtDur(duration(run)); }
    }, 1000);
    return {
      select(task, step) {
        userPicked = !!task;
        if (task !== selTask) selAttempt = null;
        selTask = task;
        selStep = step;
        if (run) { autoSelect(); renderDag(); renderTask(); }
      },
      dispose() { events.close(); logs.close(); clearInterval(tick); window.removeEventListener('resize', onResize); if (refreshTimer) clearTimeout(refreshTimer); },
    };
  }

  function legend() {
    return h('details', { class: 'legend' }, h('summary', {}, 'Legend'),
      h('ul', {}, Object.keys(GLYPH).map((s) => h('li', {}, badge(s)))));
  }

  // ================================================================ DAG drawing
  const NODE_W = 176, NODE_H = 50, PAD = 16, LABEL = 16;
  // Layers run left to right (or top to bottom when `vertical`, for narrow screens): `u` is the
  // position along the layers, `v` across them; x/y are mapped at the end.
  function layoutDag(tasks, vertical) {
    const main = tasks.filter((t) => !t.is_finally);
    const fin = tasks.filter((t) => t.is_finally);
    const byName = new Map(main.map((t) => [t.name, t]));
    const depth = new Map();
    const visiting = new Set();
    function depthOf(t) {
      if (depth.has(t.name)) return depth.get(t.name);
      if (visiting.has(t.name)) return 0; // a cycle cannot validate; do not loop on bad data
      visiting.add(t.name);
      let d = 0;
      for (const dep of t.depends_on || []) { const p = byName.get(dep); if (p) d = Math.max(d, depthOf(p) + 1); }
      visiting.delete(t.name);
      depth.set(t.name, d);
      return d;
    }
    const layers = [];
    for (const t of main) { const d = depthOf(t); (layers[d] = layers[d] || []).push(t); }
    // Order each layer by the mean position of its parents (barycentre): fewer crossings.
    const pos = new Map();
    layers.forEach((layer, li) => {
      if (li > 0) {
        const key = (t) => { const ps = (t.depends_on || []).filter((n) => pos.has(n)); return ps.length ? ps.reduce((s, n) => s + pos.get(n), 0) / ps.length : 1e9; };
        layer.sort((a, b) => key(a) - key(b));
      }
      layer.forEach((t, i) => pos.set(t.name, i));
    });
    if (fin.length) layers.push(fin);
    const nodeU = vertical ? NODE_H : NODE_W, nodeV = vertical ? NODE_W : NODE_H;
    const gapU = vertical ? 40 : 56, gapV = vertical ? 14 : 18;
    const finGap = fin.length ? (vertical ? LABEL + 8 : gapU / 2) : 0; // room for the "finally" box
    const top = PAD + (fin.length && !vertical ? LABEL : 0);
    const widest = Math.max(1, ...layers.map((l) => l.length));
    const spanV = top + PAD + widest * nodeV + (widest - 1) * gapV;
    const nodes = new Map();
    layers.forEach((layer, li) => {
      const len = layer.length * nodeV + (layer.length - 1) * gapV;
      const v0 = top + (spanV - top - PAD - len) / 2;
      layer.forEach((t, i) => {
        const u = PAD + li * (nodeU + gapU) + (t.is_finally ? finGap : 0), v = v0 + i * (nodeV + gapV);
        nodes.set(t.name, { t, x: vertical ? v : u, y: vertical ? u : v });
      });
    });
    const spanU = PAD * 2 + layers.length * nodeU + (layers.length - 1) * gapU + finGap;
    return { nodes, vertical, width: Math.max(vertical ? spanV : spanU, 200), height: vertical ? spanU : spanV, hasFinally: fin.length > 0 };
  }
  function drawDag(tasks, selected, onSelect, vertical) {
    if (!tasks.length) return h('p', { class: 'muted' }, 'This run has no tasks.');
    const L = layoutDag(tasks, vertical);
    const root = svg('svg', { class: 'dag', width: L.width, height: L.height, viewBox: `0 0 ${L.width} ${L.height}`, role: 'group', 'aria-label': 'Pipeline graph: tasks and their dependencies' },
      svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
    if (L.hasFinally) {
      const fins = [...L.nodes.values()].filter((n) => n.t.is_finally);
      const x0 = Math.min(...fins.map((n) => n.x)) - 10, y0 = Math.min(...fins.map((n) => n.y)) - 10 - LABEL;
      const x1 = Math.max(...fins.map((n) => n.x)) + NODE_W + 10, y1 = Math.max(...fins.map((n) => n.y)) + NODE_H + 10;
      root.append(svg('rect', { class: 'finally-box', x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 10 }),
        svg('text', { class: 'finally-label', x: x0 + 8, y: y0 + 14 }, 'finally'));
    }
    for (const n of L.nodes.values()) {
      for (const dep of n.t.depends_on || []) {
        const p = L.nodes.get(dep);
        if (!p) continue;
        let d;
        if (L.vertical) {
          const x1 = p.x + NODE_W / 2, y1 = p.y + NODE_H, x2 = n.x + NODE_W / 2, y2 = n.y, my = (y1 + y2) / 2;
          d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 2}`;
        } else {
          const x1 = p.x + NODE_W, y1 = p.y + NODE_H / 2, x2 = n.x, y2 = n.y + NODE_H / 2, mx = (x1 + x2) / 2;
          d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 2},${y2}`;
        }
        root.append(svg('path', { class: `edge from-${p.t.state}`, d, 'marker-end': 'url(#arrow)' }));
      }
    }
    for (const n of L.nodes.values()) {
      const t = n.t;
      const a = t.attempts && t.attempts.length ? t.attempts[t.attempts.length - 1] : null;
      const name = t.name.length > 20 ? `${t.name.slice(0, 19)}…` : t.name;
      const waiting = t.state === 'running' && (t.reason === 'WaitingForApproval' || t.approval);
      let sub = waiting ? 'awaiting approval' : [t.state, a && a.started_at ? fmtDur(duration(a)) : null,
        t.attempts && t.attempts.length > 1 ? `${t.attempts.length} attempts` : null].filter(Boolean).join(' · ');
      if (sub.length > 24) sub = `${sub.slice(0, 23)}…`; // the node is 176px wide
      const g = svg('g', { class: `node s-${t.state}${t.name === selected ? ' sel' : ''}`, transform: `translate(${n.x},${n.y})`, tabindex: 0, role: 'button',
        'data-task': t.name, 'data-state': t.state, 'aria-label': `task ${t.name}: ${t.state}${t.name === selected ? ' (selected)' : ''}` },
      svg('title', {}, `${t.name} — ${t.state}${t.reason ? ` (${t.reason})` : ''}`),
      svg('rect', { width: NODE_W, height: NODE_H, rx: 8 }),
      svg('text', { class: 'glyph', x: 12, y: 31, 'aria-hidden': 'true' }, GLYPH[t.state] || '•'),
      svg('text', { class: 'name', x: 32, y: 21 }, name),
      svg('text', { class: 'sub', x: 32, y: 38 }, sub));
      g.addEventListener('click', () => onSelect(t.name));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(t.name); } });
      root.append(g);
    }
    return root;
  }

  // ================================================================ trace waterfall
  function drawTrace(tr) {
    const spans = (tr && tr.spans) || [];
    if (!spans.length) return h('p', { class: 'muted' }, 'No spans recorded for this run yet.');
    const ids = new Set(spans.map((s) => s.span_id));
    const kids = new Map();
    for (const s of spans) {
      const p = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : '';
      if (!kids.has(p)) kids.set(p, []);
      kids.get(p).push(s);
    }
    const t0 = Math.min(...spans.map((s) => s.start_ns));
    const nowNs = Date.now() * 1e6;
    const endOf = (s) => (s.end_ns ? s.end_ns : Math.max(nowNs, s.start_ns));
    const t1 = Math.max(...spans.map(endOf));
    const total = Math.max(t1 - t0, 1);
    const ordered = [];
    const walk = (p, depth) => {
      for (const s of (kids.get(p) || []).sort((a, b) => a.start_ns - b.start_ns)) { ordered.push([s, depth]); walk(s.span_id, depth + 1); }
    };
    walk('', 0);
    const failed = (s) => /^(error|failed)$/i.test(String(s.status || '')) || Object.entries(s.attributes || {}).some(([k, v]) =>
      /(status|outcome|error)/i.test(k) && /^(failed|error|timeout|cancelled|true)$/i.test(String(v)));
    const axis = h('div', { class: 'wf-row wf-axis', 'aria-hidden': 'true' }, h('div', { class: 'wf-label' }),
      h('div', { class: 'wf-track' }, [0, 0.25, 0.5, 0.75, 1].map((f) => {
        const tick = h('span', { class: 'wf-tick' }, fmtDur((total * f) / 1e6));
        tick.style.left = `${f * 100}%`;
        return tick;
      })));
    const rows = ordered.map(([s, depth]) => {
      const bar = h('div', { class: `wf-bar d${depth % 4}${failed(s) ? ' fail' : ''}` });
      bar.style.left = `${((s.start_ns - t0) / total) * 100}%`;
      bar.style.width = `${Math.max(((endOf(s) - s.start_ns) / total) * 100, 0.4)}%`;
      const attrs = Object.entries(s.attributes || {}).map(([k, v]) => `${k}=${valueText(v)}`).join('\n');
      const label = h('div', { class: 'wf-label', title: s.name }, h('span', { class: 'wf-name', text: s.name }));
      label.style.paddingLeft = `${depth * 14 + 4}px`;
      return h('div', { class: 'wf-row', title: `${s.name}  ${fmtDur((endOf(s) - s.start_ns) / 1e6)}${attrs ? `\n${attrs}` : ''}` },
        label, h('div', { class: 'wf-track' }, bar), h('div', { class: 'wf-dur' }, s.end_ns ? fmtDur((s.end_ns - s.start_ns) / 1e6) : 'running'));
    });
    return h('div', { class: 'waterfall', role: 'table', 'aria-label': `Trace ${tr.trace_id || ''}` }, axis, rows);
  }

  // ================================================================ logs: ANSI + search
  // SGR state machine; escape sequences split across chunks are carried over.
  class Ansi {
    constructor() { this.reset(); this.carry = ''; }
    reset() { this.fg = null; this.bg = null; this.bold = false; this.dim = false; this.italic = false; this.underline = false; }
    style() {
      const cls = [];
      let css = null;
      if (typeof this.fg === 'number') cls.push(`a-f${this.fg + (this.bold && this.fg < 8 ? 8 : 0)}`);
      else if (this.fg) css = Object.assign(css || {}, { color: this.fg });
      if (typeof this.bg === 'number') cls.push(`a-b${this.bg}`);
      else if (this.bg) css = Object.assign(css || {}, { backgroundColor: this.bg });
      if (this.bold) cls.push('a-bold');
      if (this.dim) cls.push('a-dim');
      if (this.italic) cls.push('a-it');
      if (this.underline) cls.push('a-ul');
      return { cls: cls.join(' '), css };
    }
    static c256(n) {
      if (n < 16) return n;
      if (n >= 232) { const v = 8 + (n - 232) * 10; return `rgb(${v},${v},${v})`; }
      const i = n - 16, cv = (x) => (x ? 55 + x * 40 : 0);
      return `rgb(${cv(Math.floor(i / 36))},${cv(Math.floor(i / 6) % 6)},${cv(i % 6)})`;
    }
    sgr(params) {
      const p = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)));
      for (let i = 0; i < p.length; i++) {
        const n = p[i];
        if (n === 0) this.reset();
        else if (n === 1) this.bold = true;
        else if (n === 2) this.dim = true;
        else if (n === 3) this.italic = true;
        else if (n === 4) this.underline = true;
        else if (n === 22) { this.bold = false; this.dim = false; }
        else if (n === 23) this.italic = false;
        else if (n === 24) this.underline = false;
        else if (n >= 30 && n <= 37) this.fg = n - 30;
        else if (n >= 90 && n <= 97) this.fg = n - 90 + 8;
        else if (n === 39) this.fg = null;
        else if (n >= 40 && n <= 47) this.bg = n - 40;
        else if (n >= 100 && n <= 107) this.bg = n - 100 + 8;
        else if (n === 49) this.bg = null;
        else if ((n === 38 || n === 48) && p[i + 1] === 5 && i + 2 < p.length) {
          const c = Ansi.c256(p[i + 2] & 255);
          if (n === 38) this.fg = c; else this.bg = c;
          i += 2;
        } else if ((n === 38 || n === 48) && p[i + 1] === 2 && i + 4 < p.length) {
          const c = `rgb(${p[i + 2] & 255},${p[i + 3] & 255},${p[i + 4] & 255})`;
          if (n === 38) this.fg = c; else this.bg = c;
          i += 4;
        }
      }
    }
    // Returns [{text, cls, css}] where text may hold \n and \r; control sequences removed.
    feed(input) {
      const s = this.carry + input;
      this.carry = '';
      const out = [];
      let start = 0, i = 0;
      const emit = (end) => { if (end > start) out.push(Object.assign({ text: s.slice(start, end) }, this.style())); };
      while (i < s.length) {
        if (s.charCodeAt(i) !== 0x1b) { i++; continue; }
        emit(i);
        if (i + 1 >= s.length) { this.carry = s.slice(i); return out; }
        const kind = s[i + 1];
        let j = i + 2;
        if (kind === '[') {
          while (j < s.length && !(s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e)) j++;
          if (j >= s.length) { if (j - i < 64) { this.carry = s.slice(i); return out; } start = i = j; continue; }
          if (s[j] === 'm') this.sgr(s.slice(i + 2, j));
          j++;
        } else if (kind === ']') { // OSC (titles, hyperlinks): up to BEL or ESC \
          while (j < s.length && s.charCodeAt(j) !== 7 && !(s[j] === '\x1b' && s[j + 1] === '\\')) j++;
          if (j >= s.length) { if (j - i < 512) { this.carry = s.slice(i); return out; } } else j += s.charCodeAt(j) === 7 ? 1 : 2;
        }
        start = i = j;
      }
      emit(s.length);
      return out;
    }
  }

  class LogView {
    constructor() {
      this.search = h('input', { type: 'search', class: 'log-search', placeholder: 'Search log', title: 'Enter: next match, Shift+Enter: previous', 'aria-label': 'Search the log (Enter: next match, Shift+Enter: previous)' });
      this.count = h('span', { class: 'muted small log-count', role: 'status' });
      this.follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
      this.status = h('span', { class: 'muted small log-status', role: 'status' });
      this.body = h('div', { class: 'log', tabindex: 0, role: 'log', 'aria-label': 'Step log' });
      this.title = h('h3', { class: 'log-title' });
      // The raw bytes (no colours parsed) as a file; fetched with the token, so not a plain link.
      this.raw = h('button', { type: 'button', class: 'secondary small', title: 'Download the raw log' }, 'Raw');
      this.raw.addEventListener('click', () => this.download());
      this.el = h('div', { class: 'log-view' },
        h('div', { class: 'log-bar' }, this.title, this.search, this.count,
          h('label', { class: 'small', for: 'log-follow' }, this.follow, ' follow'), this.raw, this.status),
        this.body);
      this.key = null;
      this.conn = null;
      this.search.addEventListener('input', () => { clearTimeout(this.st); this.st = setTimeout(() => this.applySearch(), 120); });
      this.search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.jump(e.shiftKey ? -1 : 1); } });
      this.body.addEventListener('scroll', () => {
        const atEnd = this.body.scrollTop + this.body.clientHeight >= this.body.scrollHeight - 4;
        if (!this.programmatic) this.follow.checked = atEnd;
        this.programmatic = false;
      });
    }
    open(runId, trId, step, taskName) {
      const key = `${runId}/${trId}/${step.index}`;
      this.title.textContent = `${taskName} › ${step.name || `step ${step.index}`}`;
      if (key === this.key && (this.conn || this.ended)) return;
      this.close();
      this.key = key;
      this.ended = false;
      this.ansi = new Ansi();
      this.lines = [[]];
      this.lineEls = [];
      this.lower = []; // lower-cased text per line, for search; dropped when a line changes
      this.hits = new Map(); // line -> matches shown in it
      this.dirty = new Set();
      this.cr = false;
      this.body.replaceChildren();
      this.status.textContent = 'connecting…';
      const path = `/api/v1/runs/${encodeURIComponent(runId)}/taskruns/${encodeURIComponent(trId)}/steps/${step.index}/logs`;
      this.path = path;
      this.fileName = `${taskName}-${step.name || step.index}.log`;
      // 404 until the step starts writing: keep trying.
      this.conn = stream(path, {
        retryStatuses: [404],
        onOpen: () => { this.status.textContent = '● following'; },
        onEvent: (ev) => {
          if (ev.type === 'end') {
            let st = '';
            try { st = JSON.parse(ev.data).status || ''; } catch (_) { /* ignore */ }
            this.ended = true;
            this.conn = null;
            this.append('', true);
            this.status.textContent = `step ${st || 'finished'}`;
            return false;
          }
          if (ev.type !== 'log' && ev.type !== 'message') return true;
          let d;
          try { d = JSON.parse(ev.data); } catch (_) { return true; }
          this.append(typeof d.data === 'string' ? d.data : '');
          return true;
        },
        onError: (e, final) => { this.status.textContent = final ? `log unavailable: ${e.message}` : 'reconnecting…'; if (final) this.conn = null; },
      });
    }
    close() { if (this.conn) this.conn.close(); this.conn = null; this.key = null; }
    async download() {
      try {
        const res = await fetch(this.path, { headers: authHeaders({ Accept: 'text/plain' }) });
        if (!res.ok) throw await errorOf(res);
        const url = URL.createObjectURL(await res.blob());
        const a = h('a', { href: url, download: this.fileName });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (e) {
        showError(`Downloading the log failed: ${e.message}`);
      }
    }
    append(text, flushCr) {
      let line = this.lines[this.lines.length - 1];
      const touch = () => { this.dirty.add(this.lines.length - 1); this.lower[this.lines.length - 1] = undefined; };
      for (const piece of this.ansi.feed(text)) {
        const parts = piece.text.split(/(\r\n|\n|\r)/);
        for (const part of parts) {
          if (part === '') continue;
          if (this.cr) { // a lone \r: the terminal would overwrite the line (progress bars)
            this.cr = false;
            if (part !== '\n') { line.length = 0; touch(); } else continue;
          }
          if (part === '\n' || part === '\r\n') { touch(); line = []; this.lines.push(line); touch(); } else if (part === '\r') this.cr = true;
          else { line.push({ text: part, cls: piece.cls, css: piece.css }); touch(); }
        }
      }
      if (flushCr) this.cr = false;
      if (!this.raf) this.raf = requestAnimationFrame(() => this.render());
    }
    lineText(i) { return this.lines[i].map((p) => p.text).join(''); }
    lowerText(i) {
      if (this.lower[i] === undefined) this.lower[i] = this.lineText(i).toLowerCase();
      return this.lower[i];
    }
    renderLine(i) {
      const row = this.lineEls[i] || h('div', { class: 'll' });
      const q = this.query;
      const ranges = [];
      if (q) {
        const lower = this.lowerText(i);
        for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) ranges.push([at, at + q.length]);
      }
      const frag = [h('span', { class: 'ln', 'aria-hidden': 'true' }, String(i + 1))];
      let off = 0, r = 0;
      const span = (p, s) => { const e = h('span', p.cls ? { class: p.cls } : {}, s); if (p.css) Object.assign(e.style, p.css); return e; };
      for (const p of this.lines[i]) {
        const end = off + p.text.length;
        let pos = off;
        while (pos < end) {
          while (r < ranges.length && ranges[r][1] <= pos) r++;
          if (r < ranges.length && ranges[r][0] <= pos) { // inside a match
            const stop = Math.min(end, ranges[r][1]);
            // A match split over colour spans is several <mark>s; the first one is where Enter jumps.
            frag.push(h('mark', pos === ranges[r][0] ? { 'data-first': '' } : {}, span(p, p.text.slice(pos - off, stop - off))));
            pos = stop;
          } else {
            const stop = Math.min(end, r < ranges.length ? ranges[r][0] : end);
            frag.push(span(p, p.text.slice(pos - off, stop - off)));
            pos = stop;
          }
        }
        off = end;
      }
      row.replaceChildren(...frag);
      row.classList.toggle('hit', ranges.length > 0);
      if (ranges.length) this.hits.set(i, ranges.length); else this.hits.delete(i);
      if (!this.lineEls[i]) { this.lineEls[i] = row; this.body.append(row); }
      return ranges.length;
    }
    render() {
      this.raf = null;
      const follow = this.follow.checked;
      const last = this.lines.length - 1;
      for (const i of [...this.dirty].sort((a, b) => a - b)) {
        // An empty trailing line is where the next output goes; it is not shown.
        if (i === last && this.lines[i].length === 0) continue;
        this.renderLine(i);
      }
      this.dirty.clear();
      if (this.query) this.countMatches();
      if (follow) { this.programmatic = true; this.body.scrollTop = this.body.scrollHeight; }
    }
    countMatches() {
      let n = 0;
      for (const c of this.hits.values()) n += c;
      this.count.textContent = this.query ? `${n} match${n === 1 ? '' : 'es'}` : '';
      return n;
    }
    applySearch() {
      this.query = this.search.value.toLowerCase();
      this.cursor = -1;
      // Only lines that show or will show a match are redrawn: a search over a long log stays fast.
      const q = this.query;
      for (let i = 0; i < this.lineEls.length; i++) {
        if (this.lineEls[i] && (this.hits.has(i) || (q && this.lowerText(i).includes(q)))) this.renderLine(i);
      }
      this.countMatches();
      if (this.query) this.jump(1);
    }
    jump(dir) {
      const marks = [...this.body.querySelectorAll('mark[data-first]')];
      if (!marks.length) return;
      marks.forEach((m) => m.classList.remove('current'));
      this.cursor = ((this.cursor ?? -1) + dir + marks.length) % marks.length;
      const m = marks[this.cursor];
      m.classList.add('current');
      this.follow.checked = false;
      m.scrollIntoView({ block: 'center' });
      this.count.textContent = `${this.cursor + 1} / ${marks.length}`;
    }
  }

  // ---------------------------------------------------------------- start
  window.addEventListener('hashchange', () => route(false));
  // "/" jumps to the log search (as in many log viewers), unless the user is typing already.
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = document.activeElement && document.activeElement.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    const box = document.querySelector('.log-view:not([hidden]) .log-search');
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });
  document.addEventListener('DOMContentLoaded', async () => {
    setupToken();
    await refreshWhoami();
    route(true);
  });
  // For tests and the console: the pure parts, no side effects.
  window.batonDashboard = { Ansi, layoutDag, stream };
})();
