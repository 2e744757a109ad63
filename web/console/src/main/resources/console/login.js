'use strict';
document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = new URLSearchParams(new FormData(ev.target));
  const r = await fetch('/login', { method: 'POST', body, credentials: 'same-origin' });
  if (r.ok) {
    location.href = '/';
  } else {
    const e = await r.json().catch(() => ({ error: r.statusText }));
    document.getElementById('error').textContent = e.error || ('HTTP ' + r.status);
  }
});
