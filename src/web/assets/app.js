/*
 * Small enhancements; every page works without this file.
 * 1. A desa select (data-village-select="<id of the kecamatan select>") lists
 *    only the desa of the chosen kecamatan, and choosing a desa first sets
 *    its kecamatan.
 * 2. The error summary takes focus on load, and its links focus the field.
 * 3. A form is not sent twice by a double click.
 */
(function () {
  'use strict';

  function filterVillages(villageSelect, districtSelect, groups) {
    var chosen = districtSelect.value;
    var selected = villageSelect.value;
    var empty = villageSelect.querySelector('option[value=""]');
    while (villageSelect.lastChild && villageSelect.lastChild !== empty) villageSelect.removeChild(villageSelect.lastChild);
    if (empty && villageSelect.firstChild !== empty) villageSelect.insertBefore(empty, villageSelect.firstChild);
    var keep = false;
    groups.forEach(function (group) {
      if (chosen && group.getAttribute('data-key') !== chosen) return;
      var copy = group.cloneNode(true);
      villageSelect.appendChild(copy);
      if (copy.querySelector('option[value="' + CSS.escape(selected) + '"]')) keep = true;
    });
    villageSelect.value = keep ? selected : '';
  }

  function enhanceVillageSelect(villageSelect) {
    var districtSelect = document.getElementById(villageSelect.getAttribute('data-village-select'));
    if (!districtSelect) return;
    var groups = Array.prototype.slice.call(villageSelect.querySelectorAll('optgroup')).map(function (group) {
      return group.cloneNode(true);
    });
    districtSelect.addEventListener('change', function () { filterVillages(villageSelect, districtSelect, groups); });
    villageSelect.addEventListener('change', function () {
      var option = villageSelect.options[villageSelect.selectedIndex];
      var group = option && option.parentNode && option.parentNode.tagName === 'OPTGROUP' ? option.parentNode : null;
      if (group && !districtSelect.value) {
        districtSelect.value = group.getAttribute('data-key');
        filterVillages(villageSelect, districtSelect, groups);
      }
    });
    if (districtSelect.value) filterVillages(villageSelect, districtSelect, groups);
  }

  function enhanceErrorSummary(summary) {
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) return;
      var field = document.getElementById(link.getAttribute('href').slice(1));
      if (!field) return;
      event.preventDefault();
      var details = field.closest('details');
      if (details) details.open = true;
      var label = document.querySelector('label[for="' + CSS.escape(field.id) + '"]') || field.closest('fieldset');
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  function preventDoubleSubmit(form) {
    form.addEventListener('submit', function (event) {
      if (form.getAttribute('data-submitted') === 'true') {
        event.preventDefault();
        return;
      }
      form.setAttribute('data-submitted', 'true');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('select[data-village-select]').forEach(enhanceVillageSelect);
    var summary = document.querySelector('[data-error-summary]');
    if (summary) enhanceErrorSummary(summary);
    document.querySelectorAll('form[method="post"]').forEach(preventDoubleSubmit);
  });

  // A page restored from the back-forward cache may be sent again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    document.querySelectorAll('form[data-submitted]').forEach(function (form) { form.removeAttribute('data-submitted'); });
  });
})();
