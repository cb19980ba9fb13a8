//! concur: the article's concurrency scenarios as a library, so that the
//! CLI, the examples and the tests share one implementation.

pub mod sort;
