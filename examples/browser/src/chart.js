// A small line chart on a canvas, no library: loss and accuracy per batch,
// validation loss and accuracy per epoch. Loss on the left axis (0 .. max
// seen), accuracy on the right (0 .. 1). Redrawn at most once a frame.

const COLORS = { loss: '#2962ff', acc: '#ff6d00', valLoss: '#6a1b9a', valAcc: '#2e7d32', grid: '#e3e8ee', text: '#5f6b7a' };

export class TrainingChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.reset(1, 1);
    this.pending = false;
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** Start a new run of `epochs` x `batches` steps. */
  reset(epochs, batches) {
    this.steps = Math.max(1, epochs * batches);
    this.batches = batches;
    /** @type {{ step: number, loss: number, acc: number }[]} */
    this.batch = [];
    /** @type {{ step: number, loss: number, acc: number }[]} */
    this.epoch = [];
    this.schedule();
  }

  addBatch(step, loss, acc) {
    this.batch.push({ step, loss, acc });
    this.schedule();
  }

  addEpoch(step, valLoss, valAcc) {
    this.epoch.push({ step, loss: valLoss, acc: valAcc });
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const pad = { l: 44, r: 40, t: 10, b: 26 };
    const pw = w - pad.l - pad.r;
    const ph = h - pad.t - pad.b;
    const losses = [...this.batch, ...this.epoch].map((p) => p.loss).filter(Number.isFinite);
    const maxLoss = Math.max(0.1, ...losses) * 1.05;
    const x = (step) => pad.l + (step / this.steps) * pw;
    const yLoss = (v) => pad.t + ph - (v / maxLoss) * ph;
    const yAcc = (v) => pad.t + ph - v * ph;

    // grid and axes
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = pad.t + (ph * i) / 4;
      g.strokeStyle = COLORS.grid;
      g.beginPath();
      g.moveTo(pad.l, y);
      g.lineTo(pad.l + pw, y);
      g.stroke();
      g.fillStyle = COLORS.loss;
      g.textAlign = 'right';
      g.fillText((maxLoss * (1 - i / 4)).toFixed(2), pad.l - 6, y + 4);
      g.fillStyle = COLORS.acc;
      g.textAlign = 'left';
      g.fillText(`${Math.round(100 * (1 - i / 4))}%`, pad.l + pw + 6, y + 4);
    }
    g.fillStyle = COLORS.text;
    g.textAlign = 'center';
    const epochs = Math.round(this.steps / this.batches);
    const every = Math.max(1, Math.ceil(epochs / 12));
    for (let e = 0; e <= epochs; e += every) g.fillText(`${e}`, x(e * this.batches), h - 8);
    g.textAlign = 'left';
    g.fillText('epoch', pad.l + pw + 6, h - 8);

    const line = (pts, y, color, width, dots) => {
      if (!pts.length) return;
      g.strokeStyle = color;
      g.fillStyle = color;
      g.lineWidth = width;
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo(x(p.step), y(p)) : g.moveTo(x(p.step), y(p))));
      g.stroke();
      if (dots) for (const p of pts) g.fillRect(x(p.step) - 2.5, y(p) - 2.5, 5, 5);
    };
    line(
      this.batch.filter((p) => Number.isFinite(p.acc)),
      (p) => yAcc(p.acc),
      COLORS.acc,
      1.2,
      false,
    );
    line(this.batch, (p) => yLoss(p.loss), COLORS.loss, 1.5, false);
    line(
      this.epoch.filter((p) => Number.isFinite(p.acc)),
      (p) => yAcc(p.acc),
      COLORS.valAcc,
      2,
      true,
    );
    line(
      this.epoch.filter((p) => Number.isFinite(p.loss)),
      (p) => yLoss(p.loss),
      COLORS.valLoss,
      2,
      true,
    );
  }
}
