//! Prints the ViSQOL v3 audio-mode MOS-LQO (1 to 5) of each degraded WAV against its reference WAV.
//! Usage: capsule-bench-visqol REFERENCE.wav DEGRADED.wav [DEGRADED.wav…]; one score per line.

use audio_samples_io::read;
use audio_samples_qoe::{AudioSamplesQoE, VisqolOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: capsule-bench-visqol REFERENCE.wav DEGRADED.wav [DEGRADED.wav…]");
        std::process::exit(2);
    }
    let load = |path: &str| {
        read::<_, f32>(path).unwrap_or_else(|e| {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1)
        })
    };
    let reference = load(&args[0]);
    let options = VisqolOptions::audio();
    for path in &args[1..] {
        let degraded = load(path);
        match reference.visqol_with_options(&degraded, &options) {
            Ok(mos) => println!("{mos:.4}"),
            Err(e) => {
                eprintln!("ViSQOL failed on {path}: {e}");
                std::process::exit(1)
            }
        }
    }
}
