// An image sample before decoding: its id, its label, and how to get its bytes.

export interface ImageSample {
  id: string;
  label: string | null;
  /** The encoded file; throws with a readable reason when it cannot be read. */
  read(): Promise<Uint8Array>;
  /** Where the bytes live, when it is a file (for reports and hashing). */
  path?: string;
}

export interface ImageListing {
  samples: ImageSample[];
  /** Problems met while listing (unreadable folders, symlink loops), by the path's id. */
  errors: { id: string; error: string }[];
}
