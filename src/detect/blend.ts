// blend: a faint full-image pattern shared by many images (Blended: x' = (1-a)x + a t; SIG: x' = x + d sin(...);
// frequency-domain triggers). Works from ratios of about 0.1% up; below that the shared component is too weak
// against natural variation, and trigger-cluster is the detector for few samples.
//
// How: each image's whitened residual spectrum (blend/spectra.ts: each pixel minus its neighbours' mean, weighed
// by how much less that pixel varies across the dataset than a typical one, luma divided by the image's own local
// spread at each place (the background an added pattern is seen against), as luma and chroma DCT coefficients,
// each divided by its natural spread in the dataset, layout dropped) weighs every frequency, and every place, by how
// far a pattern there stands above natural variation. A backdoor steers its samples to one target label, so a pattern
// added to some of a class's images shifts that class's mean and spreads the class along it: templates start from
// the mean shift and the first few directions of spread and are refined from the images that stand out
// (blend/template.ts, blend/class-tail.ts), and from the directions where the class varies beyond the other classes
// at low frequencies, where per-coefficient whitening hides a slow pattern (blend/contrast.ts), and from each axis of
// the class's first few dozen directions of luma spread scaled to unit variance, where a pattern with a natural
// spectrum hides among the class's own kinds (blend/sphere.ts); each start's tail is
// a candidate, judged against a significance line shared among the class's starts. Natural class structure moves all of a
// class's images a little; a pattern moves its carriers a lot: a one-sided tail far beyond what a Gaussian gives is
// a candidate. Images of one kind (a style or outline a class shares, e.g. centred objects on a plain ground) make
// such tails too; they are related by content, poisoned images are not: the first candidate is reported whose
// members' look-alikes in the class do not share their score and whose members are not one another's nearest looks
// among the whole dataset (blend/look-alikes.ts); its members are then scored on its template from the whole class,
// each left out of it (blend/complete.ts). Unlabelled data is treated as one class.
import type { FrequencyPeak, Tally, TypedFinding } from '../model/evidence.js';
import type { ImageFeatures } from '../model/image-features.js';
import { parametersOf, type Detector } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import { coarseLuma, coarsePattern, contentLink, type ContentLink } from './blend/look-alikes.js';
import { oneSidedTail, TAIL_Z } from './blend/template.js';
import { LUMA_SIDE, lumaPattern } from './blend/spectra.js';
import { searchClasses } from './blend/search.js';
import { tailTemplate } from './blend/contrast.js';
import { completeGroup } from './blend/complete.js';
import { normalQuantile, normalUpperTailLog10 } from '../util/p-values.js';

const MIN_MEMBERS = 10;
/** Tail count over the opposite tail's (plus one) before a pattern is reported. */
const MIN_EXCESS = 8;
/** Members and tail excess from which a pattern is reported high: multiples of the lines it is reported from. */
export function highLine(p: { minMembers: number; minExcess: number }): { members: number; excess: number } {
  return { members: 3 * p.minMembers, excess: 4 * p.minExcess };
}
/** (tail - opposite) / sqrt(tail + opposite + 1) needed as well. */
const MIN_SIGNIFICANCE = 4;
/**
 * Share of a group's template score its look-alikes carry at or above which the group is taken for images of one
 * kind. Measured on clean and poisoned image sets of 10,000 to 60,000 images (docs/detectors/blend.md): carriers of
 * added patterns 0.09 or less, one-kind groups of centred objects mostly 0.14-0.7.
 */
const MAX_CONTENT_SHARE = 0.1;
/**
 * How many times more often than chance a member's nearest looks (among its class and images of other classes) are
 * other members, at or above which the group is taken for images of one kind. Measured (docs/detectors/blend.md):
 * carriers of added patterns 0-5; one-kind groups that share less than MAX_CONTENT_SHARE 12.9 and above.
 */
const MAX_COHESION = 8;
/**
 * The same line where there are no images of other classes to count (unlabelled data, one class): nearest looks
 * within the class alone, the line measured before other classes were counted. A parameter set lower still wins.
 */
const MAX_COHESION_WITHIN = 4;
/**
 * The line for a group found where its class varies beyond the others at low frequencies (the shape of things, where
 * kinds of a class live): on the clean sets of 10,000 to 60,000 images in docs/detectors/blend.md, the groups found
 * there that pass every other test cohere at 3.6 and above. It is not a guarantee: natural groups that cohere less
 * do occur (the limits in that page).
 */
const MAX_COHESION_CONTRAST = 3.2;
/**
 * A tail of the sphered directions (blend/sphere.ts) is held to this many times the excess line: sphered, every one
 * of a class's first few dozen directions of spread counts alike, and natural groups stand out on some of them. On
 * the largest clean set in docs/detectors/blend.md, such groups that pass the look tests have 8.3 and 10 times their
 * opposite tail: twice the excess line keeps them out.
 */
const SPHERED_EXCESS = 2;

