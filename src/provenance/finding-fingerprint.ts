// Finding fingerprints live on the ground floor (src/model/); this path keeps importers working.
export * from '../model/finding-fingerprint.js';
