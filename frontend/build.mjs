// Copies the few distribution files the pages load from frontend/node_modules (filled by `npm ci`) into
// service/static/vendor/, flat (the wheel ships static/vendor/*), with the licences and versions they came with.
// Source-map comments are dropped so that no page asks for a file we do not ship. Writes .built last, as
// the stamp the Makefile checks.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "service", "static", "vendor");

// package -> { file in the package: name in vendor/ }
const FILES = {
  "@zazuko/yasgui": { "build/yasgui.min.js": "yasgui.min.js", "build/yasgui.min.css": "yasgui.min.css" },
  cytoscape: { "dist/cytoscape.min.js": "cytoscape.min.js", LICENSE: "cytoscape.LICENSE.txt" },
};
const SOURCE_MAP = /\n?\/[/*][#@] sourceMappingURL=[^\n]*$/;

function packageJson(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
}

function copy(from, to) {
  if (/\.(js|css)$/.test(to)) {
    writeFileSync(to, readFileSync(from, "utf8").replace(SOURCE_MAP, "\n"));
  } else {
    copyFileSync(from, to);
  }
}

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
const versions = {};
for (const [name, files] of Object.entries(FILES)) {
  const meta = packageJson(name);
  versions[name] = { version: meta.version, license: meta.license, homepage: meta.homepage || null,
                     files: Object.values(files) };
  for (const [source, target] of Object.entries(files)) {
    copy(join(modules, name, source), join(vendor, target));
  }
}
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
writeFileSync(join(vendor, ".built"), "");
for (const [name, { version, files }] of Object.entries(versions)) {
  console.log(`vendor: ${name}@${version}: ${files.join(", ")}`);
}
