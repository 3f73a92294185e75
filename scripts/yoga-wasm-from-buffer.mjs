// yoga-layout (Ink's layout engine) carries its WebAssembly as a base64 data
// URL and, where a global fetch exists (Node 18+), reads it with
// fetch(dataURL): that loads Node's whole fetch implementation (undici) and
// decodes the 90 KB slowly, ~45 ms of the live view's first frame. This
// esbuild plugin decodes the same data URL with Buffer instead; the bytes are
// the same. The build fails if yoga's loader changed.
import { readFile } from 'node:fs/promises';

/** `w`: wasm bytes handed in by the embedder (none here); `ua(H)`: H is the base64 data URL; 37 = its prefix's length. */
const LOADER = 'function ya(){return w||"function"!=typeof fetch?';
const PREFIX = 'data:application/octet-stream;base64,';

export const yogaWasmFromBuffer = {
  name: 'yoga-wasm-from-buffer',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (source.split(LOADER).length !== 2 || !source.includes(`function ua(a){return a.startsWith("${PREFIX}")}`)) {
        return { errors: [{ text: `yoga-wasm-from-buffer: ${args.path} no longer loads its wasm as expected: check the patch against the new code` }] };
      }
      const patched = source.replace(LOADER, `function ya(){if(!w&&ua(H))return Promise.resolve(new Uint8Array(Buffer.from(H.slice(${PREFIX.length}),"base64")));return w||"function"!=typeof fetch?`);
      return { contents: patched, loader: 'js' };
    });
  },
};
