// The image fingerprint columns live on the ground floor (src/model/); this path keeps importers working.
export * from '../model/image-features.js';
