# Sourced by scripts/test and bench/run: two Prism servers serving Twilio's published
# OpenAPI specs (Video v1, Api v2010), the Twilio stand-in for contract checks.
#   start_twilio_prism OAI_DIR ARTIFACTS_DIR   starts both; exports VISITDESK_PRISM_VIDEO_URL
#                                              and VISITDESK_PRISM_API_URL once both answer
#   stop_prism                                 ends both (call it from the caller's EXIT trap)
# Ports: VISITDESK_PRISM_VIDEO_PORT (4010) and VISITDESK_PRISM_API_PORT (4011).

prism_pids=()
oai_overlay=""

# Killing npx leaves Prism itself running: end each process tree, children first.
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

stop_prism() {
  local pid
  for pid in "${prism_pids[@]}"; do kill_tree "$pid"; done
  [[ -z $oai_overlay ]] || rm -rf "$oai_overlay"
}

# wait_for_prism NAME PID URL LOG: until Prism answers (the 1.8 MB Api spec takes seconds).
wait_for_prism() {
  for _ in $(seq 1 600); do
    curl -fsS -u SK0:x "$3" -o /dev/null 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$4" >&2; exit 1; }
    sleep 0.1
  done
  echo "Prism ($1) did not answer within 60 s" >&2
  cat "$4" >&2
  exit 1
}

start_twilio_prism() {
  local oai_dir=$1 artifacts=$2 spec
  for spec in twilio_video_v1.json twilio_api_v2010.json; do
    [[ -f $oai_dir/$spec ]] || { echo "Twilio's $spec not found in $oai_dir (set VISITDESK_TWILIO_OAI_DIR)" >&2; exit 1; }
  done
  local video_port=${VISITDESK_PRISM_VIDEO_PORT:-4010} api_port=${VISITDESK_PRISM_API_PORT:-4011}
  oai_overlay=$(mktemp -d)
  # A temporary copy of the specs declaring Twilio's repeated form keys (VideoCodecs=VP8&
  # VideoCodecs=H264), which Prism otherwise rejects; the originals stay untouched.
  node scripts/twilio-oai-overlay.mjs "$oai_dir" "$oai_overlay"
  (cd ui && exec npx prism mock -h 127.0.0.1 -p "$video_port" "$oai_overlay/twilio_video_v1.json") \
    > "$artifacts/prism-video.log" 2>&1 &
  prism_pids+=($!)
  (cd ui && exec npx prism mock -h 127.0.0.1 -p "$api_port" "$oai_overlay/twilio_api_v2010.json") \
    > "$artifacts/prism-api.log" 2>&1 &
  prism_pids+=($!)
  export VISITDESK_PRISM_VIDEO_URL="http://127.0.0.1:$video_port"
  export VISITDESK_PRISM_API_URL="http://127.0.0.1:$api_port"
  wait_for_prism video "${prism_pids[0]}" "$VISITDESK_PRISM_VIDEO_URL/v1/Rooms?PageSize=1" "$artifacts/prism-video.log"
  wait_for_prism api "${prism_pids[1]}" \
    "$VISITDESK_PRISM_API_URL/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM0123456789abcdef0123456789abcdef.json" \
    "$artifacts/prism-api.log"
}
