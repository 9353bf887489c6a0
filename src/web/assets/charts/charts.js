/*
 * Draws the dashboard and transparency charts with ECharts (served from
 * /assets/charts/echarts.min.js). Every chart's data is already on the page
 * as a table; this file only adds the picture. Each `.chart__canvas` carries
 * its data in `data-chart` (JSON):
 *   { kind: 'bar' | 'stacked' | 'hbar' | 'line' | 'map',
 *     categories: [label, ...], codes: [code, ...] (map only),
 *     series: [{ name, data: [number|null, ...], hrefs: [url|null, ...] }],
 *     format: 'count' | 'percent' | 'decimal', geojson: url (map only) }
 * Clicking a bar, point or kecamatan with an href opens it (the filtered inbox).
 */
(function () {
  'use strict';

  var echarts = window.echarts;
  if (!echarts || !document.querySelector('[data-chart]')) return;

  var PALETTE = ['#1d70b8', '#f47738', '#00703c', '#4c2c92', '#d4351c', '#28a197', '#b58840', '#5694ca', '#912b88', '#85994b', '#505a5f', '#003078', '#f499be'];
  var MAP_COLOURS = ['#f3f2f1', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];
  var locale = document.documentElement.lang === 'en' ? 'en-GB' : 'id-ID';
  var charts = [];

  function formatValue(value, format) {
    if (value === null || value === undefined) return '–';
    if (format === 'percent') return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value * 100) + ' %';
    if (format === 'decimal') return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
    return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
  }

  // Tooltips are plain text (richText), so no inline style attributes are needed under the CSP.
  function tooltip(format) {
    return {
      renderMode: 'richText',
      valueFormatter: function (value) { return formatValue(value, format); },
    };
  }

  function valueAxis(format) {
    return {
      type: 'value',
      minInterval: format === 'count' ? 1 : undefined,
      max: format === 'percent' ? 1 : undefined,
      axisLabel: { formatter: function (value) { return formatValue(value, format); } },
    };
  }

  function cartesian(spec) {
    var horizontal = spec.kind === 'hbar';
    var category = {
      type: 'category',
      data: spec.categories,
      inverse: horizontal,
      axisLabel: horizontal ? { width: 180, overflow: 'truncate' } : { hideOverlap: true },
    };
    return {
      color: PALETTE,
      tooltip: Object.assign({ trigger: spec.kind === 'line' || spec.kind === 'stacked' ? 'axis' : 'item' }, tooltip(spec.format)),
      legend: spec.series.length > 1 ? { type: 'scroll', top: 0 } : undefined,
      grid: { left: horizontal ? 190 : 50, right: 30, top: spec.series.length > 1 ? 40 : 20, bottom: 40 },
      xAxis: horizontal ? valueAxis(spec.format) : category,
      yAxis: horizontal ? category : valueAxis(spec.format),
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: spec.kind === 'line' ? 'line' : 'bar',
          stack: spec.kind === 'stacked' ? 'total' : undefined,
          connectNulls: false,
          data: series.data,
          cursor: series.hrefs ? 'pointer' : 'default',
        };
      }),
    };
  }

  function mapOption(spec, name) {
    var series = spec.series[0];
    var max = Math.max.apply(null, [1].concat(series.data));
    return {
      tooltip: Object.assign({ trigger: 'item', formatter: function (params) {
        var index = spec.codes.indexOf(params.name);
        return (spec.categories[index] || params.name) + ': ' + formatValue(params.value, spec.format);
      } }, { renderMode: 'richText' }),
      visualMap: { min: 0, max: max, left: 10, bottom: 10, calculable: false, inRange: { color: MAP_COLOURS }, text: [formatValue(max, spec.format), '0'] },
      series: [{
        type: 'map',
        map: name,
        nameProperty: 'kode',
        roam: false,
        selectedMode: false,
        label: { show: true, fontSize: 10, formatter: function (params) {
          var index = spec.codes.indexOf(params.name);
          return index >= 0 ? spec.categories[index] : '';
        } },
        emphasis: { label: { show: true } },
        itemStyle: { borderColor: '#505a5f', borderWidth: 0.6 },
        data: spec.codes.map(function (code, index) { return { name: code, value: series.data[index] }; }),
      }],
    };
  }

  function hrefOf(spec, params) {
    var series = spec.series[params.seriesIndex || 0];
    if (!series || !series.hrefs) return null;
    var index = params.dataIndex;
    if (spec.kind === 'map') index = spec.codes.indexOf(params.name);
    return index >= 0 ? series.hrefs[index] : null;
  }

  function draw(element, spec, mapName) {
    var chart = echarts.init(element, null, { renderer: 'svg' });
    chart.setOption(spec.kind === 'map' ? mapOption(spec, mapName) : cartesian(spec));
    chart.on('click', function (params) {
      var href = hrefOf(spec, params);
      if (href) window.location.href = href;
    });
    charts.push(chart);
  }

  var maps = {};
  function withMap(url, callback) {
    if (maps[url]) return maps[url].then(callback);
    maps[url] = fetch(url, { credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('map ' + url + ' returned ' + response.status);
        return response.json();
      })
      .then(function (geojson) {
        var name = 'map-' + Object.keys(maps).length;
        echarts.registerMap(name, geojson);
        return name;
      });
    return maps[url].then(callback);
  }

  document.documentElement.classList.add('charts-ready');
  Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (element) {
    var spec;
    try {
      spec = JSON.parse(element.getAttribute('data-chart'));
    } catch (error) {
      return;
    }
    if (spec.kind === 'map') {
      withMap(spec.geojson, function (name) { draw(element, spec, name); }).catch(function () {
        // Without the map file the table below stays the only view.
        element.hidden = true;
      });
    } else {
      draw(element, spec);
    }
  });

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { charts.forEach(function (chart) { chart.resize(); }); }, 150);
  });
})();
