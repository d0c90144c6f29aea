#!/usr/bin/env node
// Usage: node scripts/twilio-oai-overlay.mjs SRC_DIR OUT_DIR
//
// Copies Twilio's OpenAPI specs (twilio_video_v1.json, twilio_api_v2010.json) from SRC_DIR
// to OUT_DIR, declaring how Twilio sends array parameters in form bodies: one key per
// value (`VideoCodecs=VP8&VideoCodecs=H264`), i.e. `encoding: {style: form, explode: true}`
// for each array property of every application/x-www-form-urlencoded request body.
// Without it Prism answers such requests with 422 "must be array". SRC_DIR is only read.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SPECS = ['twilio_video_v1.json', 'twilio_api_v2010.json'];
const FORM = 'application/x-www-form-urlencoded';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const [srcDir, outDir] = process.argv.slice(2);
if (!srcDir || !outDir) {
  console.error('usage: node scripts/twilio-oai-overlay.mjs SRC_DIR OUT_DIR');
  process.exit(2);
}

/** Follows a local `$ref` ("#/components/schemas/x") to what it names. */
function resolve(spec, node, seen = new Set()) {
  while (node && typeof node.$ref === 'string') {
    if (!node.$ref.startsWith('#/') || seen.has(node.$ref)) return node;
    seen.add(node.$ref);
    node = node.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, key) => (at === undefined ? undefined : at[key]), spec);
  }
  return node;
}

/** Every property of an object schema, through `allOf`. */
function properties(spec, schema) {
  schema = resolve(spec, schema);
  if (!schema || typeof schema !== 'object') return {};
  const own = { ...(schema.properties ?? {}) };
  for (const part of schema.allOf ?? []) Object.assign(own, properties(spec, part));
  return own;
}

function isArray(spec, schema) {
  const resolved = resolve(spec, schema);
  return resolved?.type === 'array' || (Array.isArray(resolved?.type) && resolved.type.includes('array'));
}

/** Adds the encodings in place; returns how many fields it declared. */
function overlay(spec) {
  let declared = 0;
  for (const pathItem of Object.values(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem?.[method];
      const body = resolve(spec, operation?.requestBody);
      const media = body?.content?.[FORM];
      if (!media) continue;
      for (const [name, schema] of Object.entries(properties(spec, media.schema))) {
        if (!isArray(spec, schema)) continue;
        media.encoding ??= {};
        media.encoding[name] = { ...(media.encoding[name] ?? {}), style: 'form', explode: true };
        declared += 1;
      }
    }
  }
  return declared;
}

mkdirSync(outDir, { recursive: true });
for (const file of SPECS) {
  const spec = JSON.parse(readFileSync(join(srcDir, file), 'utf8'));
  const declared = overlay(spec);
  writeFileSync(join(outDir, file), JSON.stringify(spec));
  console.log(`${file}: form encoding declared for ${declared} array field(s)`);
}
