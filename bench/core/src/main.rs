//! `core-bench tokens RUNS COUNT`: access tokens minted per second on one thread (median
//! of RUNS runs of COUNT tokens).
//! `core-bench visit-flow RUNS VIDEO_URL API_URL`: wall time of "ensure room + mint 3
//! tokens + send 1 SMS" through the core, and of the same four requests through the bare
//! REST client (the reference), against Prism. Prints figures; asserts nothing.
//! `core-bench waiting-room [ARRIVALS] [SEED]`: the waiting-room monitor's arrival-to-alert
//! latency and requests a minute for 1, 3 and 10 active visits (see [`waiting_room`]).

mod admission;
mod waiting_room;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use url::Url;
use visitdesk_core::{
    AppContext, KEYCHAIN_ACCOUNT_API_KEY_SECRET,
    clinic::settings::{ClinicSettings, ProviderProfile, SettingsError, SettingsStore, StoredSettings, TwilioAccount},
    db::VisitsDatabase,
    visits::invites::{self, InviteRequest},
    visits::rooms,
    visits::{self, VisitForm},
};
use visitdesk_secrets::{MemoryKeychain, SecretStore, Sensitive};
use visitdesk_store::{GuestRole, InviteMethod};
use visitdesk_twilio::{
    ApiKeyAuth, BaseUrls, TwilioClient,
    access_token::AccessToken,
    rooms::{RoomType, VideoCodec},
};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";
const FROM: &str = "+14155550188";
/// The waiting-room benchmark's arrivals, unless a seed is given.
const WAITING_ROOM_SEED: u64 = 20_261_122;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] }
}

fn tokens(runs: usize, count: usize) {
    let secret = Sensitive::new(SECRET.to_string());
    let mut rates = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut bytes = 0usize;
        for i in 0..count {
            let token = AccessToken::video(ACCOUNT, KEY, "patient-kqzmfwprxd")
                .room("RM0123456789abcdef0123456789abcdef")
                .ttl(Duration::from_secs(4 * 3600))
                .issued_at(1_795_361_400 + i as u64)
                .to_jwt(&secret)
                .expect("a valid token");
            bytes += token.expose().len();
        }
        let seconds = started.elapsed().as_secs_f64();
        assert!(bytes > count * 100, "tokens were minted");
        rates.push(count as f64 / seconds);
    }
    println!("tokens_per_second_median {:.0}", median(rates));
}

#[derive(Default)]
struct MemorySettings(Mutex<Option<StoredSettings>>);

impl SettingsStore for MemorySettings {
    fn load(&self) -> Result<Option<StoredSettings>, SettingsError> {
        Ok(self.0.lock().expect("settings lock").clone())
    }
    fn save(&self, settings: &StoredSettings) -> Result<(), SettingsError> {
        *self.0.lock().expect("settings lock") = Some(settings.clone());
        Ok(())
    }
}

struct BenchContext {
    secrets: Arc<MemoryKeychain>,
    settings: MemorySettings,
    base: BaseUrls,
    database: VisitsDatabase,
}

impl AppContext for BenchContext {
    fn secrets(&self) -> Arc<dyn SecretStore> {
        self.secrets.clone()
    }
    fn saved_settings(&self) -> &dyn SettingsStore {
        &self.settings
    }
    fn twilio_base_urls(&self) -> BaseUrls {
        self.base.clone()
    }
    fn visits_database(&self) -> &VisitsDatabase {
        &self.database
    }
}

fn bench_context(base: BaseUrls, dir: &tempfile::TempDir) -> BenchContext {
    let secrets = Arc::new(MemoryKeychain::default());
    secrets.write(KEYCHAIN_ACCOUNT_API_KEY_SECRET, &Sensitive::new(SECRET.into())).expect("memory keychain");
    let settings = MemorySettings::default();
    settings
        .save(&StoredSettings {
            profile: Some(ProviderProfile {
                display_name: "Dr. Bench".into(),
                identity: "dr-bench".into(),
                join_page_url: "https://visit.example-clinic.org/join".into(),
            }),
            twilio: Some(TwilioAccount { account_sid: ACCOUNT.into(), api_key_sid: KEY.into() }),
            clinic: ClinicSettings { sms_from: Some(FROM.into()), ..ClinicSettings::default() },
            ..StoredSettings::default()
        })
        .expect("memory settings");
    BenchContext { secrets, settings, base, database: VisitsDatabase::new(dir.path().join("visits.db")) }
}