const PARAMETERS = {
  minMembers: { kind: 'int', default: MIN_MEMBERS, min: 3, help: "images in a class's tail from which a pattern may be reported" },
  minExcess: { kind: 'number', default: MIN_EXCESS, min: 1, help: "a tail's count over the opposite tail's (plus one) needed to report it" },
  minSignificance: { kind: 'number', default: MIN_SIGNIFICANCE, min: 0, help: "a tail's surplus over counting noise needed to report it" },
  maxContentShare: { kind: 'number', default: MAX_CONTENT_SHARE, min: 0, max: 1, help: 'share of the score carried by look-alikes from which a group is taken for images of one kind' },
  maxCohesion: { kind: 'number', default: MAX_COHESION, min: 1, help: "times chance that members' nearest looks are other members, from which a group is taken for one kind" },
} as const satisfies ParameterSpecs;

export const blend: Detector<TypedFinding<'faint-pattern'>> = {
  name: 'blend',
  parameters: PARAMETERS,
  description: 'a faint full-image pattern (blended image, sinusoid, frequency trigger) shared by many images; for ratios >= ~0.1%',
  appliesTo: (ctx) => ctx.images !== undefined && ctx.ids.length >= 200,
  limits: {
    needs: 'images',
    minGroup: { parameter: 'minMembers' },
    blind: [
      'faint full-image patterns in fewer images than its minMembers parameter (10 by default, in the tail of one class)',
      'a pattern added only to images that look alike (one kind of a class): images of one kind are taken for content',
      'a blended natural image with little fine detail (sky, a plain ground) or at alpha below about 0.15: a blend at alpha carries about alpha² of the image\'s whitened energy, and a smooth image has little',
      'a colour noise blended at alpha below about 0.1 (measured on 32x32 JPEG: what JPEG keeps of it is a luma noise of about half its strength)',
      'smooth patterns of fewer than about 5 cycles per image at small amplitude (found in some draws, missed in others), and such patterns on images with a black ground (clipped, they differ from carrier to carrier and their carriers look alike)',
      "a pattern whose direction is not among its class's first four directions of spread (measured on small grey images of one cut per class: some noise blends and sinusoids)",
    ],
  },
  async run(ctx) {
    const p = parametersOf(ctx, 'blend', PARAMETERS);
    const f = ctx.images!;
    const n = ctx.ids.length;
    const classes = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = ctx.labels[i] ?? '';
      let c = classes.get(key);
      if (!c) classes.set(key, (c = []));
      c.push(i);
    }
    const scores = new Float32Array(n);
    const findings: TypedFinding<'faint-pattern'>[] = [];
    let coarse: Float32Array | undefined;
    // Spectra are made once, and only when some class is large enough to be searched.
    const searched = [...classes.values()].filter((members) => members.length >= 100);
    if (searched.length === 0) return { scores, findings };
    const { spectra, tails } = await searchClasses(f, searched, ctx.concurrency);
    const outsideOf: number[][] = [];
    for (const [k, members] of searched.entries()) {
      const candidates = tails[k]!;
      // Below a finding, a projection is weak evidence: it ranks under the pattern detectors near-misses.
      const best = candidates[0]!;
      for (let t = 0; t < members.length; t++) {
        const zi = best.z[t]!;
        if (zi > 0) scores[members[t]!] = Math.max(scores[members[t]!]!, 0.25 * (zi / (zi + 2 * TAIL_Z)));
      }
      // Every start's tail is a candidate, most significant first (the sphered starts' after the others); the first that
      // passes every test is reported.
      // Each start is a chance for a natural tail to pass: a low-frequency contrast tail is held to the one-start
      // line's tail probability shared among all the class's starts. The other starts keep the one-start line: shared
      // among them, it would drop the smallest groups the line was set for (20 of a class of 120, with nothing
      // opposite, is at 4.4).
      // The sphered starts, tried after the others, do not move it: groups the others find are reported as before.
      const contrastLine = startsLine(p.minSignificance, candidates.filter((c) => !c.sphered).length);
      for (const r of candidates) {
        // One-sided (a pattern shifts its carriers to one side only), and the surplus far beyond counting noise.
        const { opposite } = oneSidedTail(r.z);
        const tail = members.filter((_, t) => r.z[t]! >= TAIL_Z);
        const excess = tail.length / (opposite + 1);
        const excessLine = r.sphered ? SPHERED_EXCESS * p.minExcess : p.minExcess;
        if (tail.length < p.minMembers || excess < excessLine || r.significance < (r.contrast ? contrastLine : p.minSignificance)) continue;
        // A group whose look-alikes share its score is related by content, not by an added pattern.
        coarse ??= coarseLuma(f);
        const pattern = lumaPattern(spectra, r.template ?? tailTemplate(spectra, members, r.z));
        const inGroup = Uint8Array.from(members, (_, t) => (r.z[t]! >= TAIL_Z ? 1 : 0));
        outsideOf[k] ??= [...Array(n).keys()].filter((i) => (ctx.labels[i] ?? '') !== (ctx.labels[members[0]!] ?? ''));
        // Each cohesion line goes with the look distance it was measured with: remainders at unit length for the
        // low-frequency groups (a slow pattern takes most of a coarse look), plain remainders for the others.
        const link = contentLink(coarse, members, r.z, inGroup, coarsePattern(pattern, LUMA_SIDE), outsideOf[k], p.maxContentShare, r.contrast === true);
        let cohesionLine = outsideOf[k].length > 0 ? p.maxCohesion : Math.min(p.maxCohesion, MAX_COHESION_WITHIN);
        if (r.contrast) cohesionLine = Math.min(cohesionLine, MAX_COHESION_CONTRAST);
        if (link.share >= p.maxContentShare || link.cohesion >= cohesionLine) continue;
        // The group has passed: its members are scored on its template from the whole class, each left out of it; a
        // member keeps the better of that and its cross-fitted score (a group found where its class varies beyond the
        // others stands out there more than in the spectra the whole-class template is made of).
        const whole = completeGroup(spectra, members, r.z);
        const z = whole.map((v, t) => Math.max(v, r.z[t]!));
        members.forEach((i, t) => {
          if (z[t]! >= TAIL_Z) scores[i] = Math.max(scores[i]!, 0.5 + 0.5 * Math.min(1, (z[t]! - TAIL_Z) / (2 * TAIL_Z)));
          else if (z[t]! > 0) scores[i] = Math.max(scores[i]!, 0.25 * (z[t]! / (z[t]! + 2 * TAIL_Z)));
        });
        // Severity is decided on the tail the tests above passed: the completion adds members, not evidence.
        findings.push(describe(n, ctx.labels, f, pattern, members.filter((_, t) => z[t]! >= TAIL_Z), tail.length, excess, link, highLine(p)));
        break;
      }
    }
    return { scores, findings };
  },
};

