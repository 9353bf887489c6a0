/*
 * FAQ suggestions on the report form (/lapor), served at /faq/saran.js.
 * While the citizen types a description, published FAQ articles that match
 * it are listed under the field ("Mungkin ini jawabannya"). Links open in a
 * new tab, so the text typed so far stays. Without this script the same
 * matches are shown after submitting a question, before it is filed.
 */
(function () {
  'use strict';

  /** Characters typed before the first lookup; shorter text matches too much. */
  var MIN_CHARS = 15;
  /** Pause after the last keystroke before asking the server, in milliseconds. */
  var DEBOUNCE_MS = 400;
  /** Characters sent; the start of a description carries its topic. */
  var MAX_CHARS = 500;

  function render(box, data) {
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!data.articles || data.articles.length === 0) {
      box.hidden = true;
      return;
    }
    var heading = document.createElement('h2');
    heading.className = 'heading-s';
    heading.textContent = data.heading;
    box.appendChild(heading);
    var hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = data.hint;
    box.appendChild(hint);
    var list = document.createElement('ul');
    list.className = 'list';
    data.articles.forEach(function (article) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = article.url;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = article.question;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function enhance(textarea) {
    var group = textarea.closest('.form-group') || textarea;
    var box = document.createElement('div');
    box.className = 'inset-text faq-suggestions';
    box.setAttribute('aria-live', 'polite');
    box.setAttribute('data-faq-suggestions', '');
    box.hidden = true;
    group.parentNode.insertBefore(box, group.nextSibling);

    var timer = null;
    var controller = null;
    var lastQuery = '';
    textarea.addEventListener('input', function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        var query = textarea.value.trim().slice(0, MAX_CHARS);
        if (query.length < MIN_CHARS) {
          render(box, { articles: [] });
          return;
        }
        if (query === lastQuery) return;
        lastQuery = query;
        if (controller) controller.abort();
        controller = typeof AbortController === 'function' ? new AbortController() : null;
        fetch('/faq/saran?q=' + encodeURIComponent(query), {
          headers: { accept: 'application/json' },
          signal: controller ? controller.signal : undefined,
        })
          .then(function (response) { return response.ok ? response.json() : { articles: [] }; })
          .then(function (data) { render(box, data); })
          .catch(function () { /* A failed lookup only means no suggestions. */ });
      }, DEBOUNCE_MS);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var textarea = document.querySelector('textarea[data-faq-suggest]') || document.getElementById('description');
    if (textarea) enhance(textarea);
  });
})();
