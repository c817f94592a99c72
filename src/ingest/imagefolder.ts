// Lists an image folder: ImageFolder layout (label = first-level subfolder) or flat/unlabelled. Every file a
// training loader would read is listed: names starting with a dot too (torchvision's ImageFolder loads hidden
// class folders and files). Symbolic links that lead outside the dataset folder are refused and reported.
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { hasImageExtension, type ImageListing, type ImageSample } from './image-source.js';
import { isInside } from './inside-root.js';

export async function listImageFolder(root: string): Promise<ImageListing> {
  const files: string[] = [];
  const errors: ImageListing['errors'] = [];
  const seen = new Set<string>();
  const realRoot = await realpath(root).catch(() => root);
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (e) {
      errors.push({ id: relId(root, dir), error: `cannot resolve folder: ${reason(e)}` });
      return;
    }
    if (!isInside(realRoot, real)) {
      errors.push({ id: relId(root, dir), error: 'symbolic link to a folder outside the dataset; not read' });
      return;
    }
    // Symlink loops and folders linked twice: each real folder is walked once.
    if (seen.has(real)) {
      if (dir !== root) errors.push({ id: relId(root, dir), error: 'folder already visited (symlink loop or duplicate link); skipped' });
      return;
    }
    seen.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      errors.push({ id: relId(root, dir) || '.', error: `cannot read folder: ${reason(e)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const full = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const s = await stat(full);
          isDir = s.isDirectory();
          isFile = s.isFile();
          if (isFile && hasImageExtension(ent.name) && !isInside(realRoot, await realpath(full))) {
            errors.push({ id: relId(root, full), error: 'symbolic link to a file outside the dataset; not read' });
            continue;
          }
        } catch (e) {
          if (hasImageExtension(ent.name)) errors.push({ id: relId(root, full), error: `broken link: ${reason(e)}` });
          continue;
        }
      }
      if (isDir) await walk(full);
      else if (isFile && hasImageExtension(ent.name)) files.push(full);
    }
  };
  await walk(root);
  const rel = files.map((f) => relId(root, f));
  // ImageFolder layout only when every image sits exactly one folder deep.
  const labelled = rel.length > 0 && rel.every((r) => r.split('/').length === 2);
  const samples: ImageSample[] = files.map((path, i) => fileSample(rel[i]!, labelled ? rel[i]!.split('/')[0]! : null, path));
  return { samples, errors };
}

export function fileSample(id: string, label: string | null, path: string): ImageSample {
  return { id, label, path, read: () => readFile(path) };
}

function relId(root: string, p: string): string {
  return relative(root, p).split(sep).join('/');
}

export function reason(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e) {
    const code = String((e as { code: unknown }).code);
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'ENOENT') return 'no such file';
    if (code === 'ELOOP') return 'too many levels of symbolic links';
    if (code === 'EISDIR') return 'is a folder';
  }
  return e instanceof Error ? e.message : String(e);
}
