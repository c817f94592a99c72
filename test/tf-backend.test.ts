import { describe, expect, it } from 'vitest';
import { _pickForTests, NATIVE_PACKAGES } from '../src/embed/tf-backend.js';

describe('TensorFlow.js backend choice', () => {
  it('tries the GPU binding first, and a forced tensorflow that does not load says so and falls back', async () => {
    expect(NATIVE_PACKAGES[0]).toBe('@tensorflow/tfjs-node-gpu');
    const said: string[] = [];
    const { backend } = await _pickForTests('tensorflow', (s) => said.push(s));
    if (backend.startsWith('tensorflow')) return; // a machine with the native binding installed: nothing to say
    expect(['wasm', 'cpu']).toContain(backend);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('@tensorflow/tfjs-node-gpu');
    expect(said[0]).toContain(`using the ${backend} backend`);
  });
});
