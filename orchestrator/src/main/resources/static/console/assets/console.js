// Behaviour of every console page, kept out of the HTML: the Content-Security-Policy allows no inline script or
// event handler. A button with data-show-dialog="<id>" opens that dialog; one with data-close-dialog closes its own.
document.addEventListener('click', function (e) {
  var open = e.target.closest('[data-show-dialog]');
  if (open) {
    document.getElementById(open.getAttribute('data-show-dialog')).showModal();
    return;
  }
  var close = e.target.closest('[data-close-dialog]');
  if (close) {
    close.closest('dialog').close();
  }
});

// Times: the server writes them in UTC, with the instant in the datetime attribute; each is shown as a readable date
// in the browser's time zone, with the UTC time in its title. Again after htmx swaps a live part in.
function localTimes() {
  document.querySelectorAll('time[datetime]:not([data-local])').forEach(function (t) {
    var d = new Date(t.getAttribute('datetime'));
    if (isNaN(d.getTime())) {
      return;
    }
    t.title = t.textContent + ' UTC';
    t.textContent = d.toLocaleString(undefined, {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit'
    });
    t.setAttribute('data-local', '');
  });
}
document.addEventListener('DOMContentLoaded', localTimes);
document.addEventListener('htmx:afterSettle', localTimes);
