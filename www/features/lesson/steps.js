// @ts-check
// The guided lesson: d2l's section 7.6 (residual networks) told over the page's live views, one
// step at a time. Pure data and navigation, unit-tested in tests/unit/lesson.test.mjs.

/**
 * @typedef {{label: string, run: string}} Action  `run`: what the controller does (see ACTIONS there)
 * @typedef {{id: string, title: string, text: string[], target: string, actions: Action[], shows: string}} Step
 *   `target`: the live view the step talks about (a CSS selector); `shows`: what that view shows
 *   once the action ran, in words (the e2e test checks it)
 */

/** @type {Step[]} */
export const STEPS = [
  {
    id: 'classes',
    title: 'Function classes',
    text: [
      'A network architecture is a class of functions F; training picks the function in F closest to the truth f*. A bigger class is only guaranteed to get closer if it contains the smaller one: nested classes F\u2081 \u2286 F\u2082 \u2286 \u2026',
      'Without nesting, a bigger network can end up farther from f* than a smaller one. Residual blocks are a way to make every bigger network contain the smaller.',
    ],
    target: '#lesson-figure',
    actions: [{ label: 'Compare with non-nested classes', run: 'toggleFigure' }],
    shows: 'nested and non-nested function classes',
  },
  {
    id: 'block',
    title: 'The residual block',
    text: [
      'A residual block outputs ReLU(x + F(x)): its two 3\u00d73 convolutions learn only the change F(x), and the shortcut carries x around them. In the diagram every block has its skip arrow; where the shape changes, a 1\u00d71 convolution replaces it.',
    ],
    target: '#diagram',
    actions: [{ label: 'Select a block with an identity shortcut', run: 'selectIdentityBlock' }],
    shows: 'a block with an identity shortcut selected',
  },
  {
    id: 'identity',
    title: 'Identity: zero the branch',
    text: [
      'Set the last BatchNorm\u2019s \u03b3 and \u03b2 to 0 and the branch outputs exactly 0, so the block computes ReLU(x + 0) = x: max |out \u2212 in| is exactly 0, on a real test image.',
      'Zeroing conv2 alone is not enough: the BatchNorm after it still adds a constant per channel.',
      'Try this: draw a shirt under “Your own picture”: the same check runs on your drawing, and gives 0 there too.',
    ],
    target: '#identity-result',
    actions: [
      { label: 'Zero the residual branch', run: 'zeroBranch' },
      { label: 'Zero conv2 only', run: 'zeroConv2' },
    ],
    shows: 'max |out \u2212 in| = 0 with the branch zeroed',
  },
  {
    id: 'nested',
    title: 'Nested function classes',
    text: [
      'Insert a block with its branch zeroed into the trained network: the bigger network computes the same function, so not one prediction changes. Its function class contains the old one, and training can only start from here.',
      'A plain block (no shortcut) zeroed the same way outputs 0: accuracy falls to chance.',
      'Try this: with your own picture drawn, insert the identity block: not one of its probabilities changes, bit for bit.',
    ],
    target: '#insertion-result',
    actions: [
      { label: 'Insert an identity block', run: 'insertIdentity' },
      { label: 'Insert a plain block', run: 'insertPlain' },
      { label: 'Restore', run: 'restore' },
    ],
    shows: '0 predictions changed by the identity block',
  },
  {
    id: 'race',
    title: 'The degradation race',
    text: [
      'Deeper plain networks train worse than shallower ones: not overfitting, they fit even the training data worse. Their residual twins, the same layers plus shortcuts, do not degrade.',
      'The recorded race shows it at two depths; race a plain network against its twin live below.',
    ],
    target: '#lab-recorded',
    actions: [{ label: 'Race them live', run: 'raceLive' }],
    shows: 'the recorded training curves of plain and residual networks at two depths',
  },
  {
    id: 'gradients',
    title: 'Gradient flow',
    text: [
      'Backpropagation multiplies one factor per layer, so in a plain network the gradient reaching the first layers is a long product. Through a residual block the factor is 1 + \u2202F/\u2202x: the product becomes a sum of paths, and every layer keeps a direct line to the loss.',
      'Yet the chart shows that the plain twin\u2019s gradients need not be smaller: with BatchNorm they do not simply vanish, as He et al. found (the note under the chart prints each twin\u2019s first/last-layer ratio). The plain network\u2019s trouble is optimisation, which the race shows, not a missing gradient.',
    ],
    target: '#lab-gradients',
    actions: [{ label: 'Show the gradient norms', run: 'showGradients' }],
    shows: 'the gradient norm of every conv by depth, for both twins, with each first/last-layer ratio',
  },
  {
    id: 'summary',
    title: 'Summary',
    text: [
      'Any residual block can become the identity, so a deeper ResNet contains the shallower one: adding blocks cannot make the best reachable function worse, and gradients flow along the shortcuts. That is why ResNets train at 18, 50 and 152 layers.',
      'Everything on this page is live: train a ResNet yourself, insert blocks, zero branches, race twins.',
    ],
    target: '#settings',
    actions: [{ label: 'Train a ResNet yourself', run: 'trainYourself' }],
    shows: 'the training set-up',
  },
];

export const STEP_IDS = STEPS.map((s) => s.id);

/** The step `delta` away from `id`, kept within the lesson. */
export function move(/** @type {string} */ id, /** @type {number} */ delta) {
  const i = Math.max(0, STEP_IDS.indexOf(id));
  return STEP_IDS[Math.min(STEP_IDS.length - 1, Math.max(0, i + delta))];
}

/**
 * The lesson step a link opens, with a sentence when the link's value is not a step.
 * @param {string} hash
 * @returns {{step: string | null, problem: string}}
 */
export function stepFromHash(hash) {
  const raw = new URLSearchParams(hash.replace(/^#/, '')).get('lesson');
  if (raw === null) return { step: null, problem: '' };
  if (STEP_IDS.includes(raw)) return { step: raw, problem: '' };
  return { step: STEP_IDS[0], problem: `The link's lesson=${raw} is not a step of the lesson (${STEP_IDS.join(', ')}); it starts at the first step.` };
}

/** The lesson's key in the link (read by `stepFromHash`, which says what a bad value does). */
export const LESSON = /** @type {import('../../core/settings.js').ChoiceSetting} */ ({ kind: 'choice', key: 'lesson', label: 'Lesson step', values: STEP_IDS, default: '' });
