// The reports page (/reports): one Apache ECharts chart and one table per report, from the JSON
// reports (/api/v1/reports/<name>). Only the chart types used are imported (bar, line).
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const hours = (s) => (s === null || s === undefined ? null : Math.round(s / 36) / 100);
const pct = (r) => (r === null || r === undefined ? '' : `${Math.round(r * 1000) / 10}%`);
const step = (r) => `${r.process_name} · ${r.node_name}`;

// per report: the category of a row, the chart's series, the table's columns [label key, value]
const SPECS = {
  processes: { cat: (r) => r.name, type: 'bar',
    series: [['count', (r) => r.count], ['approved', (r) => r.approved], ['rejected', (r) => r.rejected]],
    table: [['count', (r) => r.count], ['approved', (r) => r.approved], ['rejected', (r) => r.rejected],
      ['running', (r) => r.running], ['approval_rate', (r) => pct(r.approval_rate)],
      ['median', (r) => hours(r.median_seconds)], ['p90', (r) => hours(r.p90_seconds)], ['overdue', (r) => r.overdue]],
    head: 'process' },
  nodes: { cat: step, type: 'bar',
    series: [['median', (r) => hours(r.median_seconds)], ['p90', (r) => hours(r.p90_seconds)]],
    table: [['count', (r) => r.count], ['approval_rate', (r) => pct(r.approval_rate)],
      ['median', (r) => hours(r.median_seconds)], ['p90', (r) => hours(r.p90_seconds)], ['open', (r) => r.open],
      ['overdue', (r) => r.overdue]],
    head: 'step' },
  people: { cat: (r) => r.display_name, type: 'bar',
    series: [['pending', (r) => r.pending], ['overdue', (r) => r.overdue]],
    table: [['pending', (r) => r.pending], ['overdue', (r) => r.overdue], ['decided', (r) => r.decided],
      ['avg', (r) => hours(r.avg_decide_seconds)]],
    head: 'person' },
  bottlenecks: { cat: step, type: 'bar', horizontal: true,
    series: [['median', (r) => hours(r.median_seconds)], ['p90', (r) => hours(r.p90_seconds)]],
    table: [['median', (r) => hours(r.median_seconds)], ['p90', (r) => hours(r.p90_seconds)], ['open', (r) => r.open],
      ['overdue', (r) => r.overdue]],
    head: 'step' },
  trends: { cat: (r) => r.week, type: 'line',
    series: [['started', (r) => r.started], ['finished', (r) => r.finished], ['approved', (r) => r.approved],
      ['rejected', (r) => r.rejected]],
    table: [['started', (r) => r.started], ['finished', (r) => r.finished], ['approved', (r) => r.approved],
      ['rejected', (r) => r.rejected]],
    head: 'week' },
  sla: { cat: step, type: 'bar',
    series: [['due', (r) => r.due], ['overdue', (r) => r.overdue], ['urged', (r) => r.urged]],
    table: [['tasks', (r) => r.tasks], ['due', (r) => r.due], ['overdue', (r) => r.overdue], ['urged', (r) => r.urged]],
    head: 'step' },
};

function option(spec, rows, labels) {
  const cats = rows.map(spec.cat);
  const catAxis = { type: 'category', data: cats, axisLabel: { fontSize: 11, hideOverlap: true, width: 90,
    overflow: 'truncate' } };
  const valAxis = { type: 'value', minInterval: spec.type === 'line' || spec.series[0][0] !== 'median' ? 1 : 0 };
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { fontSize: 12 } },
    grid: { left: 8, right: 12, top: 32, bottom: 8, containLabel: true },
    xAxis: spec.horizontal ? valAxis : catAxis,
    yAxis: spec.horizontal ? catAxis : valAxis,
    series: spec.series.map(([key, value]) => ({ name: labels[key], type: spec.type, data: rows.map(value) })),
  };
}

function table(spec, rows, labels) {
  const t = document.createElement('table');
  t.className = 'report-rows';
  const head = t.createTHead().insertRow();
  [spec.head, ...spec.table.map(([k]) => k)].forEach((k) => {
    const th = document.createElement('th');
    th.textContent = labels[k];
    head.appendChild(th);
  });
  const body = t.createTBody();
  rows.forEach((r) => {
    const tr = body.insertRow();
    [spec.cat(r), ...spec.table.map(([, v]) => v(r))].forEach((v) => {
      tr.insertCell().textContent = v === null || v === undefined ? '' : String(v);
    });
  });
  return t;
}

async function draw(card, config) {
  const name = card.dataset.report;
  const spec = SPECS[name];
  const chartEl = card.querySelector('.report-chart');
  const tableEl = card.querySelector('.report-table');
  const qs = new URLSearchParams(config.query).toString();
  const response = await fetch(`/api/v1/reports/${name}${qs ? `?${qs}` : ''}`,
    { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) {
    chartEl.textContent = config.labels.failed;
    return;
  }
  const { rows } = await response.json();
  if (!rows.length) {
    chartEl.classList.add('empty');
    chartEl.textContent = config.labels.empty;
    card.classList.add('ready');
    return;
  }
  const chart = echarts.init(chartEl, null, { renderer: 'canvas' });
  chart.setOption(option(spec, rows, config.labels));
  window.addEventListener('resize', () => chart.resize());
  tableEl.appendChild(table(spec, rows, config.labels));
  card.classList.add('ready');
}

const configEl = document.getElementById('reports-config');
if (configEl) {
  const config = JSON.parse(configEl.textContent);
  document.querySelectorAll('section.report[data-report]').forEach((card) => {
    draw(card, config).catch((e) => { card.querySelector('.report-chart').textContent = String(e); });
  });
}
