//! Section 7: the deployable artifacts run. Every arm64 `bootstrap` that `make build` put into
//! `.aws-sam/build` (what `sam deploy` uploads; the artifacts section built it just before) is
//! started under `qemu-aarch64` (Debian's qemu-user, user-mode emulation, with Debian's arm64 C
//! library as the loader's root) as Lambda starts it: the template's environment, the bench's own
//! Runtime API (the cold-start section's). It must poll for work and answer one invocation
//! successfully: the cold-start section's real event for it (a route's API Gateway request, the
//! bus's event, a stream batch) against DynamoDB Local with the bench's seeded state, so the whole
//! path runs — runtime loop, configuration, SDK, the store — not only the start.
//!
//! The times are the emulator's (several times slower than Graviton): they show the binary works,
//! not how fast it is; cold-start measures that on this machine's build.
//!
//! Smoke run (`make test`, no qemu there): two of this machine's debug binaries, natively, through
//! the same path, so that it cannot rot.

use std::path::Path;
use std::process::Command;

use local_cloud::lambda::function_spec::FunctionSpec;
use local_cloud::template::Template;

use super::cold_start::{FLOOR, Instance, specs};
use super::invocations::{event_for, seed};
use super::stats::millis;
use super::{Row, Sizes};
use crate::{TestApp, repo_root};

const SECTION: &str = "arm64-run";
/// Debian's qemu-user and the root of Debian's arm64 C library (`make bench` installs both).
const QEMU: &str = "/usr/bin/qemu-aarch64";
const ARM64_ROOT: &str = "/usr/aarch64-linux-gnu";
/// The smoke run starts this many debug binaries.
const SMOKE_FUNCTIONS: usize = 2;

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let emulated = sizes.build_artifacts;
    if emulated {
        for needed in [QEMU, ARM64_ROOT] {
            assert!(
                Path::new(needed).exists(),
                "{needed} is missing: `make bench` installs qemu-user and libc6-arm64-cross"
            );
        }
    }
    let test = TestApp::spawn().await;
    seed(&test, 1).await;
    let functions = Template::of_repo().expect("the template reads").functions().expect("the template's functions");
    let mut chosen: Vec<FunctionSpec> =
        specs(sizes, &test.table).await.into_iter().filter(|spec| spec.name != FLOOR).collect();
    if !emulated {
        chosen.truncate(SMOKE_FUNCTIONS);
    }
    let build = repo_root().join(".aws-sam/build");
    let mut rows = Vec::new();
    for mut spec in chosen {
        let function = functions.iter().find(|f| f.binary == spec.name).expect("a function of the template");
        let command = if emulated {
            spec.binary = build.join(&function.logical_id).join("bootstrap");
            assert!(spec.binary.exists(), "{} is not built: run `make build`", spec.binary.display());
            emulator_command(&spec.binary)
        } else {
            Command::new(&spec.binary)
        };
        let (instance, init) = Instance::spawn(&spec, command).await;
        let event = event_for(&test, function, 0, 1).await;
        let (took, output) = instance.invoke(&spec, &event.payload()).await;
        // A wrong answer is a row that fails its goal (the other functions still run); the smoke
        // test fails on it.
        let failure = event.failure(&output);
        let answer = match (&failure, output["statusCode"].as_u64()) {
            (Some(failure), _) => failure.clone(),
            (None, Some(status)) => format!("answered {status}"),
            (None, None) => "answered".to_owned(),
        };
        let how =
            if emulated { "arm64 bootstrap of .aws-sam/build under qemu-aarch64" } else { "debug binary, native" };
        rows.push(
            Row::new(SECTION, format!("{} ({how}): {answer}", spec.name))
                .figure("start", millis(init), "ms")
                .figure("invocation", millis(took), "ms")
                .goal("answers one invocation", failure.is_none()),
        );
    }
    rows
}

/// `qemu-aarch64` running `bootstrap`, its loader and C library taken from the arm64 root.
fn emulator_command(bootstrap: &Path) -> Command {
    let mut command = Command::new(QEMU);
    command.arg("-L").arg(ARM64_ROOT).arg(bootstrap);
    command
}
