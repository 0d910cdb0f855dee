// The run page's training curve: train and validation loss per epoch (uPlot, from the server's data-curve).
// Drawn when the page loads, and when the live part (htmx) brings the curve of a run that just ended (an event, not an
// inline script: the Content-Security-Policy allows none).
window.drawCurve = function () {
  var el = document.getElementById('curve');
  if (!el || !window.uPlot || el.getAttribute('data-drawn')) { return; }
  el.setAttribute('data-drawn', 'true');
  var curve = JSON.parse(el.getAttribute('data-curve'));
  var epochs = curve.map(function (e) { return e.epoch; });
  var train = curve.map(function (e) { return e.trainLoss; });
  var val = curve.map(function (e) { return e.validationLoss; });
  new uPlot({
    width: Math.min(900, el.clientWidth || 900), height: 280,
    scales: { x: { time: false } },
    axes: [{ label: 'epoch' }, { label: 'loss' }],
    series: [{}, { label: 'train loss', stroke: '#2563eb', width: 2 }, { label: 'validation loss', stroke: '#b45309', width: 2 }]
  }, [epochs, train, val], el);
};
document.addEventListener('DOMContentLoaded', window.drawCurve);
document.addEventListener('htmx:afterSettle', window.drawCurve);
