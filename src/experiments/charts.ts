import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Report charts as vega-lite specs, rendered to SVG in-process (vega's headless 'none' renderer: no DOM, no
 * browser, no network). Arms keep the spec's order and colours in every chart.
 */

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// Ten colours repeat past ten arms (the paper table has 18), so larger specs get a 20-colour scheme.
const armColor = (arms: string[]) => ({
  field: 'arm', type: 'nominal' as const, title: 'arm', scale: { domain: arms, scheme: arms.length > 10 ? 'category20' : 'tableau10' }, sort: arms,
});

/** Validation metric vs epoch, one line per run (colour = arm, one line per seed). */
export function learningCurveChart(points: { arm: string; seed: number; epoch: number; value: number }[], arms: string[], opts: { title: string; metric: string }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: 480,
    height: 280,
    data: { values: points.map((p) => ({ ...p, run: `${p.arm} s${p.seed}` })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: `valid ${opts.metric}`, scale: { zero: false } },
      color: armColor(arms),
      detail: { field: 'run', type: 'nominal' },
    },
  };
}

/** Grouped bars: test metric means per metric (x) and arm (offset, colour), with ± sd whiskers. */
export function metricBarsChart(rows: { arm: string; metric: string; mean: number; sd: number | null }[], arms: string[], metrics: string[], opts: { title: string }): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, lo: r.mean - (r.sd ?? 0), hi: r.mean + (r.sd ?? 0) }));
  const x = { field: 'metric', type: 'nominal' as const, title: null, sort: metrics };
  const xOffset = { field: 'arm', type: 'nominal' as const, sort: arms, scale: { domain: arms } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: Math.max(360, metrics.length * (arms.length * 14 + 16)),
    height: 260,
    data: { values },
    layer: [
      { mark: 'bar', encoding: { x, xOffset, y: { field: 'mean', type: 'quantitative', title: 'test (mean over seeds)' }, color: armColor(arms) } },
      { mark: { type: 'rule', color: 'black' }, encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  };
}

/** Metric vs noise rate, one line per arm, one panel per metric. */
export function noiseChart(rows: { arm: string; rate: number; metric: string; mean: number }[], arms: string[], opts: { title: string }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'rate', type: 'quantitative', title: 'added noise (% of train)' },
        y: { field: 'mean', type: 'quantitative', title: 'test (mean over seeds)', scale: { zero: false } },
        color: armColor(arms),
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
