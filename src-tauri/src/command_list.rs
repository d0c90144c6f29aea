// Every IPC command, declared once: its name, its arguments as the webview sends them, and
// what it returns. `build.rs` includes this file for the permission manifest; `lib.rs` builds
// the invoke handler from it; `generated.rs` writes the TypeScript call map, the isolation
// hook's allow-list and the main window's permissions from it. The function behind each
// name is in `commands.rs`; a name without one, or one without a name, fails the build.
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            /// The screen to open with: setup, the console, or a keychain problem.
            app_state() -> AppState;
            /// The setup form's field errors, without saving anything.
            check_setup_form(form: SetupForm) -> Vec<FieldError>;
            test_connection(form: SetupForm) -> ConnectionCheck;
            test_saved_connection() -> ConnectionCheck;
            save_setup(form: SetupForm) -> SaveOutcome;
            sign_out() -> AppState;
            clinic_settings() -> ClinicSettings;
            save_clinic_settings(settings: ClinicSettings) -> ClinicSettings;
            /// Keeps a Janus server's admin key and token secret in the keychain.
            save_janus_secrets(form: JanusSecretsForm) -> ();
            /// The clinic's join page key, for the join page's `visitdesk-join.json`
            /// (`videoServices.janusClinicianKey`): derived from the saved Janus token secret.
            /// Rejects with `not_configured` when none is saved.
            janus_join_page_key() -> String;
            /// Visits scheduled in [from, to), unix seconds.
            list_visits(from: i64, to: i64) -> Vec<Visit>;
            create_visit(form: VisitForm) -> Visit;
            edit_visit(id: String, form: VisitForm) -> Visit;
            cancel_visit(id: String) -> Visit;
            mark_no_show(id: String) -> Visit;
            start_visit(visit_id: String) -> JoinInfo;
            /// Starts the visit and opens the call in the system browser (webviews without WebRTC).
            open_visit_in_browser(visit_id: String) -> ();
            end_visit(visit_id: String) -> Visit;
            remove_participant(visit_id: String, participant: String) -> ();
            /// Rejects with `invite_outcome_unknown` or `service_*` when the text or call did not clearly go out.
            invite_guest(request: InviteRequest) -> InviteSent;
            send_running_late(request: RunningLateRequest) -> Invite;
            visit_invites(visit_id: String) -> Vec<Invite>;
            /// Twilio's delivery status of a texted invite.
            sms_delivery(visit_id: String, invite_id: String) -> SmsDelivery;
            /// A short-lived token for Twilio's network preflight.
            preflight_token() -> PreflightToken;
            audit_log() -> Vec<AuditEntry>;
            verify_audit_log() -> AuditReport;
            /// The waiting room as the monitor last saw it.
            waiting_room() -> Vec<VisitPresence>;
            /// The clinician lets the waiting patient in, or sends them back to the waiting room.
            /// Rejects with `visit_state_conflict` without the patient, or on Janus.
            decide_admission(visit_id: String, decision: AdmissionDecision) -> ();
            /// What IT's policy manages on this computer, against the provider's own saved settings.
            managed_policy() -> PolicyView;
            /// Asks the update feed (from the saved settings) whether a newer VisitDesk exists.
            check_for_update() -> UpdateCheck;
            /// Downloads the update the last check found, verifies its signature and installs it;
            /// it takes effect on restart. Rejects with `update_signature_invalid` when nothing was installed.
            install_update() -> UpdateInstalled;
        }
    };
}
