// @ts-check
// The worker's `start` request (Rust's StartRequest, src/session/protocol.rs), built in one
// place for the training form and the lab's twins.

import { FULL, testLimit } from './settings.js';

/**
 * @param {import('./models.js').ModelConfig} model  a model configuration as Rust takes it
 * @param {{epochs: number, batch: number, lr: number, train: number, test: number}} settings
 * @param {{momentum?: number, weightDecay?: number, seed?: number}} [optimiser]  d2l's plain SGD by default
 * @returns {import('../generated/rust.js').StartRequest}
 */
export function startRequest(model, settings, { momentum = 0, weightDecay = 0, seed = 0 } = {}) {
  return {
    model,
    train: { epochs: settings.epochs, batch_size: settings.batch, lr: settings.lr, momentum, weight_decay: weightDecay, seed },
    train_limit: settings.train >= FULL.train ? null : settings.train,
    test_limit: testLimit(settings.test),
  };
}
