// End-to-end test of the page in headless Chromium (playwright-core, no browser download).
//
//   npm run test:e2e          (needs pkg/ from wasm-pack and `npm install`)
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium); E2E_SITE_ROOT serves another
// folder than the repository (e.g. one with a different pkg/ build). Screenshots go to
// tests/e2e/artifacts/. WebGPU in headless Chromium runs on SwiftShader (a software GPU), so
// the runs are tiny and the timeouts generous. The explorer views are tested on the CPU backend
// with the shipped pretrained weights (www/weights/fast.rnxw) and a few test images.
//
// The layer-table totals are compared with the command line's (`resnet-explorer shapes
// --detail`), from the binary that `cargo build --release` puts in
// ${CARGO_TARGET_DIR:-~/.cache/resnet-explorer/target}/release/ (scripts/test.sh builds it
// before this step); RESNET_EXPLORER_BIN overrides the path.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';

import { ARTIFACTS, MINUTE, hashOf, injectIntoWorker, openPage as openSite, requirePkg, startSite, withPage } from './browser.mjs';

const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];
// WebGPU here is SwiftShader, a software renderer: "auto" picks the CPU there, so the tests of
// the WebGPU path choose it by hand.
const ON_WEBGPU = { backend: 'wgpu' };
// 160 images / batch 16 = 10 batches, a report every 2 batches, 32 test images.
const TINY = { preset: 'tiny', epochs: '1', batch: '16', lr: '0.1', train: '160', test: '32' };
const TINY_POINTS = 5 * 2 + 1; // 5 reports x (loss, acc) + 1 test accuracy
const CLI =
  process.env.RESNET_EXPLORER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(process.env.HOME ?? os.homedir(), '.cache/resnet-explorer/target'), 'release/resnet-explorer');

let site;
let baseUrl;

before(async () => {
  site = await startSite();
  baseUrl = site.url;
});

after(async () => {
  await site?.close();
});

const openPage = (page, settings) => openSite(page, baseUrl, settings);

/** The native command line, which scripts/test.sh builds (`cargo test --release`) before these tests. */
function requireCli() {
  assert.ok(existsSync(CLI), `${CLI} is missing: build it with \`cargo build --release\` (scripts/test.sh does) or set RESNET_EXPLORER_BIN`);
}

