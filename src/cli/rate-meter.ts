/** Items per second over the last few seconds of samples, and the ETA it gives. */
const WINDOW_MS = 10_000;

export class RateMeter {
  private samples: { at: number; done: number }[] = [];

  add(done: number, at = Date.now()): void {
    const last = this.samples.at(-1);
    if (last && done < last.done) this.samples = [];
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
  }

  /** null until two samples a moment apart exist. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 500) return null;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }
}
