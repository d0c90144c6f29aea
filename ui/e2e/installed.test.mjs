// The .deb that scripts/package built, installed the way IT installs it: `apt-get install
// ./VisitDesk_….deb` pulls its dependencies, the INSTALLED binary (/usr/bin/visitdesk, not
// target/release) opens its first screen in a real window (Xvfb + tauri-driver), and
// `apt-get remove --purge` leaves nothing of the package behind but the user's data.
// Runs as root, through `sudo -n` otherwise, and is skipped (saying why) when neither works.
// scripts/test runs it under `scripts/with-keyring unlocked -- xvfb-run …`.
//
// Tests that need the installed app go between "install" and "remove": use installPackage(),
// launchInstalled() and removePackage() below. Each launch gets a fresh profile (HOME and XDG
// folders in a throwaway directory), so a developer's own VisitDesk data is never touched.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { ROOT, shot, startDriver, withApp } from "./harness.mjs";

const PORT = 4447;
const APP_ID = "org.visitdesk.console";

/** The .deb to install: VISITDESK_DEB, else what scripts/package recorded, else the one in target/. */
function debPath() {
  if (process.env.VISITDESK_DEB) return process.env.VISITDESK_DEB;
  const recorded = join(ROOT, "target/package/bundles.env");
  if (existsSync(recorded)) {
    const line = readFileSync(recorded, "utf8").split("\n").find((l) => l.startsWith("DEB="));
    if (line) return line.slice(4);
  }
  const dir = join(ROOT, "target/release/bundle/deb");
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^VisitDesk_.*\.deb$/.test(f)).map((f) => join(dir, f)) : [];
  if (found.length !== 1) throw new Error(`expected one VisitDesk .deb in target/release/bundle/deb, found ${found.length}: run scripts/package`);
  return found[0];
}

/** How to run apt-get and friends as root: directly, through `sudo -n`, or not at all. */
function privilege() {
  if (process.getuid?.() === 0) return { prefix: [] };
  if (spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0) return { prefix: ["sudo", "-n"] };
  return { skip: "installing a package needs root, or sudo without a password (sudo -n true failed)" };
}
const PRIVILEGE = privilege();

