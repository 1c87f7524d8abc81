// Where the CPU path's training time goes in WebAssembly, function by function: the page's own
// module (the single-threaded build of src/web), run in Node (the same V8 and wasm SIMD as
// Chromium), timed and sampled with V8's CPU profiler. A benchmark run by hand, not a test:
//
//   wasm-bindgen --target nodejs --out-dir /tmp/pkg-node \
//     ~/.cache/resnet-explorer/target/wasm32-unknown-unknown/release/resnet_explorer.wasm
//   node bench/wasm-profile.mjs [--pkg /tmp/pkg-node] [--model fast] [--batch 64] [--steps 60]
//                               [--profile out.cpuprofile]
//   node bench/wasm-profile.mjs --evaluate [--rounds 3] [--profile out.cpuprofile]
//
// (`scripts/setup.sh` leaves that .wasm behind when it builds pkg/; wasm-bindgen's `web` output
// in pkg/ cannot load in Node, hence the second binding.) It prints the steady examples/sec
// after 3 warm-up steps and, with --profile, the functions with the most self time. With
// --evaluate it times the demos' predictions instead: the shipped network on all 10,000 test
// images (what the page computes at open), once cold and then --rounds times.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

const { values: opt } = parseArgs({
  options: {
    pkg: { type: 'string', default: '/tmp/pkg-node' },
    model: { type: 'string', default: 'fast' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '60' },
    profile: { type: 'string' },
    evaluate: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
});
const wasm = createRequire(import.meta.url)(`${opt.pkg}/resnet_explorer.js`);
const data = (name) => gunzipSync(readFileSync(new URL(`../www/data/${name}.gz`, import.meta.url)));

await wasm.initDevice(false, 'a benchmark of the CPU path', false);
const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const explorer = wasm.Explorer.create(data(files[2]), data(files[3]));
explorer.setTrainingData(data(files[0]), data(files[1]));
if (opt.evaluate) {
  explorer.loadWeights(readFileSync(new URL('../www/weights/fast.rnxw', import.meta.url)), { source: 'shipped' });
  explorer.setTestLimit(null);
  const timed = async () => {
    const t0 = performance.now();
    const event = await explorer.evaluate();
    return [(performance.now() - t0) / 1000, event.accuracy];
  };
  const [cold, accuracy] = await timed();
  console.log(`evaluate, 10,000 test images: cold ${cold.toFixed(2)} s (accuracy ${accuracy})`);
  const inspector = await startProfile();
  for (let i = 0; i < Number(opt.rounds); i++) console.log(`evaluate: ${(await timed())[0].toFixed(2)} s`);
  await stopProfile(inspector);
  process.exit(0);
}
explorer.setTestLimit(1000);
const entry = wasm.catalogue().find((e) => e.name === opt.model);
if (!entry) throw new Error(`no model "${opt.model}" (try: ${wasm.catalogue().map((e) => e.name).join(', ')})`);
const batch = Number(opt.batch);
const train = { epochs: 1, batch_size: batch, lr: 0.05, momentum: 0, weight_decay: 0, seed: 0 };
explorer.startTraining({ model: entry.config, train, train_limit: null, test_limit: 1000 }, true);

const step = async () => explorer.step();
for (let i = 0; i < 3; i++) await step();
const inspector = await startProfile();
const steps = Number(opt.steps);
const t0 = performance.now();
for (let i = 0; i < steps; i++) await step();
const seconds = (performance.now() - t0) / 1000;
console.log(`${opt.model}, batch ${batch}: ${((steps * batch) / seconds).toFixed(1)} ex/s over ${steps} steps (${seconds.toFixed(1)} s)`);

await stopProfile(inspector);

/** With --profile: V8's sampling profiler, started. */
async function startProfile() {
  const inspector = new Session();
  if (!opt.profile) return inspector;
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
  await inspector.post('Profiler.start');
  return inspector;
}

/** With --profile: writes the profile and prints the functions with the most self time. @param {Session} inspector */
async function stopProfile(inspector) {
  if (!opt.profile) return;
  const { profile } = await inspector.post('Profiler.stop');
  writeFileSync(opt.profile, JSON.stringify(profile));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)));
  const byName = new Map();
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName || `(${node.callFrame.url || 'anonymous'})`;
    byName.set(name, (byName.get(name) ?? 0) + (self.get(node.id) ?? 0));
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [name, us] of top) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 110)}`);
}
