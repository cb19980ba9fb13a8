//! Stub.
use super::{Ctx, Meta, Outcome, Scenario};
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::Model;
use std::time::Duration;
/// Stub.
pub struct FileReads;
/// Stub.
pub const META: Meta = Meta {
    name: "file-reads",
    section: "P",
    about: "stub",
    model: Model::Io,
};
impl Scenario for FileReads {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn expected(&self, _unit: Duration) -> Expected {
        Expected::default()
    }
    fn run(&self, _backend: &Backend, _ctx: &Ctx) -> anyhow::Result<Outcome> {
        anyhow::bail!("stub")
    }
}
