'use strict';
let csrf = null;
const $ = (id) => document.getElementById(id);
const td = (text) => { const c = document.createElement('td'); c.textContent = text == null ? '' : String(text); return c; };
const status = (text, bad) => { $('status').textContent = text; $('status').className = bad ? 'bad' : 'ok'; };

async function api(method, path, params) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') { opts.headers['X-CSRF-Token'] = csrf; opts.body = new URLSearchParams(params || {}); }
  const r = await fetch(path, opts);
  const body = await r.json().catch(() => ({}));
  if (r.status === 401) { location.href = '/login'; }
  if (!r.ok) { throw new Error(body.error || ('HTTP ' + r.status)); }
  return body;
}

// --- Sockets: live over server-sent events
// Per socket, the last SPARK_POINTS throughput figures (bytes/s in + out) for its sparkline.
const SPARK_POINTS = 40;
const history = new Map();
let socketRows = [];
const SVG = 'http://www.w3.org/2000/svg';
function sparkline(points) {
  const w = 80, h = 16, max = Math.max(1, ...points);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', h); svg.setAttribute('class', 'spark');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#0b57d0'); line.setAttribute('stroke-width', '1');
  line.setAttribute('points', points.map((v, i) => (i * w / (SPARK_POINTS - 1)).toFixed(1) + ',' + (h - 1 - v * (h - 2) / max).toFixed(1)).join(' '));
  svg.append(line);
  return svg;
}
const tlsText = (t) => (t ? t.protocol + ' ' + t.cipherSuite : 'none');
const rateText = (s) => (s.rateIn == null ? '' : s.rateIn + ' / ' + s.rateOut);
function renderSockets() {
  const filter = $('sockets-filter').value.trim();
  const tbody = $('sockets-rows');
  tbody.replaceChildren();
  for (const s of socketRows) {
    if (filter && !s.owner.includes(filter)) continue;
    const tr = document.createElement('tr');
    tr.dataset.id = s.id;
    for (const v of [s.id, s.owner, s.kind, s.local, s.remote, s.state, tlsText(s.tls), s.bytesIn, s.bytesOut, rateText(s)]) tr.append(td(v));
    const spark = document.createElement('td'); spark.className = 'throughput';
    spark.append(sparkline(history.get(s.id) || []));
    tr.append(spark, td(Math.round(s.ageMillis / 1000)));
    const b = document.createElement('button');
    b.textContent = 'Close'; b.className = 'close-socket';
    b.addEventListener('click', async () => {
      try { await api('POST', '/api/sockets/' + s.id + '/close'); status('socket ' + s.id + ' closed'); } catch (e) { status(e.message, true); }
    });
    const c = document.createElement('td'); c.append(b); tr.append(c);
    tbody.append(tr);
  }
}
function liveSockets() {
  const es = new EventSource('/events/sockets');
  es.onmessage = (ev) => {
    const rows = JSON.parse(ev.data);
    const live = new Set(rows.map((s) => s.id));
    for (const id of history.keys()) if (!live.has(id)) history.delete(id);
    for (const s of rows) {
      if (s.rateIn == null) continue;
      const h = history.get(s.id) || [];
      h.push(s.rateIn + s.rateOut);
      history.set(s.id, h.slice(-SPARK_POINTS));
    }
    socketRows = rows;
    $('sockets-live').textContent = '(live, ' + rows.length + ')';
    renderSockets();
  };
  es.onerror = () => { $('sockets-live').textContent = '(reconnecting)'; };
}

