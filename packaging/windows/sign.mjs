#!/usr/bin/env node
// Authenticode signing for VisitDesk's Windows builds. Tauri calls it for the app's .exe, the
// NSIS installer and uninstaller, and the MSI (tauri.conf.json > bundle > windows > signCommand:
// `node packaging/windows/sign.mjs %1`). It reads the certificate from the environment and,
// when none is set, says so and signs nothing, so a build without certificates still works.
//
//   VISITDESK_WINDOWS_CERTIFICATE_THUMBPRINT  SHA-1 thumbprint of a certificate in the Windows
//                                             certificate store (an EV token or HSM too)
//   VISITDESK_WINDOWS_CERTIFICATE             or: a .pfx, base64-encoded (a CI secret) ...
//   VISITDESK_WINDOWS_CERTIFICATE_FILE        ... or the path of a .pfx file
//   VISITDESK_WINDOWS_CERTIFICATE_PASSWORD    the .pfx's password
//   VISITDESK_WINDOWS_TIMESTAMP_URL           RFC 3161 timestamp server (default DigiCert's;
//                                             "none" signs without a timestamp: tests only)
//   VISITDESK_WINDOWS_SIGNTOOL                signtool.exe (else TAURI_WINDOWS_SIGNTOOL_PATH,
//                                             else the newest Windows 10/11 SDK's x64 signtool)
//   VISITDESK_WINDOWS_SIGN_REQUIRED=1         fail instead of skipping when no certificate is set
//
// On Windows it runs signtool (then `signtool verify /pa`). Elsewhere, for a .pfx only, it runs
// osslsigncode (Debian package osslsigncode), so a Linux CI can sign a cross-built installer.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(`usage: node packaging/windows/sign.mjs FILE (got ${file ?? "nothing"})`);
  process.exit(2);
}
const env = process.env;
const thumbprint = env.VISITDESK_WINDOWS_CERTIFICATE_THUMBPRINT?.replace(/\s/g, "");
const pfxBase64 = env.VISITDESK_WINDOWS_CERTIFICATE;
const pfxFile = env.VISITDESK_WINDOWS_CERTIFICATE_FILE;
const password = env.VISITDESK_WINDOWS_CERTIFICATE_PASSWORD ?? "";
const timestamp = env.VISITDESK_WINDOWS_TIMESTAMP_URL ?? "http://timestamp.digicert.com";
const description = "VisitDesk";

if (!thumbprint && !pfxBase64 && !pfxFile) {
  const message =
    `VisitDesk: not signing ${basename(file)}: no certificate. Set VISITDESK_WINDOWS_CERTIFICATE_THUMBPRINT, ` +
    "or VISITDESK_WINDOWS_CERTIFICATE (base64 .pfx) / VISITDESK_WINDOWS_CERTIFICATE_FILE with " +
    "VISITDESK_WINDOWS_CERTIFICATE_PASSWORD (README: Installing and updating).";
  if (env.VISITDESK_WINDOWS_SIGN_REQUIRED === "1") {
    console.error(`${message} VISITDESK_WINDOWS_SIGN_REQUIRED=1: failing.`);
    process.exit(1);
  }
  console.log(message);
  process.exit(0);
}

const scratch = mkdtempSync(join(tmpdir(), "visitdesk-sign-"));
const run = (command, args) => execFileSync(command, args, { stdio: ["ignore", "inherit", "inherit"] });
try {
  let pfx = pfxFile;
  if (!pfx && pfxBase64) {
    pfx = join(scratch, "certificate.pfx");
    writeFileSync(pfx, Buffer.from(pfxBase64, "base64"), { mode: 0o600 });
  }
  if (process.platform === "win32") {
    const signtool = findSigntool();
    const args = ["sign", "/fd", "sha256", "/d", description];
    if (thumbprint) args.push("/sha1", thumbprint);
    else args.push("/f", pfx, "/p", password);
    if (timestamp !== "none") args.push("/tr", timestamp, "/td", "sha256");
    run(signtool, [...args, file]);
    run(signtool, ["verify", "/pa", file]);
  } else {
    if (!pfx) throw new Error("a certificate thumbprint needs the Windows certificate store: sign on Windows, or give a .pfx");
    const signed = join(scratch, `signed-${basename(file)}`);
    const args = ["sign", "-pkcs12", pfx, "-pass", password, "-h", "sha256", "-n", description];
    if (timestamp !== "none") args.push("-ts", timestamp);
    run("osslsigncode", [...args, "-in", file, "-out", signed]);
    renameSync(signed, file);
  }
  console.log(`VisitDesk: signed ${basename(file)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function findSigntool() {
  const given = env.VISITDESK_WINDOWS_SIGNTOOL ?? env.TAURI_WINDOWS_SIGNTOOL_PATH;
  if (given) return given;
  const kits = join(env["ProgramFiles(x86)"] ?? "C:\\Program Files (x86)", "Windows Kits", "10", "bin");
  const versions = existsSync(kits) ? readdirSync(kits).filter((v) => /^10\./.test(v)) : [];
  versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  for (const version of versions.reverse()) {
    const candidate = join(kits, version, "x64", "signtool.exe");
    if (existsSync(candidate)) return candidate;
  }
  return "signtool.exe"; // on PATH, or the error says it is missing
}
