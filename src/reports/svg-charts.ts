/**
 * Charts of the printed and on-screen monthly report, drawn on the server
 * with ECharts' SVG renderer, so the report needs no JavaScript in the
 * browser or in the PDF printer. Pages embed each SVG as an image
 * (`data:image/svg+xml`), which the Content-Security-Policy allows and which
 * keeps the SVG's own styles away from the page.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Echarts from 'echarts';
import { SEED_DIR } from '../commands/load-reference-data.ts';

/** Map name under which the kecamatan polygons are registered. */
export const DISTRICT_MAP = 'karanganyar-kecamatan';
export const DISTRICT_GEOJSON = path.join(SEED_DIR, 'karanganyar-kecamatan.geojson');

const BAR_COLOUR = '#1d70b8';
const TEXT_COLOUR = '#0b0c0c';
const FONT = 'Noto Sans, Helvetica, Arial, sans-serif';
/** Light-to-dark blues of the choropleth, from no reports to the most. */
const MAP_COLOURS = ['#f3f2f1', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];

// ECharts adds about 40 MiB to the process, so it is loaded on the first chart drawn.
const require = createRequire(import.meta.url);
let loadedEcharts: typeof Echarts | undefined;

function echarts(): typeof Echarts {
  loadedEcharts ??= require('echarts') as typeof Echarts;
  return loadedEcharts;
}

let mapRegistered = false;

function ensureDistrictMap(): void {
  if (mapRegistered) return;
  const geojson = JSON.parse(fs.readFileSync(DISTRICT_GEOJSON, 'utf8'));
  echarts().registerMap(DISTRICT_MAP, geojson);
  mapRegistered = true;
}

/** Renders one chart option to an SVG string and frees the chart. */
function renderSvg(option: Echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: TEXT_COLOUR }, ...option });
    return chart.renderToSVGString();
  } finally {
    // Without dispose, ECharts keeps a timer that keeps the process running.
    chart.dispose();
  }
}

/**
 * Draws a bar chart, vertical by default; horizontal bars suit long labels.
 *
 * @example barChartSvg({ labels: ['WhatsApp', 'Situs web'], values: [12, 5] })
 */
export function barChartSvg(input: { labels: string[]; values: number[]; horizontal?: boolean; width?: number; height?: number }): string {
  const width = input.width ?? 640;
  const height = input.height ?? (input.horizontal ? Math.max(160, 28 * input.labels.length + 50) : 280);
  const category = {
    type: 'category' as const,
    data: input.labels,
    axisLabel: input.horizontal ? { width: 260, overflow: 'truncate' as const } : { interval: 0, rotate: input.labels.length > 6 ? 30 : 0 },
    inverse: input.horizontal,
  };
  const value = { type: 'value' as const, minInterval: 1 };
  return renderSvg(
    {
      grid: { left: input.horizontal ? 270 : 50, right: 40, top: 20, bottom: input.horizontal ? 30 : 70, containLabel: false },
      xAxis: input.horizontal ? value : category,
      yAxis: input.horizontal ? category : value,
      series: [{ type: 'bar', data: input.values, itemStyle: { color: BAR_COLOUR }, label: { show: true, position: input.horizontal ? 'right' : 'top' } }],
    },
    width,
    height,
  );
}

/**
 * Draws the kecamatan choropleth; `values` is keyed by Kemendagri code (33.13.xx).
 *
 * @example mapChartSvg({ values: [{ code: '33.13.09', name: 'Karanganyar', value: 14 }] })
 */
export function mapChartSvg(input: { values: { code: string; name: string; value: number }[]; width?: number; height?: number }): string {
  ensureDistrictMap();
  const max = Math.max(1, ...input.values.map((entry) => entry.value));
  return renderSvg(
    {
      visualMap: {
        min: 0, max, left: 10, bottom: 10, calculable: false, inRange: { color: MAP_COLOURS }, text: [String(max), '0'],
      },
      series: [{
        type: 'map',
        map: DISTRICT_MAP,
        nameProperty: 'kode',
        roam: false,
        label: { show: true, fontSize: 9, formatter: (params: { data?: { caption?: string } }) => params.data?.caption ?? '' },
        itemStyle: { borderColor: '#505a5f', borderWidth: 0.6 },
        data: input.values.map((entry) => ({ name: entry.code, value: entry.value, caption: `${entry.name}\n${entry.value}` })),
      }],
    },
    input.width ?? 560,
    input.height ?? 520,
  );
}

/** Returns an SVG as a `data:` URL for an `<img>`. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
