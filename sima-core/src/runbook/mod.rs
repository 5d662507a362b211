//! Runbooks: which effects events imply, and the worker that runs them.

mod effect;

pub use effect::Effect;
