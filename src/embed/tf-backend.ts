// One TensorFlow.js instance for every model stage (proxy models, a user's model): tfjs-node when installed and
// loadable, else the wasm backend, else the pure-JS cpu backend. POISONSCAN_TF_BACKEND=cpu|wasm|tensorflow forces
// one (tests pin cpu for determinism; the cpu/wasm measurement in BENCHMARKS.md uses it).
export type Tf = typeof import('@tensorflow/tfjs');

let loaded: Promise<{ tf: Tf; backend: string }> | undefined;

export function loadTf(): Promise<{ tf: Tf; backend: string }> {
  loaded ??= pick(process.env.POISONSCAN_TF_BACKEND);
  return loaded;
}

async function pick(forced: string | undefined): Promise<{ tf: Tf; backend: string }> {
  if (!forced || forced === 'tensorflow') {
    try {
      const name = '@tensorflow/tfjs-node';
      const tf = (await import(name)) as Tf;
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    } catch {
      // the optional native backend is absent (installs without network drop it)
    }
  }
  const tf = await import('@tensorflow/tfjs');
  if (forced !== 'cpu') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm' };
      }
    } catch {
      // fall through to cpu
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu' };
}
