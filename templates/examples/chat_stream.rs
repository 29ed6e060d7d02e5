// uses operations: serverlessChatStream
//! Stream a chat completion from a serverless model, printing tokens as they arrive.
//!
//! `FRIENDLI_TOKEN=flp_... cargo run --example chat_stream`

use futures_util::StreamExt as _;

use friendli::models::{Message, SystemMessage, UserMessage};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = friendli::Client::from_env()?;

    let mut stream = client
        .serverless()
        .chat()
        .stream(
            "meta-llama-3.1-8b-instruct",
            vec![
                Message::from(SystemMessage::new("You are a helpful assistant.")),
                Message::from(UserMessage::new("Hello!")),
            ],
        )
        .max_tokens(200)
        .send()
        .await?;

    while let Some(chunk) = stream.next().await {
        // A dropped connection or an error event is an `Err`, never a silent end.
        let chunk = chunk?;
        for choice in &chunk.choices {
            if let Some(text) = choice.delta.content.as_ref() {
                print!("{text}");
            }
        }
    }
    println!();
    Ok(())
}
