// One TensorFlow.js instance for every model stage (proxy models, a user's model): the native TensorFlow binding
// when installed and loadable (@tensorflow/tfjs-node-gpu first, so a machine with a GPU uses it, then
// @tensorflow/tfjs-node; both optional peer dependencies), else the wasm backend, else the pure-JS cpu backend.
// POISONSCAN_TF_BACKEND=cpu|wasm|tensorflow forces one (tests pin cpu for determinism; the cpu/wasm measurement
// in BENCHMARKS.md uses it); a forced tensorflow that does not load says so once on stderr and falls back.
export type Tf = typeof import('@tensorflow/tfjs');

let loaded: Promise<{ tf: Tf; backend: string }> | undefined;

export function loadTf(): Promise<{ tf: Tf; backend: string }> {
  loaded ??= pick(process.env.POISONSCAN_TF_BACKEND);
  return loaded;
}

/** The native bindings, most capable first. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

async function pick(forced: string | undefined, warn: (s: string) => void = (s) => process.stderr.write(s)): Promise<{ tf: Tf; backend: string }> {
  const problems: string[] = [];
  if (!forced || forced === 'tensorflow') {
    for (const name of NATIVE_PACKAGES) {
      try {
        const tf = (await import(name)) as Tf;
        await tf.ready();
        return { tf, backend: `${tf.getBackend()} (${name})` };
      } catch (e) {
        // absent (an optional peer dependency) or its native library does not load here
        problems.push(`${name}: ${((e as Error).message ?? String(e)).split('\n')[0]}`);
      }
    }
  }
  const tf = await import('@tensorflow/tfjs');
  let backend = 'cpu';
  if (forced !== 'cpu') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) backend = 'wasm';
    } catch {
      // fall through to cpu
    }
  }
  if (backend === 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  if (forced === 'tensorflow') warn(`poisonscan: POISONSCAN_TF_BACKEND=tensorflow, but no native TensorFlow binding loads (${problems.join('; ')}); using the ${backend} backend\n`);
  return { tf, backend };
}

export const _pickForTests = pick;
