// Copies the front-end packages Weerbaar uses from node_modules into the Django static folder.
// Nothing is fetched at run time: pages load these files from our own origin only.
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "src", "weerbaar", "static", "vendor");

const files = [
  ["@utrecht/component-library-css/dist/index.css", "utrecht/component-library.css"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
];

for (const [from, to] of files) {
  const source = join(root, "node_modules", from);
  if (!existsSync(source)) {
    console.error(`missing ${from}: run 'npm ci' first`);
    process.exit(1);
  }
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}
console.log(`front-end assets copied to ${vendor.replace(root + "/", "")}`);
