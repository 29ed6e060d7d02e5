// uses operations: serverlessAudioTranscriptions
//! Transcribe an audio file with a serverless model; the file is streamed from disk.
//!
//! `FRIENDLI_TOKEN=flp_... cargo run --example audio_transcription -- speech.mp3`

use friendli::FilePart;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = friendli::Client::from_env()?;
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "speech.mp3".to_owned());

    let transcription = client
        .serverless()
        .audio()
        .transcribe("whisper-large-v3", FilePart::from_path(path))
        .language("en")
        .send()
        .await?;
    println!("{transcription:#?}");
    Ok(())
}
