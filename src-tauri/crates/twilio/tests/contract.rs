//! Every request this crate makes, sent to Prism serving Twilio's own OpenAPI spec
//! (`../shared/twilio-oai`). Prism answers 422 with the offending field when a request
//! breaks Twilio's contract. `scripts/test` starts Prism and sets the URL.

mod common;

use std::time::Duration;

use visitdesk_twilio::rooms::RoomStatus;

fn prism_video_url() -> String {
    std::env::var("VISITDESK_PRISM_VIDEO_URL")
        .expect("VISITDESK_PRISM_VIDEO_URL names a Prism serving twilio_video_v1.json (scripts/test starts one)")
}

#[tokio::test]
#[ignore = "needs Prism serving Twilio's Video spec; run through scripts/test"]
async fn list_rooms_satisfies_twilios_video_spec() {
    let client = common::client_for(&prism_video_url(), Duration::from_secs(10));
    let page = client
        .rooms()
        .list()
        .status(RoomStatus::InProgress)
        .unique_name("vd-contract")
        .page_size(1)
        .send()
        .await
        .unwrap_or_else(|error| panic!("Prism rejected the request or the answer did not decode: {error}"));
    // The spec's example page decodes into our types.
    assert!(page.meta.page_size >= 1);
}
