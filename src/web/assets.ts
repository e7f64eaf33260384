import type { Hono } from 'hono';
import type { WorkspaceEnv } from './context.ts';

/**
 * The workspace's one stylesheet and one small script, served from here (the CSP allows no inline style
 * or script). Colours keep WCAG AA contrast; layouts fold to one column at 390 px.
 */
export const WORKSPACE_CSS = `
:root { color-scheme: light; --accent: #1f5f8b; --accent-soft: #e8f1f8; --bg: #f6f7f9; --line: #c5ccd4; --muted: #4f5a66;
  --focus: #a33f00; --high: #8a1c1c; --high-soft: #fdecec; --ok: #1d6b35; --warn: #7a4d00; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: #1b1b1b; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { background: var(--accent); color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
header.top a, header.top .link { color: #fff; }
.brand { margin: 0; font-weight: 700; }
.brand span { font-weight: 400; }
header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header nav a { display: inline-block; padding: .35rem 0; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration: none; border-bottom: 3px solid #fff; }
.badge .count { display: inline-block; min-width: 1.5em; padding: 0 .4em; border-radius: 1em; background: #fff; color: var(--high); font-weight: 700; text-align: center; }
.who { margin-left: auto; display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .75rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
section { margin-bottom: 1.5rem; }
form.inline { display: inline; }
form.stack { display: flex; flex-direction: column; gap: .35rem; align-items: flex-start; }
form.stack.narrow { max-width: 26rem; }
form.stack.narrow input, form.stack.narrow select { width: 100%; }
label { font-weight: 600; }
input, select, textarea { font: inherit; padding: .45rem .6rem; border: 2px solid #6b7785; border-radius: .4rem; background: #fff; color: inherit; max-width: 100%; }
textarea { width: 100%; max-width: 40rem; }
button { font: inherit; font-weight: 600; padding: .45rem 1rem; border: 2px solid var(--accent); border-radius: .4rem; background: var(--accent); color: #fff; cursor: pointer; min-height: 2.5rem; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--high); border-color: var(--high); }
button.link { background: none; border: 0; padding: 0; min-height: 0; color: inherit; text-decoration: underline; font-weight: 400; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
header.top :focus-visible { outline-color: #ffd166; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.notice { border-left: 5px solid var(--accent); background: #fff; padding: .6rem 1rem; margin: 0 0 1rem; }
.notice.error { border-color: var(--high); background: var(--high-soft); }
.notice.success { border-color: var(--ok); }
code.secret { font-size: 1.1rem; word-break: break-all; user-select: all; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--accent-soft); }
th a[aria-sort] { font-weight: 700; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.flags { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: 0; }
.tag { display: inline-block; padding: 0 .45rem; border-radius: .3rem; border: 1px solid var(--line); background: #fff; font-size: .875rem; }
.tag.high, .flag-high { border-color: var(--high); color: var(--high); background: var(--high-soft); font-weight: 700; }
.tag.normal { border-color: var(--warn); color: var(--warn); }
.alert-list { display: grid; gap: .75rem; }
.alert-card { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--warn); padding: .75rem 1rem; }
.alert-card.high { border-left-color: var(--high); }
.alert-card.acknowledged { border-left-color: var(--line); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 .75rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; min-width: 0; }
blockquote.client-text, .client-text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
blockquote.client-text { border-left: 3px solid var(--line); padding-left: .6rem; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); padding: .75rem 1rem; min-width: 0; }
.chart svg { width: 100%; height: auto; display: block; }
.transcript { list-style: none; margin: 0; padding: 0; }
.transcript li { padding: .4rem .6rem; border-bottom: 1px solid var(--line); background: #fff; }
.transcript li.in { background: #eef5fb; }
.transcript .meta { font-size: .85rem; color: var(--muted); display: block; }
.welcome-card { background: #fff; border: 2px dashed var(--muted); padding: 1rem; max-width: 36rem; }
.welcome-card .qr svg { width: 12rem; height: 12rem; }
.muted { color: var(--muted); }
.filter { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: 1rem; }
.actions { display: flex; flex-wrap: wrap; gap: .4rem; }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  dl.facts { grid-template-columns: 1fr; }
  .who { margin-left: 0; }
  /* The score table has no wrapper to scroll in: on a phone it must fit the screen. */
  .score-chart-table { font-size: .875rem; }
  .score-chart-table th, .score-chart-table td { padding: .4rem .3rem; }
}
@media print {
  header.top, .skip, form, nav { display: none !important; }
  body { background: #fff; }
  .welcome-card { border: 0; }
}
`;

/**
 * Keeps the open-alert count live: asks the server every 15 s and updates the page title and the badge,
 * announcing a change politely to screen readers; shows print buttons (they need script). The polling is
 * not activity: once the session has ended (30 idle minutes) the count answers 401 and the page goes to
 * sign-in, so an unattended screen stops showing client data. No framework, no inline code (CSP).
 */
export const WORKSPACE_JS = `
(() => {
  for (const button of document.querySelectorAll('[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
  const badge = document.querySelector('[data-live-alerts]');
  const title = document.querySelector('title');
  if (!badge || !title) return;
  const base = title.getAttribute('data-base') || document.title;
  const live = document.createElement('div');
  live.className = 'visually-hidden';
  live.setAttribute('role', 'status');
  document.body.appendChild(live);
  let last = Number(badge.getAttribute('data-live-alerts')) || 0;
  const plural = new Intl.PluralRules(document.documentElement.lang || 'nb');
  const show = (n) => {
    badge.hidden = n === 0;
    badge.setAttribute('data-live-alerts', String(n));
    const count = badge.querySelector('.count');
    if (count) count.textContent = String(n);
    const label = badge.querySelector('.label');
    if (label) label.textContent = ' ' + (badge.getAttribute('data-label-' + plural.select(n)) || badge.getAttribute('data-label-other'));
    document.title = n > 0 ? '(' + n + ') ' + base : base;
    if (n > last) live.textContent = badge.textContent.trim();
    last = n;
  };
  const poll = async () => {
    try {
      const res = await fetch('/staff/alerts/count', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401) {
        location.assign('/staff/login?next=' + encodeURIComponent(location.pathname + location.search));
        return;
      }
      if (res.ok) show((await res.json()).open);
    } catch {}
  };
  setInterval(poll, 15000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
})();
`;

export function workspaceAssets(app: Hono<WorkspaceEnv>): void {
  app.get('/staff/assets/workspace.css', (c) =>
    c.body(WORKSPACE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }),
  );
  app.get('/staff/assets/workspace.js', (c) =>
    c.body(WORKSPACE_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
}
