// The operator's page: search a person, open the 360° view, log a call. No framework, no external fetch:
// everything goes to grc (window.SUT_CONFIG.grcUrl). Elements keep stable ids / data-testid (sut/README.md).
(function () {
  'use strict';
  var grc = (window.SUT_CONFIG && window.SUT_CONFIG.grcUrl) || '';
  var $ = function (id) { return document.getElementById(id); };
  var current = null;

  function text(s) { return s === null || s === undefined ? '—' : String(s); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function dl(pairs) {
    var d = el('dl');
    pairs.forEach(function (p) { d.appendChild(el('dt', {}, [p[0]])); d.appendChild(el('dd', p[2] ? { 'data-testid': p[2] } : {}, [text(p[1])])); });
    return d;
  }
  function showError(message) {
    var e = $('error');
    e.textContent = message;
    e.hidden = !message;
  }
  function request(method, path, body) {
    return fetch(grc + path, {
      method: method,
      headers: body ? { 'content-type': 'application/json', 'x-role': 'customer-service' } : { 'x-role': 'customer-service' },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) throw new Error((json && json.message) || ('HTTP ' + r.status));
        return json;
      });
    });
  }

  $('search-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var q = $('search-input').value.trim();
    var status = $('search-status');
    status.dataset.state = 'loading';
    status.textContent = 'Recherche…';
    showError('');
    request('GET', '/persons?q=' + encodeURIComponent(q) + '&limit=20').then(function (res) {
      var list = $('search-results');
      list.textContent = '';
      res.items.forEach(function (p) {
        var open = el('button', { type: 'button', 'data-testid': 'open-360', 'data-person-id': p.id }, ['360°']);
        open.addEventListener('click', function () { open360(p.id); });
        list.appendChild(el('li', { 'data-testid': 'search-result', 'data-person-id': p.id }, [el('span', {}, [p.lastName + ' ' + p.firstName + ' · ' + p.postcode + ' ' + p.city]), open]));
      });
      status.textContent = res.count + ' résultat(s)';
      status.dataset.state = 'ready';
    }).catch(function (e) { status.dataset.state = 'error'; status.textContent = ''; showError(e.message); });
  });

  function open360(id) {
    var panel = $('person-360');
    panel.dataset.state = 'loading';
    showError('');
    request('GET', '/persons/' + id + '/360').then(function (v) {
      current = v.person;
      $('person-name').textContent = v.person.firstName + ' ' + v.person.lastName + ' (' + v.person.birthDate + ')';
      var cs = v.customerService, legal = v.legal, sales = v.sales, billing = v.billing;
      fill('section-customer-service', cs ? dl([['E-mail', cs.contact.email, 'contact-email'], ['Téléphone', cs.contact.phone, 'contact-phone'], ['Disponibilité', cs.contact.availability], ['Derniers appels', cs.recentCalls.length, 'recent-calls-count']]) : null);
      fill('section-legal', legal ? dl([['Contrats', legal.contracts.length, 'contracts-count'], ['Déclaration de santé', typeof legal.healthDeclaration === 'string' ? legal.healthDeclaration : 'visible (rôle légal)']]) : null);
      fill('section-sales', sales ? dl([["Catégorie d'âge", sales.profile.ageCategory], ['Profession', sales.profile.profession], ['Offres', sales.offers.length, 'offers-count']]) : null);
      fill('section-billing', billing ? dl([['IBAN', billing.account.iban, 'iban'], ['Mandat SEPA', billing.account.sepaMandate ? billing.account.sepaMandate.reference : null], ['Dernières factures', billing.lastInvoices.length, 'invoices-count']]) : null);
      $('call-form').hidden = false;
      $('call-result').textContent = '';
      $('call-result').dataset.state = 'idle';
      panel.dataset.state = 'ready';
      panel.dataset.personId = id;
    }).catch(function (e) { panel.dataset.state = 'error'; showError(e.message); });
  }
  function fill(sectionId, content) {
    var body = $(sectionId).querySelector('.body');
    body.textContent = '';
    body.appendChild(content || el('p', {}, ['Inconnu de ce département']));
  }

  $('call-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!current) return;
    var result = $('call-result');
    result.dataset.state = 'saving';
    var body = { reason: $('call-reason').value, operator: $('call-operator').value, actions: $('call-actions').value };
    if ($('call-redirect').value) body.redirectTo = $('call-redirect').value;
    request('POST', '/persons/' + current.id + '/calls', body).then(function (c) {
      result.textContent = 'Appel enregistré, ticket n° ' + c.ticketId;
      result.dataset.state = 'saved';
      result.dataset.ticketId = c.ticketId;
    }).catch(function (e) { result.dataset.state = 'error'; showError(e.message); });
  });
})();
