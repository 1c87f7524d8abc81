// Networks that travel to and from PyTorch (issue 26): the page downloads the network in memory
// as .safetensors in the seed's layout, tensor for tensor what the command line's `convert`
// writes; a network made by PyTorch (the committed fixture, tests/fixtures/torch/) uploads, its
// predictions are PyTorch's and the identity demo runs on it; a damaged file is refused with
// the tensor at fault and nothing in memory changes. CPU backend.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { MINUTE, openPage, requirePkg, startSite, withPage } from './browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = path.join(ROOT, 'tests/fixtures/torch/tiny.safetensors');
const LOGITS = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/torch/tiny-logits.json'), 'utf8')).logits;
const CLI =
  process.env.RESNET_EXPLORER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(process.env.HOME ?? os.homedir(), '.cache/resnet-explorer/target'), 'release/resnet-explorer');

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** A safetensors file's tensors: name -> {dtype, shape, bytes}; the metadata aside. */
function tensors(bytes) {
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  const data = bytes.subarray(8 + length);
  const out = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    out.set(name, { dtype: t.dtype, shape: t.shape, bytes: data.subarray(t.data_offsets[0], t.data_offsets[1]) });
  }
  return out;
}

/** The `convert` of the command line (built by `cargo test --release` before these tests). */
function convertWithCli(from) {
  assert.ok(existsSync(CLI), `${CLI} is missing: build it with \`cargo build --release\` (scripts/test.sh does) or set RESNET_EXPLORER_BIN`);
  const to = path.join(mkdtempSync(path.join(os.tmpdir(), 'torch-')), 'out.safetensors');
  const run = spawnSync(CLI, ['convert', from, to], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `convert failed: ${run.stderr}`);
  return readFileSync(to);
}

const demosDone = () => window.resnetExplorer?.demosReady && document.getElementById('pred-summary').dataset.state === 'done';
const shown = (page) =>
  page.evaluate(() => ({
    source: document.getElementById('weights-source').dataset.source,
    text: document.getElementById('weights-source').textContent,
    message: document.getElementById('weights-message').textContent,
    predicted: [...document.querySelectorAll('#gallery .gallery-item')].slice(0, 8).map((e) => Number(e.dataset.predicted)),
  }));

test('safetensors in the seed PyTorch layout: download, upload a PyTorch network, refuse a damaged one', { timeout: 6 * MINUTE }, async () => {
  requirePkg();
  await withPage('torch', [], async (page, log, errors) => {
    await openPage(page, site.url, { backend: 'cpu', test: '200' });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });

    // The shipped network for PyTorch: the command line's export of the same file, tensor for tensor.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: MINUTE }), page.click('#download-torch')]);
    assert.equal(download.suggestedFilename(), 'resnet-explorer-fast.safetensors');
    const ours = tensors(readFileSync(await download.path()));
    const cli = tensors(convertWithCli(path.join(ROOT, 'www/weights/fast.rnxw')));
    assert.deepEqual([...ours.keys()], [...cli.keys()]);
    for (const [name, t] of cli) {
      assert.deepEqual(ours.get(name).shape, t.shape, name);
      assert.ok(ours.get(name).bytes.equals(t.bytes), `${name}: the page's bytes are the command line's`);
    }
    assert.deepEqual(ours.get('7.weight').shape, [10, 128], "the seed's nn.Linear(128, 10) at the fast preset's widths");
    assert.equal(ours.get('1.0.bn1.num_batches_tracked').dtype, 'I64');
    log(`downloaded ${ours.size} tensors, equal to the command line's`);

    // A network made by PyTorch: its predictions are PyTorch's, the identity demo runs on it.
    await page.setInputFiles('#upload-weights', FIXTURE);
    await page.waitForFunction(() => document.getElementById('weights-source').dataset.source === 'uploaded', null, { timeout: MINUTE });
    await page.waitForFunction(demosDone, null, { timeout: 2 * MINUTE });
    await page.waitForFunction(() => document.querySelectorAll('#diagram .block-node').length === 3, null, { timeout: 10_000 });
    const uploaded = await shown(page);
    log(`uploaded: ${uploaded.text}`);
    assert.match(uploaded.text, /tiny\.safetensors/);
    const torchClasses = LOGITS.map((l) => l.indexOf(Math.max(...l)));
    assert.deepEqual(uploaded.predicted, torchClasses, "the gallery's predictions are PyTorch's argmax");
    await page.click('[data-block="b2.0"]');
    await page.click('#zero-branch');
    await page.waitForFunction(() => {
      const r = document.getElementById('identity-result');
      return r.dataset.state === 'done' && r.dataset.block === 'b2.0' && r.dataset.mode === 'branch';
    }, null, { timeout: MINUTE });
    assert.equal(await page.getAttribute('#identity-diff', 'data-value'), '0', "the zeroed branch is the identity on PyTorch's network too");

    // Damaged: cut short. The message names what is wrong; the PyTorch network stays.
    const cut = readFileSync(FIXTURE).subarray(0, readFileSync(FIXTURE).length - 10);
    await page.setInputFiles('#upload-weights', { name: 'cut.safetensors', mimeType: 'application/octet-stream', buffer: cut });
    await page.waitForFunction(() => /could not be loaded/.test(document.getElementById('weights-message').textContent), null, { timeout: MINUTE });
    const refused = await shown(page);
    log(`damaged upload: ${refused.message}`);
    assert.match(refused.message, /cut\.safetensors could not be loaded: .*cut short: tensor `6\.(weight|bias)`/);
    assert.equal(refused.source, 'uploaded');
    assert.match(refused.text, /tiny\.safetensors/, 'the network in memory is still the PyTorch one');
    assert.deepEqual(errors, [], 'no console errors');
  });
});
