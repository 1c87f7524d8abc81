// Your own picture through the network (issue 26): a drawing is classified (probabilities as
// bars, the 28x28 input beside it), the maps after each stage and the identity check run on it;
// a PNG of a test image gets the gallery's prediction for that image; an inserted identity block
// changes none of the picture's probabilities; a file that is not a picture, an 8000 x 8000 one
// and an empty one are refused with a sentence, the picture before kept. CPU backend.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync, gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';

import { ARTIFACTS, MINUTE, openPage, requirePkg, startSite, withPage } from './browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const TEST_IMAGES = gunzipSync(readFileSync(path.join(ROOT, 'www/data/t10k-images-idx3-ubyte.gz')));

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** A greyscale PNG, `width` x `height`, pixel (x, y) = pixel(x, y). */
function png(width, height, pixel) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits, grey, deflate, no filter, no interlace
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = pixel(x, y);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Test image `i` of Fashion-MNIST as a 28x28 PNG. */
const testImagePng = (i) => png(28, 28, (x, y) => TEST_IMAGES[16 + i * 784 + y * 28 + x]);

const demosDone = () => window.resnetExplorer?.demosReady && document.getElementById('pred-summary').dataset.state === 'done';
const shown = (page) =>
  page.evaluate(() => ({
    message: document.getElementById('picture-message').textContent,
    error: document.getElementById('picture-message').classList.contains('error'),
    probabilities: [...document.querySelectorAll('#picture-bars li')].map((li) => Number(li.dataset.value)),
    predicted: [...document.querySelectorAll('#picture-bars li')].findIndex((li) => li.classList.contains('predicted')),
    input: [...document.getElementById('picture-input28').getContext('2d').getImageData(0, 0, 28, 28).data].filter((_, i) => i % 4 === 0),
  }));

/** Uploads `buffer` as `name` and waits for the page's answer (the message says each one once). */
async function upload(page, name, mimeType, buffer) {
  const said = await page.evaluate(() => document.getElementById('picture-message').dataset.said);
  await page.setInputFiles('#picture-file', { name, mimeType, buffer });
  await page.waitForFunction((n) => document.getElementById('picture-message').dataset.said !== n, said, { timeout: MINUTE });
  return shown(page);
}

test('your own picture: drawn and uploaded, through the network, bad files refused', { timeout: 8 * MINUTE }, async () => {
  requirePkg();
  await withPage('picture', [], async (page, log, errors) => {
    await openPage(page, site.url, { backend: 'cpu', test: '200' });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });

    // A shirt drawn with the mouse: a body and two sleeves.
    await page.locator('#picture').scrollIntoViewIfNeeded();
    const box = await page.locator('#picture-board').boundingBox();
    const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
    for (const stroke of [[[0.35, 0.25], [0.35, 0.85], [0.65, 0.85], [0.65, 0.25], [0.35, 0.25]], [[0.35, 0.3], [0.15, 0.5]], [[0.65, 0.3], [0.85, 0.5]]]) {
      await page.mouse.move(...at(...stroke[0]));
      await page.mouse.down();
      for (const p of stroke.slice(1)) await page.mouse.move(...at(...p), { steps: 8 });
      await page.mouse.up();
    }
    await page.waitForFunction(() => document.querySelectorAll('#picture-maps canvas.fmap').length > 0 && /Identity demo on your picture/.test(document.getElementById('picture-identity').textContent), null, { timeout: 2 * MINUTE });
    const drawn = await shown(page);
    log(drawn.message);
    assert.match(drawn.message, /^The network says: .+ \(\d+\.\d %\)\. Your picture was trimmed and scaled into 28×28\./);
    assert.equal(drawn.probabilities.length, 10);
    assert.ok(Math.abs(drawn.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'the probabilities sum to 1');
    assert.ok(drawn.input.some((v) => v > 200) && drawn.input.filter((v) => v === 0).length > 100, 'a light shape on black, 28x28');
    const identity = await page.textContent('#picture-identity');
    log(identity);
    assert.match(identity, /with b2\.0's residual branch zeroed, max \|out − in\| = 0 exactly/);
    const maps = await page.locator('#picture-maps canvas.fmap').count();
    assert.ok(maps >= 4 * 3, `the first 4 channels after each stage (${maps} maps)`);

    // An identity block inserted: the same probabilities, bit for bit.
    await page.click('#insert-identity');
    await page.waitForFunction(() => /identity block was just inserted/.test(document.getElementById('picture-message').textContent), null, { timeout: 2 * MINUTE });
    assert.match((await shown(page)).message, /not one probability changed, bit for bit/);
    // Restored: the picture goes through the original network again (an answer said once more).
    const said = await page.evaluate(() => document.getElementById('picture-message').dataset.said);
    await page.click('#restore');
    await page.waitForFunction((n) => document.getElementById('picture-message').dataset.said !== n, said, { timeout: 2 * MINUTE });
    await page.waitForFunction(demosDone, null, { timeout: 2 * MINUTE });
    assert.deepEqual((await shown(page)).probabilities, drawn.probabilities, 'the same answer as before the insertion');

    // PNGs of test images: the gallery's prediction for each.
    const gallery = await page.evaluate(() => [...document.querySelectorAll('#gallery .gallery-item')].slice(0, 4).map((e) => Number(e.dataset.predicted)));
    for (const [i, predicted] of gallery.entries()) {
      const result = await upload(page, `test-${i}.png`, 'image/png', testImagePng(i));
      assert.match(result.message, /taken as it is/);
      assert.equal(result.predicted, predicted, `test image ${i}: the gallery's prediction`);
      assert.deepEqual(result.input, [...TEST_IMAGES.subarray(16 + i * 784, 16 + (i + 1) * 784)], 'its pixels as they are');
    }
    await page.locator('#picture').screenshot({ path: path.join(ARTIFACTS, 'picture.png') });
    const kept = await shown(page);

    // Refused, each with a sentence; the picture before stays.
    const refusals = [
      ['notes.txt', 'text/plain', Buffer.from('not a picture'), /“notes\.txt” is not a picture this browser can read/],
      ['huge.png', 'image/png', png(8000, 8000, () => 0), /“huge\.png” is 8000 × 8000 pixels, more than this page reads/],
      ['blank.png', 'image/png', png(300, 200, () => 255), /The picture is empty/],
    ];
    for (const [name, type, bytes, message] of refusals) {
      const result = await upload(page, name, type, bytes);
      log(result.message);
      assert.match(result.message, message);
      assert.equal(result.error, true);
      assert.deepEqual(result.probabilities, kept.probabilities, `${name}: the bars before are kept`);
    }
    assert.deepEqual(errors, [], 'no console errors');
  });
});
