import { mount } from "svelte";

import App from "./App.svelte";
import { tauriPlatform } from "./platform/tauri";
import "./styles.css";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
mount(App, { target, props: { platform: tauriPlatform } });
