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