function asRoot(command, args, options = {}) {
  const [cmd, ...rest] = [...PRIVILEGE.prefix, command, ...args];
  return execFileSync(cmd, rest, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
}

const APT = ["-y", "-q", "-o", "DPkg::Lock::Timeout=300"];

/** dpkg's status for a package: "installed", "config-files", or "" when dpkg does not know it. */
export function packageState(name) {
  const result = spawnSync("dpkg-query", ["-W", "-f=${db:Status-Status}", name], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

/** Removes and purges the package if dpkg knows it at all. */
export function removePackage(name) {
  if (packageState(name) === "") return "";
  return asRoot("apt-get", ["remove", "--purge", ...APT, name]);
}

/** Installs the .deb with apt-get (which installs its dependencies), purging an earlier install
 * first. Returns the package's name and the paths `dpkg -L` lists for it. */
export function installPackage(deb = debPath()) {
  const name = execFileSync("dpkg-deb", ["-f", deb, "Package"], { encoding: "utf8" }).trim();
  removePackage(name);
  const log = asRoot("apt-get", ["install", ...APT, deb]);
  assert.equal(packageState(name), "installed", `apt-get install ${deb} did not install ${name}:\n${log}`);
  const files = execFileSync("dpkg", ["-L", name], { encoding: "utf8" }).split("\n").filter((p) => p.startsWith("/"));
  return { name, deb, files, log };
}

/** A throwaway profile: HOME and the XDG folders the app and WebKit write to. The Secret
 * Service and X display of the surrounding session stay as they are. */
export function freshProfile() {
  const dir = mkdtempSync(join(tmpdir(), "visitdesk-installed-"));
  const env = {
    HOME: join(dir, "home"),
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_CACHE_HOME: join(dir, "cache"),
    XDG_STATE_HOME: join(dir, "state"),
  };
  for (const folder of Object.values(env)) mkdirSync(folder, { recursive: true });
  return { dir, env, dataDir: join(env.XDG_DATA_HOME, APP_ID) };
}

/** The pids of running processes whose executable is `binary`. */
function processesOf(binary) {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`) === binary;
      } catch {
        return false;
      }
    });
}

/** Launches the installed binary with a fresh profile (or `profile`) under tauri-driver, runs
 * `steps(browser, profile)`, and ends the session and the driver. Returns the profile. */
export async function launchInstalled(name, steps, { binary, env = {}, profile = freshProfile() } = {}) {
  const session = await startDriver({ logName: `app-installed-${name}.log`, port: PORT, application: binary, env: { ...profile.env, ...env } });
  try {
    await withApp(`installed-${name}`, (browser) => steps(browser, profile), PORT, binary);
  } finally {
    session.driver.kill();
  }
  return profile;
}

let installed;
const profiles = [];

after(() => {
  for (const profile of profiles) rmSync(profile.dir, { recursive: true, force: true });
});

test("install: apt-get installs the .deb and its dependencies; dpkg lists the binary, desktop entry and icons", { skip: PRIVILEGE.skip }, () => {
  installed = installPackage();
  const { name, files } = installed;
  const binary = "/usr/bin/visitdesk";
  assert.ok(files.includes(binary), `dpkg -L ${name} lists ${binary}: ${files.join(" ")}`);
  assert.ok(lstatSync(binary).mode & 0o111, `${binary} is executable`);
  const desktop = files.filter((p) => /^\/usr\/share\/applications\/[^/]+\.desktop$/.test(p));
  assert.equal(desktop.length, 1, `one desktop entry: ${desktop}`);
  const entry = readFileSync(desktop[0], "utf8");
  assert.match(entry, /^Exec=visitdesk$/m, entry);
  assert.match(entry, /^Icon=visitdesk$/m, entry);
  assert.match(entry, /^Name=VisitDesk$/m, entry);
  if (spawnSync("desktop-file-validate", ["--help"], { stdio: "ignore" }).status === 0) {
    const check = spawnSync("desktop-file-validate", [desktop[0]], { encoding: "utf8" });
    assert.equal(check.status, 0, `desktop-file-validate: ${check.stdout}${check.stderr}`);
  }
  const icons = files.filter((p) => /^\/usr\/share\/icons\/hicolor\/[^/]+\/apps\/visitdesk\.png$/.test(p));
  assert.ok(icons.some((p) => p.includes("/128x128/")) && icons.some((p) => p.includes("/512x512/")), `icons: ${icons}`);
  for (const icon of icons) assert.ok(existsSync(icon), `${icon} is on disk`);
  installed.binary = binary;
});

test("the installed app opens on the setup screen with a fresh profile", { skip: PRIVILEGE.skip }, async () => {
  assert.ok(installed, "the package is installed");
  const profile = await launchInstalled(
    "first-screen",
    async (browser) => {
      await browser.$('[data-testid="setup-form"]').waitForDisplayed({ timeout: 30_000 });
      assert.ok(processesOf(installed.binary).length > 0, `a process runs ${installed.binary}`);
      assert.equal(await browser.getTitle(), "VisitDesk");
      await shot(browser, "installed-01-setup");
    },
    { binary: installed.binary },
  );
  profiles.push(profile);
  assert.ok(existsSync(profile.dataDir), `the app made its data folder ${profile.dataDir}`);
});

// Tests that need the installed app go above this line.

test("remove --purge: nothing of the package is left but the user's data", { skip: PRIVILEGE.skip }, () => {
  assert.ok(installed, "the package is installed");
  const { name, files } = installed;
  removePackage(name);
  assert.equal(packageState(name), "", `dpkg has forgotten ${name} (purged, no config files left)`);
  const left = files.filter((path) => existsSync(path));
  for (const path of left) {
    const isDir = lstatSync(path).isDirectory();
    // A directory that another package also ships (/usr/bin, /usr/share/icons/hicolor/…) stays.
    const owners = spawnSync("dpkg-query", ["-S", path], { encoding: "utf8" });
    assert.ok(isDir && owners.status === 0, `${path} is left behind after purge${isDir ? " (a directory no other package owns)" : ""}`);
  }
  assert.ok(!existsSync(installed.binary), `${installed.binary} is gone`);
  assert.ok(profiles.length > 0 && profiles.every((p) => existsSync(p.dataDir)), "the user's data folder is still there");
  console.log(`${files.length} paths listed; after purge ${left.length} shared directories remain, the rest is gone`);
});
