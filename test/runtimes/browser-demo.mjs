// The browser demo (examples/browser), clicked through in headless Chromium:
// build it, serve it on 127.0.0.1 cross-origin isolated (the COOP/COEP
// headers serve.mjs sends), load the SpamAssassin sample, start a long
// training and cancel it, train for real (in a Web Worker, on every core)
// while the page keeps drawing frames, classify typed texts, and save a
// screenshot to test/artifacts/browser-demo.png (git-ignored). Needs
// `npm run build`.
//
//   node test/runtimes/browser-demo.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serve } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const step = (s) => console.log(`- ${s}`);

execFileSync(process.execPath, [join(root, 'examples/browser/build.mjs')], { stdio: 'inherit' });
const srv = await serve(join(root, 'examples/browser/dist'), { isolated: true });
const browser = await launchChromium();
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${srv.url}/index.html`);
  await page.waitForFunction(() => window.__demo?.state === 'ready', null, { timeout: 30_000 });
  const backend = await page.evaluate(() => window.__demo.backend);
  step(`page loaded, init() -> ${backend}`);
  assert.match(backend, /^wasm-/);
  assert.match(await page.textContent('#backend'), /backend: wasm-/);
  assert.equal(await page.evaluate(() => window.__demo.isolated), true, 'the page is not cross-origin isolated');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);

  await page.click('#load-sample');
  await page.waitForFunction(() => /\d+ texts/.test(document.getElementById('data-info').textContent));
  const info = await page.textContent('#data-info');
  step(`sample loaded: ${info}`);
  assert.match(info, /320 texts: 160 ham, 160 spam/);

  // cancellation: a long run, cancelled after a few batches
  await page.fill('#epochs', '300');
  await page.click('#train');
  await page.waitForFunction(() => window.__demo.progress.length >= 3, null, { timeout: 30_000 });
  await page.click('#cancel');
  await page.waitForFunction(() => window.__demo.state === 'cancelled', null, { timeout: 10_000 });
  const afterCancel = await page.evaluate(() => window.__demo.progress.length);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__demo.progress.length), afterCancel, 'progress went on after cancel');
  step(`cancelled after ${afterCancel} progress events: ${await page.textContent('#status')}`);

  // the real run
  await page.fill('#epochs', '5');
  const t0 = Date.now();
  await page.click('#train');
  await page.waitForFunction(() => window.__demo.state === 'done' || window.__demo.state === 'error', null, { timeout: 120_000 });
  const demo = await page.evaluate(() => ({ ...window.__demo }));
  assert.equal(demo.state, 'done', demo.error ?? '');
  const status = await page.textContent('#status');
  step(`trained in ${Date.now() - t0} ms: ${status}`);
  assert.match(status, /web-worker/);
  // threads: 'auto' in the worker: every core the page reports
  assert.equal(demo.threads, cores, `trained on ${demo.threads} threads, the page reports ${cores} cores`);
  assert.match(status, new RegExp(`${cores} threads?`));
  // 256 training texts / 16 = 16 batches x 5 epochs, plus 5 epoch events
  assert.equal(demo.progress.filter((p) => p.phase === 'batch').length, 80);
  assert.equal(demo.history.loss.length, 5);
  assert.ok(demo.history.loss.at(-1) < demo.history.loss[0] / 2, `loss ${demo.history.loss[0]} -> ${demo.history.loss.at(-1)}`);
  assert.ok(demo.history.val_accuracy.at(-1) >= 0.75, `validation accuracy ${demo.history.val_accuracy.at(-1)}`);
  assert.ok(demo.framesWhileTraining >= 5, `only ${demo.framesWhileTraining} frames drawn while training: the page froze`);
  assert.equal(await page.evaluate(() => document.getElementById('progress').value), 1);

  // classify as you type: key by key, the verdict follows
  await page.click('#input');
  await page.keyboard.type('Congratulations! You won a FREE prize, click here to claim your cash now', { delay: 5 });
  await page.waitForFunction(() => window.__demo.verdict?.text.endsWith('cash now'));
  const spam = await page.evaluate(() => window.__demo.verdict);
  step(`typed spam -> ${spam.label} (${spam.p.toFixed(3)})`);
  assert.equal(spam.label, 'spam');
  await page.fill('#input', '');
  await page.keyboard.type('Re: the patch for the kernel build, I tested it on my machine and it works', { delay: 5 });
  await page.waitForFunction(() => window.__demo.verdict?.text.endsWith('it works'));
  const ham = await page.evaluate(() => window.__demo.verdict);
  step(`typed ham -> ${ham.label} (${ham.p.toFixed(3)})`);
  assert.equal(ham.label, 'ham');
  assert.match(await page.textContent('#verdict'), /ham/);

  // one more, left on screen for the screenshot
  await page.fill('#input', '');
  await page.keyboard.type('URGENT: lowest mortgage rates, refinance today, no credit check!', { delay: 2 });
  await page.waitForFunction(() => window.__demo.verdict?.text.endsWith('check!'));
  mkdirSync(join(root, 'test/artifacts'), { recursive: true });
  const shot = join(root, 'test/artifacts/browser-demo.png');
  await page.screenshot({ path: shot, fullPage: true });
  step(`screenshot: ${shot}`);
  assert.deepEqual(errors, []);
  console.log('browser demo: 1 passed, 0 failed');
} finally {
  await browser.close();
  await srv.close();
}
