// Test harness: a static server for ui/ on 127.0.0.1:0, Debian's headless
// Chromium through playwright-core, the mock injected before any page script.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHOTS = path.join(UI, 'tests', 'screenshots');
// What the app serves (Tauri's frontendDist): the tests serve the same.
export const APP = path.join(UI, 'app');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** The CSP of index.html's meta, also sent as a header like the shell does. */
export function cspOf(html) {
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  return m ? m[1] : null;
}

export function startServer() {
  const csp = cspOf(fs.readFileSync(path.join(APP, 'index.html'), 'utf8'));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let p = decodeURIComponent(url.pathname);
    if (p === '/') p = '/index.html';
    const file = path.normalize(path.join(APP, p));
    if (!file.startsWith(APP + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)
      || file.includes(`${path.sep}tests${path.sep}`) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Security-Policy': csp, 'Cache-Control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) });
  }));
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
  });
}

const MOCK = fs.readFileSync(path.join(UI, 'tests', 'mock.js'), 'utf8');

/**
 * A fresh page with the mock; `errors` collects every console error and
 * uncaught exception, and every CSP violation.
 */
export async function openPage(browser, base, { mock = 'demo', lang = 'fr', scheme = 'light', width = 1360, height = 820 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, locale: 'fr-FR',
    timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.addInitScript({ content: MOCK });
  await page.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (e) =>
    console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));` });
  await page.goto(`${base}/index.html?mock=${mock}&lang=${lang}`);
  await page.waitForSelector('body[data-ready="1"]');
  return { page, context, errors };
}

export const calls = (page, cmd) => page.evaluate((c) => window.__mock.commandsOf(c), cmd);
export const emit = (page, event, payload) => page.evaluate(([e, p]) => window.__mock.emit(e, p), [event, payload]);
