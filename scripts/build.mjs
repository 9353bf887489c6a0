/**
 * Compiles src/ to JavaScript in build/, one output file per source file,
 * so that `npm start` runs the server without the tsx loader in the process.
 *
 * Why: under tsx the server held about 70 MiB more resident memory than the
 * same code compiled ahead of time (docs/benchmarks.md, Memory), which kept
 * the embedded-database server above its 200 MB target.
 *
 * The tree keeps src/'s layout and depth (src/db/migrate.ts becomes
 * build/db/migrate.js), so every path a module computes from its own URL
 * (migrations/, seed/, src/web/assets) still resolves. Files that are not
 * TypeScript (stylesheets, browser scripts, images) are copied beside the
 * modules. Packages stay external: nothing from node_modules is bundled.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'src');
const OUTPUT = path.join(ROOT, 'build');

/** Lists every file under `dir`, as absolute paths. */
function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

const isModule = (file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts');

/** Keeps every import as it is written, except relative .ts/.tsx paths, which now name the .js output. */
const keepImports = {
  name: 'keep-imports',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const relative = args.path.startsWith('./') || args.path.startsWith('../');
      return { path: relative ? args.path.replace(/\.tsx?$/, '.js') : args.path, external: true };
    });
  },
};

/** Hashes every source file's path, size and modification time, and this script's. */
function fingerprint(files) {
  const hash = createHash('sha256');
  for (const file of [...files, fileURLToPath(import.meta.url)].sort()) {
    const stat = fs.statSync(file);
    hash.update(`${path.relative(ROOT, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const started = Date.now();
const files = listFiles(SOURCE);
const stamp = fingerprint(files);
const STAMP_FILE = path.join(OUTPUT, '.fingerprint');
/** The path in build/ of a source file's output. */
const outputOf = (file) => path.join(OUTPUT, path.relative(SOURCE, isModule(file) ? file.replace(/\.tsx?$/, '.js') : file));
const complete = () => files.every((file) => fs.existsSync(outputOf(file)));
if (fs.existsSync(STAMP_FILE) && fs.readFileSync(STAMP_FILE, 'utf8') === stamp && complete()) {
  // Unchanged sources: a second server started beside a running one must not
  // replace the files the first one still loads on demand.
  process.exit(0);
}
// Built beside the old tree and swapped in at the end, so an interrupted
// build never leaves a half-written build/.
const staging = `${OUTPUT}.${process.pid}`;
fs.rmSync(staging, { recursive: true, force: true });
await build({
  entryPoints: files.filter(isModule),
  outdir: staging,
  outbase: SOURCE,
  bundle: true,
  plugins: [keepImports],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  logLevel: 'warning',
});
for (const file of files.filter((candidate) => !isModule(candidate))) {
  const target = path.join(staging, path.relative(SOURCE, file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}
fs.writeFileSync(path.join(staging, '.fingerprint'), stamp);
const retired = `${OUTPUT}.old.${process.pid}`;
if (fs.existsSync(OUTPUT)) fs.renameSync(OUTPUT, retired);
fs.renameSync(staging, OUTPUT);
fs.rmSync(retired, { recursive: true, force: true });
console.log(`build/: ${files.filter(isModule).length} modules compiled in ${Date.now() - started} ms`);
