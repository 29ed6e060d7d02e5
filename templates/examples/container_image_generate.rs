// uses operations: containerImagesGenerate
//! Generate an image with a Friendli Container (seed page `container.image`).
//!
//! Run with a container listening on localhost:8000, or pass its URL:
//! `cargo run --example container_image_generate -- http://my-container:8000`

use friendli::models::ContainerImageGenerationBodyResponseFormat;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A container needs no token: its operations declare no security.
    let mut builder = friendli::Client::builder();
    if let Some(url) = std::env::args().nth(1) {
        builder = builder.server_url_for("http://localhost:8000", url);
    }
    let client = builder.build()?;

    let result = client
        .container()
        .image()
        .generate("An orange Lamborghini driving down a hill road at night with a beautiful ocean view in the background.")
        .num_inference_steps(10)
        .guidance_scale(3.5)
        .response_format(ContainerImageGenerationBodyResponseFormat::Jpeg)
        .send()
        .await?;
    println!("{result:#?}");
    Ok(())
}
