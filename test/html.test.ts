import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../src/report/html.js';
import type { Report } from '../src/types.js';

const evil = '<img src=x onerror=alert(1)>.png';

describe('report.html', () => {
  it('escapes every string taken from the dataset and carries no script', async () => {
    const report: Report = {
      schema: 'poisonscan/report@1',
      tool: { name: 'poisonscan', version: 't' },
      dataset: { path: '/data/<script>alert(1)</script>', format: 'imagefolder', modality: 'image', samples: 1, labels: { '<b>cat</b>': 1 } },
      config: {},
      timing: { seconds: 1, samplesPerSecond: 1, stages: {} },
      findings: [{ id: 'F1', detector: 'trigger-cluster', kind: 'trigger-cluster', severity: 'high', score: 1, title: `pattern in ${evil}`, samples: [evil], evidence: { note: '"><svg onload=alert(1)>' } }],
      errors: [{ id: `bad/${evil}`, error: 'corrupt <b>' }],
    };
    const html = await renderHtml({ report, indexOf: new Map([[evil, 0]]) });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<b>cat');
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|https?:\/\//i);
  });
});
