// Image folders: every image file is a sample; a first-level subfolder names its label (torchvision's ImageFolder),
// or a manifest (--manifest) lists the images and their labels.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../types.js';
import type { DatasetFormatModule } from '../dataset-format.js';
import { hasImageExtension } from '../image-source.js';
import { listImageFolder } from '../imagefolder.js';
import { listManifest } from '../manifest.js';
import { checkEmbeddingRows } from '../read-options.js';

export const imagefolder: DatasetFormatModule<'imagefolder'> = {
  name: 'imagefolder',
  // The general layout: images, or folders (of images one level down or deeper), once no other format holds it.
  folder: {
    rank: 60,
    async holds(path, names) {
      if (names.some((n) => hasImageExtension(n))) return true;
      for (const n of names) {
        try {
          if ((await stat(join(path, n))).isDirectory()) return true;
        } catch {
          // unreadable entries are reported by the lister
        }
      }
      return false;
    },
  },
  async read(path, opts) {
    const t0 = performance.now();
    opts.progress.stage('list');
    const listing = opts.manifest ? await listManifest(path, opts.manifest) : await listImageFolder(path);
    opts.progress.done();
    if (listing.samples.length === 0) throw new UsageError(`no image files found in ${path}`);
    checkEmbeddingRows(opts, listing.samples.length);
    const samples = listing.samples;
    return {
      path, format: 'imagefolder', modality: 'image',
      ids: samples.map((s) => s.id), labels: samples.map((s) => s.label), sourceRows: samples.map((_, i) => i),
      images: { samples, close: async () => undefined },
      errors: listing.errors,
      stages: { ingest: (performance.now() - t0) / 1000 },
    };
  },
};
