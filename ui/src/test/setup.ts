// Every test file: screens may take longer than a second to settle on a busy CI machine.
import { configure } from "@testing-library/svelte";

configure({ asyncUtilTimeout: 5000 });
