import { mount } from "svelte";

import "../styles.css";
import "./join.css";
import { isLowEndMobile } from "../video/callSettings";
import { callOfLink, chooseBackend } from "../video/backend";
import { loadClinicConfig } from "./clinicConfig";
import JoinPage from "./JoinPage.svelte";
import { VisitFlow } from "./visitFlow";

const flow = new VisitFlow({
  location: window.location,
  history: window.history,
  nowUnix: () => Math.floor(Date.now() / 1000),
  webRtcSupported: () => typeof RTCPeerConnection === "function" && typeof navigator.mediaDevices?.getUserMedia === "function",
  chooseBackend: (link) => chooseBackend(callOfLink(link)),
  loadConfig: () => loadClinicConfig(window.location.href),
  lowEndMobile: isLowEndMobile(navigator as Navigator & { deviceMemory?: number }),
  setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
});
// First: the link leaves the address bar before anything else runs.
void flow.start();
window.addEventListener("pagehide", () => flow.dispose());

const target = document.getElementById("app");
if (target) mount(JoinPage, { target, props: { flow } });
