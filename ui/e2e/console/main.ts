// The console's real UI (App) in a browser page, over the test-only HTTP platform.
import { mount } from "svelte";

import App from "../../src/App.svelte";
import "../../src/styles.css";
import { httpPlatform } from "./httpPlatform";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
mount(App, { target, props: { platform: httpPlatform } });
