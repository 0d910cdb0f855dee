// The run page's training curve: train and validation loss per epoch (uPlot, from the server's data-curve), the
// epoch whose parameters were kept (data-kept; while training, the best so far) as a dashed line. The legend is the
// page's own (#curve-legend), so uPlot's is off. Drawn when the page loads, and again each time the live part (htmx)
// brings it anew: while the run trains, with each epoch recorded (an event, not an inline script: the
// Content-Security-Policy allows none).
window.drawCurve = function () {
  var el = document.getElementById('curve');
  if (!el || !window.uPlot || el.getAttribute('data-drawn')) { return; }
  el.setAttribute('data-drawn', 'true');
  var curve = JSON.parse(el.getAttribute('data-curve'));
  var kept = el.getAttribute('data-kept') ? Number(el.getAttribute('data-kept')) : null;
  var epochs = curve.map(function (e) { return e.epoch; });
  var train = curve.map(function (e) { return e.trainLoss; });
  var val = curve.map(function (e) { return e.validationLoss; });
  var first = epochs[0], last = epochs[epochs.length - 1];
  // whole epochs only: 1, 2, 5, 10 ... apart, about eight at most
  function epochTicks(u, axis, min, max) {
    var lo = Math.ceil(min), hi = Math.floor(max), steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], step = 1;
    for (var i = 0; i < steps.length && (hi - lo) / steps[i] > 8; i++) { step = steps[i + 1] || steps[i]; }
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi; t += step) { ticks.push(t); }
    el.setAttribute('data-x-ticks', ticks.join(','));
    return ticks;
  }
  function markKept(u) {
    if (kept === null) { return; }
    var x = u.valToPos(kept, 'x', true), ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#15803d';
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }
  var series = [{ label: 'epoch' }, { label: 'train loss', stroke: '#2563eb', width: 2 }];
  var data = [epochs, train];
  if (val.some(function (v) { return v !== null; })) {
    series.push({ label: 'validation loss', stroke: '#b45309', width: 2 });
    data.push(val);
  }
  new uPlot({
    width: Math.min(900, el.clientWidth || 900), height: 280,
    legend: { show: false },
    scales: { x: { time: false, range: function () { return [Math.min(first, 1), Math.max(last, first + 1)]; } } },
    axes: [{ label: 'epoch', splits: epochTicks, values: function (u, ticks) { return ticks.map(String); } },
      { label: 'loss' }],
    series: series,
    hooks: { draw: [markKept] }
  }, data, el);
};
document.addEventListener('DOMContentLoaded', window.drawCurve);
document.addEventListener('htmx:afterSettle', window.drawCurve);
