// uses operations: dedicatedImagesGenerate
//! Generate an image on a dedicated endpoint (seed page `dedicated.image`).
//!
//! `FRIENDLI_TOKEN=flp_... cargo run --example dedicated_image_generate -- <endpoint-id>`

use friendli::models::ImageInput;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = friendli::Client::from_env()?;
    let endpoint_id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "(endpoint-id)".to_owned());

    let result = client
        .dedicated()
        .image()
        .generate(endpoint_id, "An orange Lamborghini driving down a hill road at night with a beautiful ocean view in the background.")
        .num_inference_steps(10)
        .control_images(vec![ImageInput::new(
            "https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/cat.png",
        )])
        .retries(friendli::RetryPolicy::none())
        .send()
        .await;

    match result {
        Ok(images) => println!("{images:#?}"),
        // An API error keeps the status, headers and body; the typed body when the spec declares one.
        Err(friendli::Error::Api(err)) => {
            eprintln!("the API said {}: {}", err.status, err.body_text())
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
