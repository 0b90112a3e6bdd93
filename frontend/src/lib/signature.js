// A signature pad: a canvas drawn on with a mouse, a pen or a finger (pointer events), fitted to its
// box (375 px phones included) at the screen's pixel density. `pad.dataUrl()` is the PNG data URL the
// task actions send as `signature`, or null while nothing is drawn.
export function signaturePad(canvas, clearButton) {
  const ctx = canvas.getContext('2d');
  let drawn = false;
  let last = null;

  function fit() {
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.2;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
    drawn = false;
  }
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }
  canvas.style.touchAction = 'none'; // a finger draws instead of scrolling the page
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    ctx.beginPath();
    ctx.arc(last.x, last.y, 1, 0, Math.PI * 2);
    ctx.fill();
    drawn = true;
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    const p = at(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  const stop = () => { last = null; };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
  if (clearButton) clearButton.addEventListener('click', () => { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
  fit();
  return { dataUrl: () => (drawn ? canvas.toDataURL('image/png') : null), isEmpty: () => !drawn };
}
