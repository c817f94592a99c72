import type { Detector } from './detector.js';

export const blend: Detector = {
  name: 'blend',
  description: 'TODO',
  appliesTo: (ctx) => ctx.images !== undefined,
  async run(ctx) {
    return { scores: new Float32Array(ctx.ids.length), findings: [] };
  },
};
