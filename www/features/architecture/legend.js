// @ts-check
// The diagram's two legends (a ResNet's, a chapter-7 network's): one entry a mark the diagrams
// draw, with the swatch class their style sheet gives it.

/** @typedef {{swatch: string | null, badge?: string, text: string}} LegendEntry */

/** @type {Record<'resnet' | 'zoo', LegendEntry[]>} */
export const LEGENDS = {
  resnet: [
    { swatch: 'swatch-identity', text: 'identity shortcut: the block adds its input back' },
    { swatch: 'swatch-projection', text: '1\u00d71 conv shortcut: changes channels and size' },
    { swatch: 'swatch-stride', badge: 'stride 2', text: 'halves height and width' },
    { swatch: 'swatch-inserted', text: 'inserted block' },
    { swatch: 'swatch-plain', text: 'inserted plain block (no shortcut)' },
  ],
  zoo: [
    { swatch: 'swatch-conv', text: 'convolution (kernel read from its parameters)' },
    { swatch: 'swatch-group', text: 'block: a Sequential of layers, top to bottom' },
    { swatch: 'swatch-inception', text: 'Inception: parallel paths, outputs concatenated along channels' },
    { swatch: null, text: 'on each arrow: the output shape, channels\u00d7height\u00d7width \u00b7 FC: fully connected \u00b7 BN: BatchNorm' },
  ],
};

/** Fills a legend's <ul> with its entries. @param {HTMLElement} list @param {LegendEntry[]} entries */
export function fillLegend(list, entries) {
  list.replaceChildren(
    ...entries.map((e) => {
      const li = document.createElement('li');
      if (e.swatch) {
        const swatch = document.createElement('span');
        swatch.className = `swatch ${e.swatch}`;
        if (e.badge) swatch.textContent = e.badge;
        li.append(swatch);
      }
      li.append(e.text);
      return li;
    }),
  );
}