/** The `total` line of `resnet-explorer shapes --detail` (params, MACs). */
function cliTotals(args) {
  requireCli();
  const out = spawnSync(CLI, ['shapes', ...args, '--detail'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(out.status, 0, `${CLI} shapes ${args.join(' ')} --detail failed: ${out.stderr}`);
  const line = out.stdout.split('\n').find((l) => /^total\s/.test(l));
  assert.ok(line, `no total line in:\n${out.stdout}`);
  const [params, macs] = line.trim().split(/\s+/).slice(1).map(Number);
  return { params, macs };
}

/** Waits until the explorer has a network and no request is running (demos enabled). */
async function waitForDemos(page, timeout = 3 * MINUTE) {
  await page.waitForFunction(() => window.resnetExplorer?.demosReady || !document.getElementById('error-box').hidden, null, { timeout });
  const error = await page.evaluate(() => (document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent));
  assert.equal(error, null, `the page failed: ${error}`);
}

/** Waits for the identity demo to show `mode` for `block`; returns its numbers. */
async function identityResult(page, block, mode) {
  await page.waitForFunction(
    ([b, m]) => {
      const r = document.getElementById('identity-result');
      return (r.dataset.state === 'done' || r.dataset.state === 'error') && r.dataset.block === b && r.dataset.mode === m;
    },
    [block, mode],
    { timeout: 2 * MINUTE },
  );
  return page.evaluate(() => ({
    state: document.getElementById('identity-result').dataset.state,
    diff: document.getElementById('identity-diff').dataset.value,
    diffText: document.getElementById('identity-diff').textContent,
    none: document.getElementById('identity-diff-none').dataset.value,
    explain: document.getElementById('identity-explain').textContent,
    message: document.getElementById('identity-message').textContent,
    maps: document.querySelectorAll('#feature-maps canvas').length,
  }));
}

const pageState = (page) =>
  page.evaluate(() => ({
    state: window.resnetExplorer.state,
    run: window.resnetExplorer.run,
    points: Number(document.getElementById('chart').dataset.points),
    batch: Number(document.getElementById('train-progress').value),
    status: document.getElementById('status').textContent,
    error: document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent,
  }));

/** Waits until `done(state)` holds; fails at once when the run fails. */
async function waitForRun(page, what, done, timeout) {
  const started = Date.now();
  for (;;) {
    const s = await pageState(page);
    if (s.error || s.state === 'failed') assert.fail(`the run failed while waiting for ${what}: ${s.error ?? s.status}`);
    if (done(s)) return s;
    if (Date.now() - started > timeout) assert.fail(`timed out after ${timeout / 1000} s waiting for ${what}; last state ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Clicks a button and measures how long the page takes to show the result. */
async function clickAndTime(page, selector, predicate) {
  const t0 = Date.now();
  await page.click(selector, { timeout: 5000 });
  await page.waitForFunction(predicate, null, { timeout: 5000 });
  return Date.now() - t0;
}

test('trains a tiny ResNet on WebGPU and stays responsive', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('webgpu', WEBGPU_ARGS, async (page, log, errors) => {
    await openPage(page, { ...TINY, ...ON_WEBGPU });
    await page.click('#start');

    // Backend: WebGPU, no CPU banner.
    await page.waitForFunction(() => document.getElementById('backend').dataset.backend !== '', null, { timeout: 2 * MINUTE });
    const backendText = await page.textContent('#backend');
    log(backendText);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'wgpu', `expected WebGPU, page says: ${backendText}`);
    assert.match(backendText, /WebGPU/);
    assert.equal(await page.isVisible('#cpu-banner'), false, 'the CPU banner must be hidden on WebGPU');

    // The first batch compiles the kernels (slow on SwiftShader). Meanwhile the page answers.
    await waitForRun(page, 'training to start', (s) => s.state === 'running', 5 * MINUTE);
    const t0 = Date.now();
    await page.evaluate(() => 1 + 1);
    const roundTrip = Date.now() - t0;
    const pauseMs = await clickAndTime(page, '#pause', () => document.getElementById('pause').textContent === 'Resume');
    log(`evaluate round trip ${roundTrip} ms; pause button reacted in ${pauseMs} ms`);
    assert.ok(pauseMs < 2000, `the page took ${pauseMs} ms to react to a click during training`);

    // The worker pauses between batches; no batch runs while paused.
    const paused = await waitForRun(page, 'the pause', (s) => s.state === 'paused', 5 * MINUTE);
    await new Promise((r) => setTimeout(r, 2000));
    const still = await pageState(page);
    assert.equal(still.state, 'paused');
    assert.equal(still.batch, paused.batch, 'a batch ran while paused');
    const resumeMs = await clickAndTime(page, '#pause', () => document.getElementById('pause').textContent === 'Pause');
    assert.ok(resumeMs < 2000, `the page took ${resumeMs} ms to react to Resume`);
    log(`paused at batch ${paused.batch}; resume button reacted in ${resumeMs} ms`);

    const t1 = Date.now();
    const two = await waitForRun(page, '2 chart points', (s) => s.points >= 2, 10 * MINUTE);
    log(`chart has ${two.points} points after ${((Date.now() - t1) / 1000).toFixed(1)} s more`);
    const done = await waitForRun(page, 'the run to finish', (s) => s.state === 'finished', 10 * MINUTE);
    assert.equal(done.points, TINY_POINTS);
    assert.equal(done.batch, 10);
    log(`finished: ${done.status} (${await page.textContent('#stat-speed')} examples/sec)`);
    assert.match(await page.textContent('#log'), /examples\/sec on WebGPU/);
    assert.ok((await page.locator('#shapes-table tbody tr').count()) >= 7, 'the shape table is filled in');

    await page.screenshot({ path: path.join(ARTIFACTS, 'webgpu.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('falls back to the CPU without WebGPU and says why', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('cpu', [], async (page, log, errors) => {
    const opened = Date.now();
    await openPage(page, TINY);
    const clicked = Date.now();
    await page.click('#start');

    await page.waitForSelector('#cpu-banner', { state: 'visible', timeout: 2 * MINUTE });
    const reason = (await page.textContent('#cpu-reason')).trim();
    log(`CPU banner reason: ${reason}`);
    assert.ok(reason.length > 10, 'the banner gives a reason');
    assert.match(reason, /WebGPU/);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'cpu');

    await waitForRun(page, 'the first batch', (s) => s.batch >= 1, 5 * MINUTE);
    // A measurement for the start-up figures (no assertion: machines differ).
    log(`start-up: page usable after ${((clicked - opened) / 1000).toFixed(1)} s, first batch trained ${((Date.now() - clicked) / 1000).toFixed(1)} s after Start`);
    const two = await waitForRun(page, '2 chart points', (s) => s.points >= 2, 10 * MINUTE);
    log(`chart has ${two.points} points`);
    const done = await waitForRun(page, 'the run to finish', (s) => s.state === 'finished', 10 * MINUTE);
    assert.equal(done.points, TINY_POINTS);
    log(`finished: ${done.status} (${await page.textContent('#stat-speed')} examples/sec)`);
    assert.match(await page.textContent('#log'), /examples\/sec on the CPU/);

    await page.screenshot({ path: path.join(ARTIFACTS, 'cpu-fallback.png'), fullPage: true });

    // The trained network is kept in IndexedDB and preferred to the shipped weights on reload.
    await page.waitForFunction(() => document.getElementById('weights-source').dataset.source === 'trained' && document.getElementById('saved-networks').dataset.count === '1', null, { timeout: MINUTE });
    await page.reload();
    await waitForDemos(page);
    assert.equal(await page.getAttribute('#weights-source', 'data-source'), 'saved');
    const source = await page.textContent('#weights-source');
    log(`after reload: ${source}`);
    assert.match(source, /saved in this browser.*tiny preset/);
    assert.equal(await page.locator('#diagram .block-node').count(), 3, 'the saved tiny network (3 blocks) is in memory');
    // Forgetting it takes effect at once: the shipped network is in memory again.
    await page.click('#saved-networks li[data-current="true"] button.delete');
    await page.waitForFunction(() => document.getElementById('saved-networks').dataset.count === '0' && document.getElementById('weights-source').dataset.source === 'shipped', null, { timeout: MINUTE });
    assert.match(await page.textContent('#weights-message'), /Forgot/);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('the URL hash restores the controls, and the controls update the hash', { timeout: 2 * MINUTE }, async () => {
  await withPage('hash', [], async (page) => {
    const settings = { preset: 'd2l96', epochs: '3', batch: '64', lr: '0.02', train: '1000', test: '500', backend: 'cpu' };
    await page.goto(new URL('index.html' + hashOf(settings), baseUrl).href);
    // The controls show the link once the page knows its models (from the wasm module).
    const ready = () => page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: MINUTE });
    await ready();
    const read = () =>
      page.evaluate(() => ({
        preset: document.getElementById('preset').value,
        epochs: document.getElementById('epochs').value,
        batch: document.getElementById('batch').value,
        lr: document.getElementById('lr').value,
        train: document.getElementById('train-limit').value,
        test: document.getElementById('test-limit').value,
        backend: document.getElementById('backend-choice').value,
      }));
    assert.deepEqual(await read(), settings);

    // Editing a control rewrites the hash.
    await page.fill('#epochs', '5');
    await page.waitForFunction(() => location.hash.includes('epochs=5'), null, { timeout: 2000 });
    // Choosing a preset loads its training defaults.
    await page.selectOption('#preset', 'tiny');
    await page.waitForFunction(() => location.hash.includes('preset=tiny'), null, { timeout: 2000 });
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /epochs=1&batch=32&lr=0\.1/);

    // A link with missing or invalid values gets the defaults.
    await page.goto(new URL('index.html#preset=fast&epochs=-4&lr=abc', baseUrl).href);
    await page.reload();
    await ready();
    const defaults = await read();
    assert.deepEqual(defaults, { preset: 'fast', epochs: '2', batch: '128', lr: '0.1', train: '60000', test: '10000', backend: 'auto' });
  });
});

test('Restart replaces a running run and Stop stops it (CPU)', { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('restart', [], async (page, log, errors) => {
    // 3,750 batches: long enough to interrupt, even on a fast CPU.
    await openPage(page, { ...TINY, train: '60000', backend: 'cpu' });
    await page.click('#start');
    const first = await waitForRun(page, 'a few batches', (s) => s.state === 'running' && s.batch >= 5, 3 * MINUTE);
    assert.equal(await page.textContent('#start'), 'Restart');
    assert.equal(await page.isDisabled('#epochs'), true, 'settings are locked during a run');

    // The new run (run 2) replaces the old one: the old one stops first and its late messages
    // are ignored, so the page's state is run 2's from here on.
    await page.click('#start');
    const restarted = await waitForRun(page, 'the restarted run to train', (s) => s.run === 2 && s.state === 'running' && s.batch >= 3, 3 * MINUTE);
    log(`restarted run at batch ${restarted.batch} (old run was at ${first.batch})`);
    assert.match(await page.textContent('#chart-caption'), /^Run 2: /);

    await page.click('#stop');
    const stopped = await waitForRun(page, 'the stop', (s) => s.state === 'stopped', MINUTE);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await pageState(page);
    assert.equal(later.state, 'stopped');
    assert.equal(later.batch, stopped.batch, 'no batch ran after Stop');
    assert.ok(later.batch < 3750, 'stopped before the end');
    assert.equal(await page.isDisabled('#epochs'), false, 'settings are unlocked after Stop');
    log(`stopped at batch ${later.batch}: ${later.status}`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('explorer views: diagram, layer table, identity demo, insertion, predictions, weights (CPU)', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('explorer', [], async (page, log, errors) => {
    const t0 = Date.now();
    const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    await openPage(page, { preset: 'fast', test: '64', backend: 'cpu' });
    await waitForDemos(page);
    log(`pretrained network loaded after ${since()}: ${await page.textContent('#weights-source')}`);
    assert.equal(await page.getAttribute('#weights-source', 'data-source'), 'shipped');
    assert.match(await page.textContent('#weights-source'), /^Pretrained weights: .*test acc 0\.\d+/);

    // Diagram: one node per residual block, three 1x1-projection shortcuts (fast preset).
    const blockLabels = await page.$$eval('#diagram .block-node', (nodes) => nodes.map((n) => n.dataset.block));
    assert.deepEqual(blockLabels, ['b2.0', 'b2.1', 'b3.0', 'b3.1', 'b4.0', 'b4.1', 'b5.0', 'b5.1']);
    assert.equal(await page.locator('#diagram .projection-edge').count(), 3);
    assert.equal(await page.locator('#diagram .identity-edge').count(), 5);
    // ... the same blocks as the table's Residual rows (both from Rust's rows).
    const residualRows = await page.$$eval('#shapes-table tbody tr.level-1', (rows) =>
      rows.filter((r) => r.children[1].textContent.startsWith('Residual')).map((r) => r.dataset.layer),
    );
    assert.deepEqual(residualRows, blockLabels);
    for (const node of await page.locator('#diagram .block-node').all()) {
      assert.equal(await node.getAttribute('role'), 'button');
      assert.equal(await node.getAttribute('tabindex'), '0');
      assert.match(await node.getAttribute('aria-label'), /^Block b\d\.\d/);
    }
    assert.match(await page.getAttribute('[data-block="b3.0"]', 'aria-label'), /1×1 convolution shortcut, stride 2/);
    // Keyboard selection.
    await page.focus('[data-block="b4.1"]');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('[data-block="b4.1"]', 'aria-pressed'), 'true');
    await page.focus('[data-block="b2.1"]');
    await page.keyboard.press(' ');
    assert.equal(await page.getAttribute('[data-block="b2.1"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('[data-block="b4.1"]', 'aria-pressed'), 'false');
    assert.match(await page.evaluate(() => location.hash), /block=b2\.1/);
    await page.locator('#diagram').screenshot({ path: path.join(ARTIFACTS, 'diagram.png') });

    // Layer table: totals equal the command line's, exact values kept for the readable ones.
    const total = await page.evaluate(() => {
      const tr = document.getElementById('shapes-total');
      return { params: Number(tr.dataset.params), macs: Number(tr.dataset.macs), text: tr.textContent, title: tr.querySelector('[data-params]').title };
    });
    log(`table total: ${total.params} params, ${total.macs} MACs (${total.text.trim()})`);
    const cli = cliTotals(['--model', 'fast']);
    assert.deepEqual({ params: total.params, macs: total.macs }, cli, 'the page and the CLI agree on the totals');
    assert.equal(total.title, total.params.toLocaleString('en-US'));
    // Blocks are collapsible: their layers show once expanded.
    assert.equal(await page.isVisible('tr[data-layer="b3.0.conv3"]'), false);
    await page.click('tr[data-layer="b3.0"] .row-toggle');
    assert.equal(await page.isVisible('tr[data-layer="b3.0.conv3"]'), true);
    assert.match(await page.textContent('tr[data-layer="b3.0.conv3"]'), /shortcut/);
    await page.locator('#shapes-details').screenshot({ path: path.join(ARTIFACTS, 'layer-table.png') });

    // Identity demo on an identity block: zeroing the branch gives exactly the identity.
    await page.click('[data-block="b2.1"]');
    await page.click('#zero-branch');
    const branch = await identityResult(page, 'b2.1', 'branch');
    log(`b2.1 branch zeroed: max |out - in| = ${branch.diffText} (as trained ${branch.none}); ${since()}`);
    assert.equal(branch.state, 'done', branch.message);
    assert.equal(Number(branch.diff), 0);
    assert.equal(branch.diff, '0');
    assert.ok(Number(branch.none) > 0, 'the trained block is not the identity');
    assert.equal(branch.maps, 3 * 4, 'input, as trained and zeroed maps for 4 channels');
    // Zeroing conv2 only is not the identity: BN2 maps 0 to beta - gamma * mean / sqrt(var + eps).
    await page.click('#zero-conv2');
    const conv2 = await identityResult(page, 'b2.1', 'conv2');
    log(`b2.1 conv2 zeroed: max |out - in| = ${conv2.diffText}`);
    assert.equal(conv2.state, 'done', conv2.message);
    assert.ok(Number(conv2.diff) > 0, `conv2 only should not give the identity (got ${conv2.diff})`);
    assert.match(conv2.explain, /BatchNorm/);
    await page.click('#zero-branch');
    await identityResult(page, 'b2.1', 'branch');
    // A projection block: no identity, and the page says why.
    await page.click('[data-block="b3.0"]');
    const projection = await identityResult(page, 'b3.0', 'branch');
    assert.equal(projection.diff, '');
    assert.match(projection.explain, /No setting of the residual branch gives the identity/);
    await page.click('[data-block="b2.1"]');
    await identityResult(page, 'b2.1', 'branch');
    // The table of every block.
    await page.waitForFunction(() => document.querySelectorAll('#identity-checks tbody tr[data-block]').length === 8, null, { timeout: MINUTE });
    const checks = await page.$$eval('#identity-checks tbody tr', (rows) => rows.map((r) => [r.dataset.block, r.cells[2].dataset.value, r.cells[3].dataset.value]));
    for (const [label, zeroBranch, zeroConv2] of checks) {
      if (['b3.0', 'b4.0', 'b5.0'].includes(label)) {
        assert.deepEqual([zeroBranch, zeroConv2], ['', ''], `${label} has a projection shortcut`);
      } else {
        assert.equal(zeroBranch, '0', `${label}: zeroing the branch gives the identity`);
        assert.ok(Number(zeroConv2) > 0, `${label}: zeroing conv2 does not`);
      }
    }
    await page.locator('.identity').screenshot({ path: path.join(ARTIFACTS, 'identity-demo.png') });

    // Predictions: gallery and confusion matrix of the pretrained network on 64 test images.
    await page.waitForFunction(() => document.getElementById('pred-summary').dataset.state === 'done', null, { timeout: MINUTE });
    const preds = await page.evaluate(() => ({
      items: document.querySelectorAll('#gallery .gallery-item').length,
      wrong: document.querySelectorAll('#gallery .gallery-item.wrong').length,
      mismatched: [...document.querySelectorAll('#gallery .gallery-item')].filter((i) => i.dataset.predicted !== i.dataset.label).length,
      rows: document.querySelectorAll('#confusion tbody tr').length,
      cells: document.querySelectorAll('#confusion tbody td[data-count]').length,
      counted: [...document.querySelectorAll('#confusion tbody td[data-count]')].reduce((a, td) => a + Number(td.dataset.count), 0),
      perClass: document.querySelectorAll('#confusion tbody td.acc').length,
      accuracy: Number(document.getElementById('pred-summary').dataset.accuracy),
      headers: [...document.querySelectorAll('#confusion thead th.col-name')].map((th) => th.textContent),
    }));
    log(`predictions: accuracy ${preds.accuracy} on ${preds.counted} images, ${preds.wrong} of ${preds.items} gallery images wrong`);
    assert.equal(preds.items, 24);
    assert.equal(preds.wrong, preds.mismatched);
    assert.equal(preds.rows, 10);
    assert.equal(preds.cells, 100);
    assert.equal(preds.counted, 64);
    assert.equal(preds.perClass, 10);
    assert.deepEqual(preds.headers, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    assert.ok(preds.accuracy > 0.7, 'the pretrained network is accurate');
    await page.locator('.predictions').screenshot({ path: path.join(ARTIFACTS, 'predictions.png') });

    // Nested function classes: an identity block changes nothing, a plain one breaks everything.
    await page.selectOption('#insert-stage', '1');
    await page.click('#insert-identity');
    await page.waitForFunction(() => document.getElementById('insertion-result').dataset.state !== 'loading' && document.getElementById('insertion-result').dataset.state !== 'idle', null, { timeout: 2 * MINUTE });
    const identity = await page.evaluate(() => ({
      state: document.getElementById('insertion-result').dataset.state,
      before: Number(document.getElementById('acc-before').dataset.value),
      after: Number(document.getElementById('acc-after').dataset.value),
      changed: Number(document.getElementById('changed').dataset.value),
      message: document.getElementById('nested-message').textContent,
    }));
    log(`identity block inserted in b3: accuracy ${identity.before} -> ${identity.after}, ${identity.changed} predictions changed; ${since()}`);
    assert.equal(identity.state, 'done', identity.message);
    assert.equal(identity.after, identity.before);
    assert.equal(identity.changed, 0);
    assert.ok(Math.abs(identity.before - preds.accuracy) < 1e-9, 'the same 64 test images as the predictions');
    await page.waitForFunction(() => document.querySelectorAll('#diagram .block-node').length === 9, null, { timeout: 10_000 });
    assert.equal(await page.locator('#diagram .block-node.inserted-identity[data-block="b3.2"]').count(), 1);
    assert.equal(await page.locator('#diagram .block-node[data-block="b3.2"] .identity-edge').count(), 1);
    assert.equal(await page.locator('#shapes-table tr.inserted-identity[data-layer="b3.2"]').count(), 1);
    await page.locator('.nested').screenshot({ path: path.join(ARTIFACTS, 'insertion.png') });

    await waitForDemos(page);
    await page.click('#insert-plain');
    await page.waitForFunction(() => document.getElementById('insertion-result').dataset.insertion === 'plain' && document.getElementById('insertion-result').dataset.state !== 'loading', null, { timeout: 2 * MINUTE });
    const plain = await page.evaluate(() => ({
      before: Number(document.getElementById('acc-before').dataset.value),
      after: Number(document.getElementById('acc-after').dataset.value),
      changed: Number(document.getElementById('changed').dataset.value),
    }));
    log(`plain block inserted in b3: accuracy ${plain.before} -> ${plain.after}, ${plain.changed} predictions changed`);
    assert.ok(plain.after <= 0.3, `a zeroed plain block leaves chance accuracy (got ${plain.after})`);
    assert.ok(plain.changed > 0);
    await page.waitForFunction(() => document.querySelectorAll('#diagram .block-node').length === 10, null, { timeout: 10_000 });
    const plainNode = page.locator('#diagram .block-node.is-plain');
    assert.equal(await plainNode.count(), 1);
    assert.equal(await plainNode.getAttribute('data-block'), 'b3.3');
    assert.equal(await plainNode.locator('.identity-edge, .projection-edge').count(), 0, 'a plain block has no skip arrow');
    await page.locator('#diagram').screenshot({ path: path.join(ARTIFACTS, 'insertion-diagram.png') });

    await waitForDemos(page);
    await page.click('#restore');
    await page.waitForFunction(() => document.querySelectorAll('#diagram .block-node').length === 8, null, { timeout: MINUTE });
    assert.equal(await page.locator('#diagram .block-node.inserted').count(), 0);

    // Weights: download the network in memory, refuse a bad file, load the downloaded one.
    await waitForDemos(page);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: MINUTE }), page.click('#download-weights')]);
    assert.equal(download.suggestedFilename(), 'resnet-explorer-fast.rnxw');
    const file = await download.path();
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RNXW');
    assert.ok(bytes.length > 1e6, `the weights file has ${bytes.length} bytes`);
    await page.setInputFiles('#upload-weights', { name: 'not-weights.rnxw', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, not a weights file') });
    await page.waitForFunction(() => /could not be loaded/.test(document.getElementById('weights-message').textContent), null, { timeout: MINUTE });
    const refused = await page.textContent('#weights-message');
    log(`bad upload: ${refused}`);
    assert.match(refused, /not-weights\.rnxw could not be loaded: .*weights file/);
    assert.equal(await page.getAttribute('#weights-source', 'data-source'), 'shipped', 'a bad file leaves the network as it was');
    await page.setInputFiles('#upload-weights', file);
    await page.waitForFunction(() => document.getElementById('weights-source').dataset.source === 'uploaded', null, { timeout: MINUTE });
    await waitForDemos(page);
    assert.equal(await page.locator('#diagram .block-node').count(), 8);

    // d2l's ResNet-18 at 96 px: the preview's totals are the command line's too.
    await page.selectOption('#preset', 'd2l96');
    await page.waitForFunction(() => document.getElementById('diagram').dataset.view === 'preview', null, { timeout: 10_000 });
    const d2l = await page.evaluate(() => {
      const tr = document.getElementById('shapes-total');
      return { params: Number(tr.dataset.params), macs: Number(tr.dataset.macs) };
    });
    log(`d2l96 preview totals: ${d2l.params} params, ${d2l.macs} MACs`);
    assert.deepEqual(d2l, { params: 11178378, macs: 318657536 });
    const cli96 = cliTotals(['--model', 'resnet18', '--input', '96']);
    assert.deepEqual(d2l, cli96);
    log(`explorer test done after ${since()}`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('a batch too big for the GPU is refused before anything is allocated, naming the limit', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('batch-limit', WEBGPU_ARGS, async (page, log) => {
    // d2l's ResNet-18 at 96px: b1's output is 589,824 bytes an image, so 4096 images need 2.25 GiB
    // in one buffer; SwiftShader allows 1 GiB.
    await openPage(page, { preset: 'd2l96', epochs: '1', batch: '4096', lr: '0.05', train: '4096', test: '32', ...ON_WEBGPU });
    await page.click('#start');
    await page.waitForFunction(() => !document.getElementById('error-box').hidden, null, { timeout: 5 * MINUTE });
    const message = await page.textContent('#error-message');
    log(`refused: ${message}`);
    assert.match(message, /per-buffer limit of 1024 MiB/);
    assert.match(message, /largest batch that fits is 1820/);
    const s = await pageState(page);
    assert.equal(s.batch, 0, 'no batch was trained');
    await page.screenshot({ path: path.join(ARTIFACTS, 'batch-too-big.png') });
  });
});

test('a diverging learning rate stops the run, marks the chart and suggests a lower rate (CPU)', { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('diverge', [], async (page, log) => {
    // lr 10 on the tiny preset: the running loss reaches ~16 at the first report (guessing: 2.3).
    await openPage(page, { ...TINY, lr: '10', backend: 'cpu' });
    await page.click('#start');
    await page.waitForFunction(() => !document.getElementById('error-box').hidden, null, { timeout: 3 * MINUTE });
    const message = await page.textContent('#error-message');
    log(`message: ${message}`);
    assert.match(message, /diverged at epoch 0\.2/);
    assert.match(message, /lower learning rate/);
    // It learnt nothing before its first report: the network before the run stays, and is said to.
    assert.match(message, /The run stopped before it learnt anything: the network in memory before it is kept unchanged/);
    const marked = await page.evaluate(() => document.getElementById('chart').dataset.diverged);
    assert.equal(marked, '0.2', 'the chart marks where the run stopped');
    const s = await pageState(page);
    assert.equal(s.batch, 2, 'training stopped at the first report (2 of 10 batches)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'diverged.png') });
  });
});

test('a reload during training brings back the last checkpoint and its chart (CPU)', { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('reload', [], async (page, log) => {
    // 2 epochs of 100 batches (seconds each on the CPU); the worker keeps a checkpoint at the end
    // of epoch 1, and the page reloads during epoch 2.
    await openPage(page, { ...TINY, epochs: '2', train: '1600', backend: 'cpu' });
    await page.click('#start');
    await waitForRun(page, 'epoch 1 to end', (s) => s.points >= TINY_POINTS, 3 * MINUTE);
    await page.waitForFunction(() => document.getElementById('saved-networks').dataset.count === '1', null, { timeout: MINUTE }); // the checkpoint is kept
    const before = await pageState(page);
    log(`reloading at batch ${before.batch} of 200 (${before.state})`);
    assert.ok(before.batch < 200, 'the reload happens during epoch 2');
    await page.reload();
    await waitForDemos(page);
    await page.waitForFunction((n) => Number(document.getElementById('chart').dataset.points) >= n, TINY_POINTS, { timeout: MINUTE });
    const source = await page.textContent('#weights-source');
    log(`after reload: ${source}`);
    assert.match(source, /checkpoint/);
    assert.match(await page.textContent('#log'), /restored the chart of the saved run \(1 epochs\)/);
    assert.equal(Number(await page.getAttribute('#chart', 'data-points')), TINY_POINTS, 'the chart of epoch 1 is back');

    // The unfinished run is offered for resuming; it goes on with epoch 2 and the chart grows on.
    assert.match(await page.textContent('#resume-message'), /1 of 2 epochs done/);
    await page.click('#resume-run');
    const done = await waitForRun(page, 'the resumed run to finish', (s) => s.state === 'finished', 3 * MINUTE);
    log(`resumed: ${done.status}; chart points ${done.points}`);
    assert.equal(done.points, 2 * TINY_POINTS, 'epoch 1 from the checkpoint, epoch 2 from the resumed run');
    assert.match(done.status, /after 2 epochs/);
    assert.equal(done.batch, 100, 'the resumed run trains only the remaining epoch');
    assert.equal(await page.isVisible('#resume-box'), false);
  });
});

test('a lost GPU device is reported and the run resumes from its checkpoint in a fresh worker', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('device-lost', WEBGPU_ARGS, async (page, log) => {
    // Destroy the device burn creates (a real loss, as a driver reset or a GPU process crash
    // gives: reason "destroyed" here, "unknown" there) at a fixed point of the run: as epoch 1's
    // checkpoint is written to IndexedDB. The run loop awaits that write before it queues any
    // step of epoch 2, so the loss always lands after the checkpoint of epoch 1 and before
    // epoch 2 can end (destroying it from the test instead raced the training).
    await injectIntoWorker(
      page,
      `const requestDeviceForTest = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (...args) {
  const device = await requestDeviceForTest.apply(this, args);
  self.deviceForTest = device;
  return device;
};
const putForTest = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  const request = putForTest.apply(this, args);
  if (this.name === 'saved' && self.deviceForTest && !self.deviceDestroyedForTest) {
    self.deviceDestroyedForTest = true;
    self.deviceForTest.destroy();
  }
  return request;
};`,
    );
    await openPage(page, { ...TINY, epochs: '2', ...ON_WEBGPU });
    await page.click('#start');
    await page.waitForFunction(() => !document.getElementById('error-box').hidden, null, { timeout: 10 * MINUTE });
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'wgpu');
    await page.waitForFunction(() => document.getElementById('saved-networks').dataset.count === '1', null, { timeout: MINUTE }); // the checkpoint is kept
    const message = await page.textContent('#error-message');
    log(`message: ${message}`);
    assert.match(message, /GPU device was lost \(destroyed/);
    assert.match(message, /checkpoint of epoch 1 is saved/);
    assert.equal((await pageState(page)).state, 'failed');
    assert.match(await page.textContent('#resume-message'), /1 of 2 epochs done/);

    // Resume, this time on the CPU (a user whose GPU keeps failing): a fresh worker loads the
    // checkpoint and trains the remaining epoch.
    await page.selectOption('#backend-choice', 'cpu');
    await page.click('#resume-run');
    const done = await waitForRun(page, 'the resumed run to finish', (s) => s.state === 'finished', 5 * MINUTE);
    log(`resumed on ${await page.getAttribute('#backend', 'data-backend')}: ${done.status}; ${done.points} chart points`);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'cpu');
    assert.equal(done.points, 2 * TINY_POINTS);
    assert.match(done.status, /after 2 epochs/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'device-lost-resumed.png'), fullPage: true });
  });
});

test('an adapter that refuses the requested limits falls back to the CPU and says why', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('limits-refused', WEBGPU_ARGS, async (page, log, errors) => {
    // What requestDevice does when a driver cannot give the limits asked for.
    await injectIntoWorker(
      page,
      `GPUAdapter.prototype.requestDevice = () =>
  Promise.reject(new DOMException('Required limit (maxBufferSize) is greater than the supported limit.', 'OperationError'));`,
    );
    await openPage(page, { ...TINY, ...ON_WEBGPU });
    await page.click('#start');
    const done = await waitForRun(page, 'the run to finish on the CPU', (s) => s.state === 'finished', 5 * MINUTE);
    const reason = await page.textContent('#cpu-reason');
    log(`fell back: ${reason}; ${done.status}`);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'cpu');
    assert.equal(await page.isVisible('#cpu-banner'), true);
    assert.match(reason, /WebGPU initialisation failed/);
    assert.match(reason, /greater than the supported limit/);
    assert.equal(done.points, TINY_POINTS);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('pause, resume, stop and restart in any order never wedge the worker (CPU)', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('stress', [], async (page, log, errors) => {
    await openPage(page, { ...TINY, train: '1600', backend: 'cpu' });
    // A seeded random storm of clicks, some while loading, some while paused or stopping.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const buttons = ['#start', '#pause', '#pause', '#stop'];
    const clicks = [];
    for (let i = 0; i < 40; i++) {
      const button = buttons[Math.floor(random() * buttons.length)];
      // Checked and clicked in one go: the state can change between two Playwright calls.
      const clicked = await page.evaluate((selector) => {
        const b = document.querySelector(selector);
        if (b.disabled) return false;
        b.click();
        return true;
      }, button);
      if (clicked) clicks.push(button.slice(1));
      await new Promise((r) => setTimeout(r, random() * 300));
    }
    log(`clicked: ${clicks.join(' ')}`);
    // Whatever state it is in, the page settles and a new run trains to the end.
    const settled = await waitForRun(page, 'a settled state', (s) => ['running', 'paused', 'stopped', 'finished', 'idle'].includes(s.state), MINUTE);
    log(`after the storm: ${settled.state}: ${settled.status}`);
    if (settled.state === 'paused') await page.click('#pause');
    await page.click('#start');
    await waitForRun(page, 'the new run to start', (s) => s.state === 'running' && s.batch > 0, 2 * MINUTE);
    const done = await waitForRun(page, 'the last run to finish', (s) => s.state === 'finished', 5 * MINUTE);
    assert.equal(done.points, TINY_POINTS);
    assert.equal(done.batch, 100);
    assert.ok(clicks.length >= 20, `only ${clicks.length} clicks landed`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

/** A gzipped IDX file (big-endian header, then the bytes), as the MNIST files come. */
function idxFile(magic, dims, payload) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, Buffer.from(payload)]));
}

test('the user can train on their own 28x28 IDX files; other sizes are refused with a message (CPU)', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('own-data', [], async (page, log, errors) => {
    await openPage(page, { ...TINY, backend: 'cpu' });
    await waitForDemos(page);
    // 600 "digits": a bright bar whose row says the label, so a network can learn it.
    const n = 600;
    const labels = Array.from({ length: n }, (_, i) => i % 10);
    const pixels = new Uint8Array(n * 784);
    labels.forEach((label, i) => pixels.fill(255, i * 784 + (2 + 2 * label) * 28 + 4, i * 784 + (2 + 2 * label) * 28 + 24));
    const pair = [
      { name: 'digits-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: idxFile(0x803, [n, 28, 28], pixels) },
      { name: 'digits-labels-idx1-ubyte.gz', mimeType: 'application/gzip', buffer: idxFile(0x801, [n], labels) },
    ];

    // 32x32 images (CIFAR-sized) are refused, naming the file; the data in use stays.
    const wrong = [{ ...pair[0], name: 'cifar-images.gz', buffer: idxFile(0x803, [4, 32, 32], new Uint8Array(4 * 1024)) }, pair[1]];
    await page.setInputFiles('#data-files', wrong);
    await page.waitForFunction(() => /cannot be used/.test(document.getElementById('data-message').textContent), null, { timeout: MINUTE });
    const refused = await page.textContent('#data-message');
    log(`refused: ${refused}`);
    assert.match(refused, /cifar-images\.gz/);
    assert.match(refused, /32x32/);
    assert.match(await page.textContent('#dataset-source'), /Fashion-MNIST/);

    await page.setInputFiles('#data-files', pair);
    await page.waitForFunction(() => /Your data/.test(document.getElementById('dataset-source').textContent), null, { timeout: MINUTE });
    const source = await page.textContent('#dataset-source');
    log(`accepted: ${source}`);
    assert.match(source, /500 training and 100 test images/);
    await page.click('#start');
    const done = await waitForRun(page, 'the run on the user data', (s) => s.state === 'finished', 5 * MINUTE);
    log(`trained: ${done.status}`);
    assert.equal(done.points, TINY_POINTS);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

/** The top-level lines of `resnet-explorer shapes` (d2l's printout): [kind, "CxHxW"]. */
function cliTopShapes(args) {
  requireCli();
  const out = spawnSync(CLI, ['shapes', ...args], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(out.status, 0, `${CLI} shapes ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout
    .split('\n')
    .map((line) => line.match(/^(\w+) output shape: \[1, ([\d, ]+)\]$/))
    .filter(Boolean)
    .map((m) => [m[1], m[2].split(', ').join('x')]);
}

test('chapter 7 models: the picker redraws the diagram and the table of each; LeNet-BN trains and joins the comparison (CPU)', { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('zoo', [], async (page, log, errors) => {
    const t0 = Date.now();
    const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    await openPage(page, { preset: 'fast', test: '32', backend: 'cpu' });
    await waitForDemos(page);

    /** The layer table's top-level rows, its totals, the input size and the hash. */
    const shown = () =>
      page.evaluate(() => {
        const total = document.getElementById('shapes-total');
        return {
          model: document.getElementById('diagram').dataset.model,
          view: document.getElementById('diagram').dataset.view,
          input: document.getElementById('input-size').value,
          hash: location.hash,
          top: [...document.querySelectorAll('#shapes-table tbody tr.level-0')].map((tr) => [
            tr.dataset.layer,
            tr.children[1].textContent,
            tr.children[2].textContent.replace(/[()]/g, '').split(', ').slice(1).join('x'),
          ]),
          totals: { params: Number(total.dataset.params), macs: Number(total.dataset.macs) },
          units: [...document.querySelectorAll('#diagram .zoo-unit')].flatMap((g) => g.dataset.layers.split(' ')),
        };
      });
    const pick = async (name) => {
      await page.selectOption('#preset', name);
      await page.waitForFunction((n) => document.getElementById('diagram').dataset.model === n, name, { timeout: 10_000 });
      return shown();
    };
    // The seed's printouts (seed 004): AlexNet and VGG-11 without their ReLU and dropout lines.
    const SEED = {
      alexnet: ['96x54x54', '96x26x26', '256x26x26', '256x12x12', '384x12x12', '384x12x12', '256x12x12', '256x5x5', '6400', '4096', '4096', '10'],
      vgg11: ['64x112x112', '128x56x56', '256x28x28', '512x14x14', '512x7x7', '25088', '4096', '4096', '10'],
      nin: ['96x54x54', '96x26x26', '256x26x26', '256x12x12', '384x12x12', '384x5x5', '384x5x5', '10x5x5', '10x1x1', '10'],
      googlenet: ['64x24x24', '192x12x12', '480x6x6', '832x3x3', '1024', '10'],
    };
    const SEED_SIZE = { 'lenet-bn': '28', 'lenet-bn-scratch': '28', alexnet: '224', vgg11: '224', 'vgg11-small': '224', nin: '224', googlenet: '96' };
    for (const name of ['lenet-bn', 'lenet-bn-scratch', 'alexnet', 'vgg11', 'vgg11-small', 'nin', 'googlenet']) {
      const s = await pick(name);
      log(`${name}: ${s.top.length} top-level rows, ${s.totals.params} params, ${s.totals.macs} MACs`);
      assert.equal(s.view, 'preview');
      assert.equal(s.input, SEED_SIZE[name], `${name} starts at the seed's input size`);
      assert.match(s.hash, new RegExp(`preset=${name}&input=${SEED_SIZE[name]}&`));
      if (SEED[name]) {
        const drop = name === 'nin' || name === 'googlenet' ? [] : ['ReLU', 'Dropout'];
        assert.deepEqual(s.top.filter(([, kind]) => !drop.includes(kind)).map(([, , shape]) => shape), SEED[name], `${name}: the seed's shapes`);
      }
      const cliTop = cliTopShapes(['--model', name]);
      assert.deepEqual(s.top.map(([, kind, shape]) => [kind, shape]), cliTop, `${name}: the table's top-level rows are the command line's`);
      const cli = cliTotals(['--model', name]);
      assert.deepEqual(s.totals, cli, `${name}: the page and the CLI agree on the totals`);
      // Every top-level layer is drawn (a GoogLeNet stage through the blocks inside it).
      for (const [label] of s.top) assert.ok(s.units.some((u) => u === label || u.startsWith(label + '.')), `${name}: layer ${label} is in the diagram`);
      assert.equal(await page.locator('#diagram .block-node').count(), 0, 'no residual blocks drawn');
      assert.equal(await page.isVisible('#zoo-legend'), true);
      assert.equal(await page.isVisible('#resnet-legend'), false);
    }
    // GoogLeNet (shown last): 9 Inception blocks, each with its four paths and a concat.
    const inceptions = await page.$$eval('#diagram .inception', (gs) =>
      gs.map((g) => ({
        block: g.dataset.layer,
        paths: [...g.querySelectorAll('.inception-path')].map((p) => p.dataset.path),
        concat: g.querySelectorAll('.concat-node').length,
        p2: [...g.querySelectorAll('.inception-path[data-path="p2"] .path-text')].map((t) => t.textContent),
      })),
    );
    assert.deepEqual(
      inceptions.map((i) => i.block),
      ['b3.0', 'b3.1', 'b4.0', 'b4.1', 'b4.2', 'b4.3', 'b4.4', 'b5.0', 'b5.1'],
    );
    for (const i of inceptions) {
      assert.deepEqual(i.paths, ['p1', 'p2', 'p3', 'p4'], `${i.block} shows four parallel paths`);
      assert.equal(i.concat, 1);
      assert.deepEqual(i.p2, ['conv 1×1', 'conv 3×3']);
    }
    // The layer table goes down to the paths' layers (level 3), collapsed until asked.
    assert.equal(await page.isVisible('tr[data-layer="b3.0.p2.2"]'), false);
    await page.click('tr[data-layer="b3.0"] .row-toggle');
    await page.click('tr[data-layer="b3.0.p2"] .row-toggle');
    assert.equal(await page.getAttribute('tr[data-layer="b3.0.p2.2"]', 'class'), 'level-3');
    assert.match(await page.textContent('tr[data-layer="b3.0.p2.2"]'), /Conv2d\(1, 128, 12, 12\)/);
    await page.locator('#diagram').screenshot({ path: path.join(ARTIFACTS, 'zoo-googlenet.png') });

    // NiN: four grouped blocks of a conv and two 1x1 convs. AlexNet: its first conv read from its parameters.
    await pick('nin');
    const nin = await page.$$eval('#diagram .zoo-group', (gs) => gs.map((g) => [...g.querySelectorAll('.zoo-inner')].map((b) => [b.dataset.kind, b.textContent])));
    assert.equal(nin.length, 4);
    for (const block of nin) {
      assert.deepEqual(block.map(([kind]) => kind), ['Conv2d', 'Conv2d', 'Conv2d']);
      assert.deepEqual(block.slice(1).map(([, t]) => t), ['conv 1×1 · ReLU', 'conv 1×1 · ReLU']);
    }
    assert.equal(nin[0][0][1], 'conv 11×11, stride 4 · ReLU');
    // A smaller input: AlexNet at 96 (hash and totals follow); one too small is refused, naming the layer.
    await pick('alexnet');
    await page.fill('#input-size', '96');
    await page.waitForFunction(() => location.hash.includes('preset=alexnet&input=96&') && document.getElementById('shapes-total').dataset.macs !== '', null, { timeout: 10_000 });
    const at96 = await shown();
    assert.deepEqual(at96.top.at(-1), ['20', 'Linear', '10']);
    const cli96 = cliTotals(['--model', 'alexnet', '--input', '96']);
    assert.deepEqual(at96.totals, cli96);
    assert.match(await page.textContent('#input-size-note'), /At 96 px: .* MACs an image/);
    await page.fill('#input-size', '16');
    await page.waitForFunction(() => document.getElementById('input-size').getAttribute('aria-invalid') === 'true', null, { timeout: 10_000 });
    assert.match(await page.textContent('#network-note-text'), /too small/);
    // A shared link opens on the model it names, at its size, even once the first network has loaded.
    await page.goto(new URL('index.html#preset=googlenet&input=64&test=32&backend=cpu', baseUrl).href);
    await page.reload();
    await waitForDemos(page);
    const linked = await shown();
    assert.equal(linked.model, 'googlenet');
    assert.equal(linked.view, 'preview');
    assert.equal(linked.input, '64');
    const cli64 = cliTotals(['--model', 'googlenet', '--input', '64']);
    assert.deepEqual(linked.totals, cli64);
    log(`pickers checked after ${since()}`);

    // Train LeNet-BN: 160 images in batches of 16, lr 0.9, 32 test images.
    await page.selectOption('#preset', 'lenet-bn');
    for (const [id, value] of [['#epochs', '1'], ['#batch', '16'], ['#lr', '0.9'], ['#train-limit', '160'], ['#test-limit', '32']]) await page.fill(id, value);
    await page.click('#start');
    const done = await waitForRun(page, 'LeNet-BN to finish', (s) => s.state === 'finished', 3 * MINUTE);
    log(`LeNet-BN: ${done.status}; ${done.points} chart points; ${since()}`);
    assert.equal(done.points, TINY_POINTS);
    assert.equal(done.batch, 10);
    assert.match(await page.textContent('#chart-caption'), /a new LeNet with BatchNorm at 28×28 network/);
    await waitForDemos(page);
    assert.equal(await page.getAttribute('#diagram', 'data-view'), 'memory');
    assert.equal(await page.getAttribute('#diagram', 'data-model'), 'lenet-bn');
    assert.equal(await page.getAttribute('#weights-source', 'data-source'), 'trained');

    // The comparison table: the run's accuracy for lenet-bn, nothing yet for the others.
    const measuredOf = (name) => page.getAttribute(`#zoo-table tr[data-model="${name}"] td.measured`, 'data-accuracy');
    const accuracy = Number(await measuredOf('lenet-bn'));
    const statAcc = Number((await page.textContent('#stat-test-acc')).replace(' %', ''));
    log(`measured here: ${accuracy} (${await page.textContent('#zoo-table tr[data-model="lenet-bn"] .run-detail')})`);
    assert.ok(accuracy > 0 && Math.abs(accuracy * 100 - statAcc) < 0.051, `the table shows the run's test accuracy (${accuracy} vs ${statAcc} %)`);
    assert.match(await page.textContent('#zoo-table tr[data-model="lenet-bn"] .run-detail'), /^1 epoch · 160 training \/ 32 test images · 28 px · batch 16, lr 0\.9 · CPU/);
    assert.match(await page.textContent('#zoo-table tr[data-model="googlenet"] td.measured'), /not trained here yet/);
    assert.equal(await measuredOf('fast'), '');
    const table = await page.$$eval('#zoo-table tbody tr', (rows) => rows.map((r) => r.dataset.model));
    assert.deepEqual(table, ['lenet-bn', 'lenet-bn-scratch', 'alexnet', 'vgg11', 'vgg11-small', 'nin', 'googlenet', 'fast', 'd2l96', 'tiny']);
    const d2lRow = await page.$$eval('#zoo-table tr[data-model="d2l96"] td.num', (tds) => tds.map((td) => td.dataset.value));
    assert.deepEqual(d2lRow, ['96', '11178378', '318657536', '0.915']);
    await page.locator('#zoo').screenshot({ path: path.join(ARTIFACTS, 'zoo-comparison.png') });

    // The identity and insertion demos need residual blocks: off, saying why. Predictions work.
    for (const id of ['#zero-branch', '#zero-conv2', '#insert-identity', '#insert-plain']) assert.equal(await page.isDisabled(id), true, `${id} is disabled`);
    assert.equal(await page.isVisible('#identity-zoo'), true);
    assert.match(await page.textContent('#identity-zoo'), /LeNet with BatchNorm at 28×28, has no residual blocks/);
    assert.match(await page.textContent('#nested-zoo'), /no residual stages/);
    await page.waitForFunction(() => document.getElementById('pred-summary').dataset.state === 'done', null, { timeout: MINUTE });
    assert.equal(await page.locator('#gallery .gallery-item').count(), 24);
    assert.equal(await page.locator('#confusion tbody td[data-count]').count(), 100);

    // Weights of a zoo network download and upload like a ResNet's.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: MINUTE }), page.click('#download-weights')]);
    assert.equal(download.suggestedFilename(), 'resnet-explorer-lenet-bn.rnxw');
    await page.setInputFiles('#upload-weights', await download.path());
    await page.waitForFunction(() => document.getElementById('weights-source').dataset.source === 'uploaded', null, { timeout: MINUTE });
    await waitForDemos(page);
    assert.equal(await page.getAttribute('#diagram', 'data-model'), 'lenet-bn');
    // One click brings back a ResNet for the demos.
    await page.click('#load-resnet');
    await page.waitForFunction(() => document.querySelectorAll('#diagram .block-node').length === 8, null, { timeout: MINUTE });
    await waitForDemos(page);
    assert.equal(await page.isVisible('#identity-zoo'), false);
    assert.equal(await page.isDisabled('#insert-identity'), false);

    // The measured accuracy is kept in this browser.
    await page.reload();
    await waitForDemos(page);
    assert.equal(Number(await measuredOf('lenet-bn')), accuracy);
    log(`zoo test done after ${since()}`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});