// --- Bundles: start/stop; update (jar upload or URL), uninstall and install through the deploy folder
async function upload(path, file) {
  const r = await fetch(path, { method: 'POST', credentials: 'same-origin', body: file,
    headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/java-archive' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}
function applied(r) {
  status(r.action + ' of ' + r.symbolicName + ': ' + r.file + ' written; FileInstall applies it');
  for (const ms of [1000, 3000]) setTimeout(() => { if (!$('bundles').hidden) loadBundles().catch((e) => status(e.message, true)); }, ms);
}
function pickJar(then) {
  const input = document.createElement('input'); input.type = 'file'; input.accept = '.jar';
  input.addEventListener('change', () => { if (input.files.length) then(input.files[0]); });
  input.click();
}
// "3/256 sockets, 0/64 opening, 12.0 KiB/64.0 MiB buffered": use against the policy's quotas ("∞": unlimited)
function quotaText(q) {
  if (!q) return '';
  const max = (v) => (v === null ? '\u221e' : v);
  const bytes = (n) => (n === null ? '\u221e' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB');
  return q.openSockets + '/' + max(q.maxOpenSockets) + ' sockets, ' + q.pendingOpens + '/' + max(q.maxPendingOpens)
    + ' opening, ' + bytes(q.bufferedBytes) + '/' + bytes(q.maxBufferedBytes) + ' buffered';
}
async function loadBundles() {
  const tbody = $('bundles-rows'); tbody.replaceChildren();
  for (const b of await api('GET', '/api/bundles')) {
    const tr = document.createElement('tr');
    tr.dataset.bsn = b.symbolicName;
    for (const v of [b.id, b.symbolicName, b.version, b.state, b.access, b.openSockets, quotaText(b.quota)]) tr.append(td(v));
    const c = document.createElement('td');
    const button = (text, cls, fn) => {
      const btn = document.createElement('button'); btn.textContent = text; btn.className = cls;
      btn.addEventListener('click', async () => { try { await fn(); } catch (e) { status(e.message, true); } });
      c.append(btn);
    };
    for (const action of ['start', 'stop']) button(action, action, async () => { await api('POST', '/api/bundles/' + b.id + '/' + action); await loadBundles(); });
    if (b.changeable) {
      button('Update from file', 'update-file', () => pickJar(async (f) => {
        if (!confirm('Update ' + b.symbolicName + ' ' + b.version + ' (bundle ' + b.id + ') with ' + f.name + '?')) return;
        try { applied(await upload('/api/bundles/' + b.id + '/update', f)); } catch (e) { status(e.message, true); }
      }));
      button('Update from URL', 'update-url', async () => {
        const url = prompt('Update ' + b.symbolicName + ' (bundle ' + b.id + ') from the jar at this http(s) URL:');
        if (!url) return;
        applied(await api('POST', '/api/bundles/' + b.id + '/update', { url }));
      });
      button('Uninstall', 'uninstall', async () => {
        if (!confirm('Uninstall ' + b.symbolicName + ' ' + b.version + ' (bundle ' + b.id + ')? Its jar is deleted from the deploy folder.')) return;
        applied(await api('POST', '/api/bundles/' + b.id + '/uninstall'));
      });
    }
    tr.append(c); tbody.append(tr);
  }
}
$('install-bundle').addEventListener('click', () => pickJar(async (f) => {
  if (!confirm('Install ' + f.name + ' (' + f.size + ' bytes) into the deploy folder?')) return;
  try { applied(await upload('/api/bundles', f)); } catch (e) { status(e.message, true); }
}));

// --- Policy: refusals with the suggested grant, grants, explain
async function loadPolicy() {
  const [p, audit] = await Promise.all([api('GET', '/api/policy'), api('GET', '/api/audit?outcome=REFUSED&max=10000')]);
  const rows = $('refusal-rows'); rows.replaceChildren();
  for (const e of audit.entries.slice().reverse()) {
    const tr = document.createElement('tr');
    tr.className = 'refusal';
    for (const v of [e.sequence, e.time, e.owner, e.address || e.destination, e.detail]) tr.append(td(v));
    const line = td(e.suggestion ? e.suggestion.line : '(the developer must declare it)'); line.className = 'suggested-line'; tr.append(line);
    const c = document.createElement('td');
    if (e.suggestion) {
      const b = document.createElement('button'); b.textContent = 'Add grant'; b.className = 'add-grant';
      b.addEventListener('click', async () => {
        if (!confirm('Add to the policy:\ngrant.' + e.suggestion.name + ' = ' + e.suggestion.line)) return;
        try { const g = await api('POST', '/api/policy/grants', e.suggestion); status('granted grant.' + g.name + ' = ' + g.line); await loadPolicy(); } catch (err) { status(err.message, true); }
      });
      c.append(b);
    }
    tr.append(c); rows.append(tr);
  }
  const grants = $('grant-rows'); grants.replaceChildren();
  for (const g of p.grants) {
    const tr = document.createElement('tr'); tr.append(td(g.name), td(g.line));
    const c = document.createElement('td');
    if (!g.name.startsWith('default.')) {
      const b = document.createElement('button'); b.textContent = 'Revoke';
      b.addEventListener('click', async () => {
        if (!confirm('Revoke grant.' + g.name + ' = ' + g.line + ' ?')) return;
        try { await api('POST', '/api/policy/grants/' + encodeURIComponent(g.name) + '/revoke'); await loadPolicy(); } catch (err) { status(err.message, true); }
      });
      c.append(b);
    }
    tr.append(c); grants.append(tr);
  }
  $('denials').replaceChildren(...p.builtInDenials.map((d) => { const li = document.createElement('li'); li.textContent = d.id + ': ' + d.description + ' ' + d.blocks.join(', '); return li; }));
  $('quotas').textContent = p.defaultQuotas + (p.quotaOverrides.length ? '; ' + p.quotaOverrides.join('; ') : '');
}
$('explain').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = new URLSearchParams(new FormData(ev.target));
  try { const r = await api('GET', '/api/policy/explain?' + q); $('explain-out').textContent = r.map((e) => (e.allowed ? 'ALLOWED ' : 'DENIED  ') + e.message).join('\n'); } catch (e) { $('explain-out').textContent = e.message; }
});

// --- Audit: live, filtered as GET /api/audit filters (outcome, owner, destination, since, until)
let auditEntries = [];
function auditFilter() {
  const f = Object.fromEntries(new FormData($('audit-filters')));
  const low = (v) => (v || '').trim().toLowerCase();
  const time = (v) => (v ? new Date(v).getTime() : null); // datetime-local: the browser's time zone
  return { outcome: f.outcome, owner: low(f.owner), destination: low(f.destination), since: time(f.since), until: time(f.until) };
}
function auditMatches(f, e) {
  const has = (text, part) => text != null && text.toLowerCase().includes(part);
  const t = Date.parse(e.time);
  return (!f.outcome || e.outcome === f.outcome) && (!f.owner || has(e.owner, f.owner))
    && (!f.destination || has(e.destination, f.destination) || has(e.address, f.destination))
    && (f.since == null || t >= f.since) && (f.until == null || t < f.until);
}
function renderAudit() {
  const f = auditFilter();
  const tbody = $('audit-rows'); tbody.replaceChildren();
  for (const e of auditEntries.slice().reverse()) {
    if (!auditMatches(f, e)) continue;
    const tr = document.createElement('tr');
    for (const v of [e.sequence, e.time, e.outcome, e.owner, e.kind, e.address || e.destination, e.detail]) tr.append(td(v));
    tbody.append(tr);
  }
}
function liveAudit() {
  const es = new EventSource('/events/audit');
  es.onmessage = (ev) => {
    const page = JSON.parse(ev.data);
    auditEntries = auditEntries.concat(page.entries).slice(-1000);
    renderAudit();
    if (!$('policy').hidden && page.entries.some((e) => e.outcome === 'REFUSED')) loadPolicy().catch((e) => status(e.message, true));
  };
}
$('audit-filters').addEventListener('input', renderAudit);
$('audit-filters').addEventListener('reset', () => setTimeout(renderAudit, 0));
$('audit-filters').addEventListener('submit', (ev) => { ev.preventDefault(); renderAudit(); });

// --- Devices
async function loadDevices() {
  const tbody = $('device-rows'); tbody.replaceChildren();
  for (const d of await api('GET', '/api/devices')) {
    const tr = document.createElement('tr');
    for (const v of [d.name, d.kind, d.endpoint, d.state, d.lastError]) tr.append(td(v));
    tbody.append(tr);
  }
}

const loaders = { bundles: loadBundles, policy: loadPolicy, devices: loadDevices };
function show(tab) {
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== tab;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.tab === tab);
  if (loaders[tab]) loaders[tab]().catch((e) => status(e.message, true));
}
for (const a of document.querySelectorAll('nav a')) a.addEventListener('click', () => { location.hash = a.dataset.tab; show(a.dataset.tab); });
$('sockets-filter').addEventListener('input', renderSockets);
$('logout').addEventListener('click', async () => { await api('POST', '/logout'); location.href = '/login'; });

(async () => {
  const s = await api('GET', '/api/session');
  csrf = s.csrf; $('user').textContent = s.user;
  liveSockets(); liveAudit();
  show((location.hash || '#sockets').substring(1));
})();
