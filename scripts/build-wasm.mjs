// Compiles the AssemblyScript kernels in assembly/ to dist/wasm/*.wasm. Run by `npm run build` (and so by
// `npm ci` through `prepare`) before tsc; the .wasm files are build output and are not committed.
// Fails the build, with the compiler's message, if a kernel does not compile.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'wasm');
mkdirSync(outDir, { recursive: true });

// --runtime stub and --use abort= : the kernels allocate nothing and import nothing, so the module
// instantiates with an empty import object. --noAssert drops bounds asserts from the hot loops.
const FLAGS = ['--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--noColors'];

for (const name of ['gemm', 'spmm', 'adam', 'elementwise', 'rows']) {
  const { error, stderr } = await asc.main([join(root, 'assembly', `${name}.ts`), ...FLAGS, '-o', join(outDir, `${name}.wasm`)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: assembly/${name}.ts failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: dist/wasm/${name}.wasm`);
}
