import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_SETTINGS, PRESENT, defaults, hashOf, pageSettings, parseHash, stageProblem, testLimit, workerOpening } from '../../www/core/settings.js';

const PAGE = pageSettings(['fast', 'tiny', 'alexnet']);

test('a link sets what it names and nothing else', () => {
  const { values, problems } = parseHash('#preset=tiny&epochs=3&lr=0.05&backend=cpu&block=b2.1&mode=conv2', PAGE);
  assert.deepEqual(values, { preset: 'tiny', epochs: 3, lr: 0.05, backend: 'cpu', block: 'b2.1', mode: 'conv2' });
  assert.deepEqual(problems, []);
});

test('every refused value is reported with what the key takes and what is used instead', () => {
  const { values, problems } = parseHash('preset=resnet50&epochs=0&batch=abc&backend=tpu&block=x&image=99', PAGE);
  assert.deepEqual(values, {});
  assert.equal(problems.length, 6);
  assert.equal(problems[0], "The link's preset=resnet50 is not fast, tiny or alexnet; fast is used instead.");
  assert.match(problems[1], /epochs=0 .*a whole number from 1 to 100/);
  assert.match(problems[2], /batch=abc/);
  assert.equal(problems[3], "The link's backend=tpu is not auto, wgpu or cpu; auto is used instead.");
  assert.match(problems[4], /block=x .*block label/);
  assert.match(problems[5], /image=99 .*from 0 to 23; 0 is used instead/);
});

test('the lab keys: depth must be 6n + 2, the flag is 1 or 0', () => {
  assert.deepEqual(parseHash('lab-depth=32&lab-zero=1', LAB_SETTINGS), { values: { 'lab-depth': 32, 'lab-zero': true }, problems: [] });
  const { values, problems } = parseHash('lab-depth=21&lab-zero=yes', LAB_SETTINGS);
  assert.deepEqual(values, {});
  assert.match(problems[0], /lab-depth=21 .*6n \+ 2 .*20 is used instead/);
  assert.match(problems[1], /lab-zero=yes .*1 or 0/);
});

test('writing keeps the schema order, drops empty values and keeps keys owned by another schema', () => {
  const hash = hashOf({ preset: 'fast', epochs: 2, block: null, mode: 'branch' }, PAGE, '#lab-depth=56&epochs=9');
  assert.equal(hash, '#preset=fast&epochs=2&mode=branch&lab-depth=56');
  const lab = hashOf({ ...defaults(LAB_SETTINGS), 'lab-zero': true }, LAB_SETTINGS, hash);
  assert.match(lab, /lab-zero=1/);
  assert.match(lab, /preset=fast/);
});

test('a written hash reads back to the same values', () => {
  const values = { ...defaults(LAB_SETTINGS), 'lab-depth': 56, 'lab-lr': 0.01 };
  assert.deepEqual(parseHash(hashOf(values, LAB_SETTINGS), LAB_SETTINGS).values, values);
});

test("a refused value names what is used instead: the model's own default where it has one", () => {
  const { problems } = parseHash('preset=fast&epochs=0&input=3', PAGE, { epochs: 2, input: null });
  assert.match(problems[0], /input=3 .*; the model\u2019s default is used instead\./);
  assert.match(problems[1], /epochs=0 .*; 2 is used instead\./);
});

test('the worker opens with the link\'s backend, test images and kernels, before the models are known', () => {
  assert.deepEqual(workerOpening(''), { backend: 'auto', testLimit: null, kernels: 'auto' });
  assert.deepEqual(workerOpening('#preset=googlenet&backend=wgpu&test=64&epochs=1'), { backend: 'wgpu', testLimit: 64, kernels: 'auto' });
  assert.deepEqual(workerOpening('backend=cpu&test=10000&kernels=burn'), { backend: 'cpu', testLimit: null, kernels: 'burn' });
  assert.deepEqual(workerOpening('#backend=wgpu&kernels=ours'), { backend: 'wgpu', testLimit: null, kernels: 'ours' });
  // What the link has wrong falls back as the form does (which then reports it).
  assert.deepEqual(workerOpening('#backend=tpu&test=0&kernels=fastest'), { backend: 'auto', testLimit: null, kernels: 'auto' });
  assert.deepEqual(workerOpening('#test=abc'), { backend: 'auto', testLimit: null, kernels: 'auto' });
});

test('test images as the worker takes them: all of them is no limit', () => {
  assert.equal(testLimit(64), 64);
  assert.equal(testLimit(9999), 9999);
  assert.equal(testLimit(10000), null);
});

test("a link's stage past the network's last stage, and bad lab or presenter keys, are reported", () => {
  const stages = ['b2', 'b3', 'b4', 'b5'];
  assert.equal(stageProblem('#stage=3', stages), null);
  assert.equal(stageProblem('#preset=fast', stages), null);
  assert.equal(
    stageProblem('#stage=9', stages),
    "The link's stage=9 was not used: the network in memory has 4 stages (b2 to b5, stage=0 to 3); b5 is used instead.",
  );
  const { problems } = parseHash('#lab-depth=7&lab-lr=0&present=2', [...LAB_SETTINGS, ...PRESENT]);
  assert.equal(problems.length, 3);
  assert.match(problems[2], /^The link's present=2 was not used: presenter mode is 1 or 0/);
});

test("the Embed dialog's iframe: the page's settings, the view, never the lesson", async () => {
  const { iframeSnippet } = await import('../../www/features/layout/embed.js');
  const html = iframeSnippet('https://t.example/resnet/index.html', '#preset=fast&lesson=identity&embed=chart&block=b3.0', 'identity');
  assert.equal(html, '<iframe src="https://t.example/resnet/index.html#preset=fast&amp;block=b3.0&amp;embed=identity" width="640" height="420" style="border: 0" title="ResNet Explorer: identity" loading="lazy"></iframe>');
});
