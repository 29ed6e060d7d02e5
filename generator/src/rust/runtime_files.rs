//! The hand-written runtime, embedded by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));
