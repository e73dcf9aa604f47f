(function () {
  var q = document.getElementById('q');
  var box = document.getElementById('q-box');
  if (!q || !box) return;
  box.hidden = false;
  var rows = document.querySelectorAll('tr[data-svc]');
  q.addEventListener('input', function () {
    var v = q.value.trim().toLowerCase();
    rows.forEach(function (r) {
      r.classList.toggle('nomatch', v !== '' && (r.getAttribute('data-search') || '').indexOf(v) < 0);
    });
  });
})();