/** The z line whose upper tail is that of `line` shared among `starts` tests (Bonferroni). */
export function startsLine(line: number, starts: number): number {
  if (starts <= 1 || line <= 0) return line;
  return normalQuantile(10 ** normalUpperTailLog10(line) / starts);
}

function describe(n: number, labels: (string | null)[], f: ImageFeatures, mean: Float64Array, members: number[], tested: number, excess: number, link: ContentLink, high: { members: number; excess: number }): TypedFinding<'faint-pattern'> {
  // The template is the pattern estimate; report its strength on an 8x8 grid and its dominant frequencies.
  const coarse: number[][] = [];
  const cell = LUMA_SIDE / 8;
  for (let y = 0; y < 8; y++) {
    const row: number[] = [];
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let dy = 0; dy < cell; dy++) for (let dx = 0; dx < cell; dx++) s += Math.abs(mean[(y * cell + dy) * LUMA_SIDE + x * cell + dx]!);
      row.push(s / (cell * cell));
    }
    coarse.push(row);
  }
  const labelCounts: Tally = {};
  for (const i of members) {
    const l = labels[i] ?? '(none)';
    labelCounts[l] = (labelCounts[l] ?? 0) + 1;
  }
  const severity = tested >= high.members && excess >= high.excess ? 'high' : 'medium';
  return {
    form: 'faint-pattern',
    kind: 'blend',
    severity,
    score: Math.min(1, 0.5 + 0.1 * Math.log10(excess)),
    samples: members,
    evidence: {
      images: n,
      tailExcess: excess,
      lookAlikeShare: link.share,
      lookCohesion: link.cohesion,
      labels: labelCounts,
      patternStrength8x8: coarse,
      dominantFrequency: dominantFrequency(mean),
      grid: f.grid,
    },
  };
}

/** Strongest horizontal and vertical frequency (cycles per image) of a side x side pattern, by 1-D DFT of its mean profile. */
function dominantFrequency(pattern: Float64Array): { horizontal: FrequencyPeak; vertical: FrequencyPeak } {
  const s = LUMA_SIDE;
  const cols = new Float64Array(s);
  const rows = new Float64Array(s);
  for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
    cols[x] += pattern[y * s + x]! / s;
    rows[y] += pattern[y * s + x]! / s;
  }
  const peak = (v: Float64Array) => {
    let bestF = 0, bestP = 0;
    for (let fr = 1; fr <= s / 2; fr++) {
      let re = 0, im = 0;
      for (let t = 0; t < s; t++) {
        re += v[t]! * Math.cos((2 * Math.PI * fr * t) / s);
        im += v[t]! * Math.sin((2 * Math.PI * fr * t) / s);
      }
      const p = re * re + im * im;
      if (p > bestP) {
        bestP = p;
        bestF = fr;
      }
    }
    return { frequency: bestF, amplitude: (2 * Math.sqrt(bestP)) / s };
  };
  return { horizontal: peak(cols), vertical: peak(rows) };
}
