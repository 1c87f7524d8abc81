//! ResNet Explorer: the d2l.ai ResNet trained on Fashion-MNIST with burn, natively and in the
//! browser. Dependencies point one way: `web` (wasm bindings) -> `session` (the worker's state
//! machine) -> `explore`, `lab` -> `train` -> `model`, `data`.

pub mod backend;
pub mod data;
pub mod explore;
pub mod lab;
pub mod metrics;
pub mod model;
pub mod session;
pub mod train;

#[cfg(target_family = "wasm")]
pub mod web;
