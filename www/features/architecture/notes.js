// @ts-check
// The sentences around the diagram: the model's summary, where the network in memory came
// from, and which network is drawn. Pure, unit-tested in tests/unit/architecture-notes.test.mjs.

import { chw, exact, formatCount } from '../../core/format.js';
import { capitalise, presetOf, sameConfig, zooName } from '../../core/models.js';

/** @typedef {Map<string, import('../../core/models.js').ModelEntry>} Models */

/** "Input 1×28×28 · 4 residual stages with 8 residual blocks · ..." @param {Models} models @param {any} net */
export function summaryText(models, net) {
  if (net.zoo) {
    const groups = net.top.filter((/** @type {any} */ r) => net.children.has(r.label)).length;
    const parts = [`Input ${chw(net.input)}`, `${net.top.length} top-level layers${groups ? `, ${groups} of them blocks of layers` : ''}`];
    if (net.inceptions) parts.push(`${net.inceptions} Inception blocks of 4 parallel paths`);
    parts.push(`no residual blocks`, `${exact(net.totals.params)} trainable parameters`, `${formatCount(net.totals.macs)} multiply-accumulates an image`);
    return `${models.get(net.kind)?.title ?? net.kind}: ${parts.join(' \u00b7 ')}.`;
  }
  const stages = net.stages.length;
  const parts = [];
  if (net.config) parts.push(`Input ${net.config.in_channels}\u00d7${net.config.input_size}\u00d7${net.config.input_size}`);
  parts.push(`${stages} residual stage${stages === 1 ? '' : 's'} with ${net.blocks.length} residual blocks`);
  if (net.config) parts.push(`channels ${net.config.widths.join(' \u2192 ')}`);
  parts.push(`${exact(net.totals.params)} trainable parameters`);
  parts.push(`${formatCount(net.totals.macs)} multiply-accumulates an image`);
  return parts.join(' \u00b7 ') + '.';
}

/** Where the network in memory came from, for sentences. @param {{source: string, name?: string} | null} source */
export function sourceName(source) {
  switch (source?.source) {
    case 'shipped':
      return 'the shipped pretrained weights';
    case 'saved':
      return 'the network saved in this browser';
    case 'uploaded':
      return `the uploaded file ${source.name ?? ''}`.trim();
    case 'trained':
      return 'the network trained here';
    default:
      return 'the network in memory';
  }
}

/**
 * The note above the diagram and the switch between the network in memory and the form's model.
 * @param {{models: Models, preview: boolean, net: any, memory: any, memoryNet: any, training: boolean,
 *   source: any, preset: string, selectedConfig: any, chosen: string}} s  `chosen`: selectionName()
 * @returns {{text: string, switchText: string | null}}
 */
export function networkNote(s) {
  const { models, chosen } = s;
  if (s.preview) {
    if (!s.memoryNet) return { text: `${capitalise(chosen)}${s.source?.source === 'none' ? '' : ' (the network in memory is still loading)'}.`, switchText: null };
    return { text: `Preview of ${chosen}: Start trains this network from scratch. The demos below use the network in memory.`, switchText: 'Show the network in memory' };
  }
  const inserted = s.memory.inserted.length;
  const title = zooName(models, s.net.config);
  let text;
  if (s.training) text = 'The network being trained.';
  else if (s.net.zoo) text = `The network in memory (${sourceName(s.source)}): ${title}. It has no residual blocks, so the identity and insertion demos need a ResNet; training, predictions and weights work as for any network.`;
  else text = `The network in memory (${sourceName(s.source)})${inserted ? `, with ${inserted} inserted block${inserted === 1 ? '' : 's'}` : ''}: click a block to use it in the identity demo.`;
  const memPreset = presetOf(models, s.memory.config);
  if (!s.training && !sameConfig(s.selectedConfig, s.memory.config)) {
    text += models.get(s.preset)?.family === 'zoo' ? ` Start trains a new ${chosen.replace(/^the /, '')} network.` : ` Start trains a new ${s.preset} network.`;
    return { text, switchText: `Preview ${chosen}` };
  }
  if (memPreset && !s.net.zoo) text += ` (${memPreset} preset)`;
  return { text, switchText: null };
}
