/**
 * A rough forecast of the driver's answer, only to choose how a candle is sent: leverage drifts from the last exactly
 * known point (L0 at P0) as l = L0 x / (1 + s L0 (x - 1)), x = P / P0, s = +1 long / -1 short (funding and fees
 * ignored, hence the 3% margins). A candle forecast as possibly due is sent the normal way (receipt read at once)
 * instead of QUIET, which would revert and be replayed. A wrong forecast costs time, never correctness: the driver,
 * the venue and the Rebalancer decide either way.
 */
import type { Methodology } from "../../config/parameters";
import type { Candle } from "./csv";
import { fromWad } from "./driver-codec";

export class DueForecast {
  /** The last exactly known point: leverage `lev` at `price`, and `t` the last keeper action (or the window's open). */
  private lev: number;
  private price: number;
  private t: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly target: number;
  private readonly tolerance: number;
  private readonly side: number;

  constructor(
    private readonly m: Methodology,
    isLong: boolean,
    private readonly barSeconds: number,
    first: Candle,
  ) {
    this.lev = fromWad(m.targetLeverage);
    this.price = first.o;
    this.t = first.t;
    this.lo = fromWad(m.minLeverage) * 1.03;
    this.hi = fromWad(m.maxLeverage) * 0.97;
    this.target = fromWad(m.targetLeverage);
    this.tolerance = fromWad(m.tolerance) - 0.03 * this.target;
    this.side = isLong ? 1 : -1;
  }

  /** A run ran through: leverage is `lev` at `price`. */
  moved(lev: number, price: number): void {
    this.lev = lev;
    this.price = price;
  }

  /** The keeper acted at `t`: leverage is `lev` at `price`, and the interval restarts. */
  rebalanced(lev: number, price: number, t: number): void {
    this.moved(lev, price);
    this.t = t;
  }

  /** Leverage at `price`, extrapolated from the last exactly known point (Infinity past a total loss). */
  private levAt(price: number): number {
    const x = price / this.price;
    const den = 1 + this.side * this.lev * (x - 1);
    return den <= 0 ? Infinity : (this.lev * x) / den;
  }

  /**
   * Whether the interval's rebalance may be due at `t`, the keeper's block after a candle closing at `price`: the
   * interval has run since the last keeper action and leverage may be further than the tolerance from target.
   */
  intervalMayBeDue(t: number, price: number): boolean {
    return t - this.t >= this.m.interval && Math.abs(this.levAt(price) - this.target) > this.tolerance;
  }

  /** Whether a keeper action (or liquidation) may be due along `path`; the keeper may act from index `from` on. */
  mayBeDue(path: number[], from: number, close: number): boolean {
    const timeDue = close - this.t >= this.m.interval - this.barSeconds;
    for (let i = 0; i < path.length; i++) {
      const x = path[i] / this.price;
      const den = 1 + this.side * this.lev * (x - 1);
      if (den <= 0) return true;
      const lev = (this.lev * x) / den;
      if (lev >= this.hi) return true; // the band top, the ripcord and liquidation are all above it
      if (i >= from && (lev <= this.lo || (timeDue && Math.abs(lev - this.target) > this.tolerance))) return true;
    }
    return false;
  }
}