/// Through the core: start the visit (ensure room, provider token), copy an interpreter
/// link (room reused, guest token), text the patient (room reused, guest token, SMS).
async fn core_flow(ctx: &BenchContext) -> Duration {
    let form = VisitForm {
        patient_display_name: "Bench Patient".into(),
        patient_mobile: "+14155552671".into(),
        scheduled_at: 1_795_361_400,
    };
    let visit = visits::create_visit(ctx, form).await.expect("visit");
    let request = |role, method| InviteRequest {
        visit_id: visit.id.clone(),
        role,
        method,
        phone: None,
        language: None,
        confirm_resend: false,
    };
    let started = Instant::now();
    rooms::start_visit(ctx, visit.id.clone()).await.expect("start");
    invites::invite(ctx, request(GuestRole::Interpreter, InviteMethod::CopyLink)).await.expect("link");
    invites::invite(ctx, request(GuestRole::Patient, InviteMethod::Sms)).await.expect("sms");
    started.elapsed()
}

/// The same four requests through the bare REST client, with no database or tokens.
async fn reference_flow(client: &TwilioClient, round: usize) -> Duration {
    let name = format!("vd-bench{round:016x}");
    let started = Instant::now();
    client
        .rooms()
        .create()
        .unique_name(&name)
        .room_type(RoomType::Group)
        .max_participants(4)
        .video_codecs(&[VideoCodec::Vp8])
        .empty_room_timeout(10)
        .unused_room_timeout(60)
        .record_participants_on_connect(false)
        .send()
        .await
        .expect("create room");
    client.rooms().fetch(&name).await.expect("fetch room");
    client.rooms().fetch(&name).await.expect("fetch room");
    client.messages().create("+14155552671", "Join here").from(FROM).send().await.expect("sms");
    started.elapsed()
}

async fn visit_flow(runs: usize, video: &str, api: &str) {
    let base = BaseUrls { video: Url::parse(video).expect("video URL"), api: Url::parse(api).expect("api URL") };
    let dir = tempfile::tempdir().expect("a scratch folder");
    let ctx = bench_context(base.clone(), &dir);
    let client = TwilioClient::builder(ApiKeyAuth {
        account_sid: ACCOUNT.into(),
        api_key_sid: KEY.into(),
        api_key_secret: Sensitive::new(SECRET.into()),
    })
    .base_urls(base)
    .build()
    .expect("client");
    // Warm both paths once (connection pools, database creation).
    core_flow(&ctx).await;
    reference_flow(&client, usize::MAX).await;
    let (mut core, mut reference) = (Vec::new(), Vec::new());
    for round in 0..runs {
        core.push(core_flow(&ctx).await.as_secs_f64() * 1000.0);
        reference.push(reference_flow(&client, round).await.as_secs_f64() * 1000.0);
    }
    println!("visit_flow_ms_median {:.1}", median(core));
    println!("reference_flow_ms_median {:.1}", median(reference));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    match args.get(1).map(String::as_str) {
        Some("tokens") => tokens(number(2, 5), number(3, 200_000)),
        Some("visit-flow") if args.len() == 5 => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
            runtime.block_on(visit_flow(number(2, 20), &args[3], &args[4]));
        }
        Some("waiting-room") if args.len() <= 4 => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
            let seed = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(WAITING_ROOM_SEED);
            runtime.block_on(waiting_room::run(number(2, 50), seed));
        }
        Some("admission") if args.len() <= 3 => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
            runtime.block_on(admission::run(number(2, 20)));
        }
        _ => {
            eprintln!(
                "usage: core-bench tokens [RUNS] [COUNT] | core-bench visit-flow RUNS VIDEO_URL API_URL \
                 | core-bench waiting-room [ARRIVALS] [SEED] | core-bench admission [ROUNDS]"
            );
            std::process::exit(2);
        }
    }
}
