/**
 * Uniswap v3 price arithmetic between a Chainlink-style answer (USD per base token, 8 decimals) and a pool's
 * sqrtPriceX96 / tick, for either token order. Exact (bigint) where the result is sent on chain; ticks and position
 * sizes use doubles, which is ample for "within one tick" and for liquidity amounts that are then bounded on chain.
 */

export const Q96 = 2n ** 96n;
export const MIN_TICK = -887_272;
export const MAX_TICK = 887_272;
/** TickMath.MIN_SQRT_RATIO / MAX_SQRT_RATIO: a swap's price limit must lie strictly between them. */
export const MIN_SQRT_RATIO = 4_295_128_739n;
export const MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342n;
export const ANSWER_DECIMALS = 8;

/** One pool of a base token against USDC, as the price arithmetic needs it. */
export interface PairShape {
  baseDecimals: number;
  quoteDecimals: number;
  /** Uniswap orders a pool's tokens by address: true when the base token is token0. */
  baseIsToken0: boolean;
}

function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error("isqrt of a negative number");
  if (n < 2n) return n;
  // Newton from the double's estimate: one step lands at or above the root (AM-GM), then it descends to the floor.
  let x = BigInt(Math.ceil(Math.sqrt(Number(n)))) + 1n;
  x = (x + n / x) >> 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  return x;
}

/** sqrtPriceX96 of the pool price that equals `answer` (USD per base, 8 decimals), rounded down. */
export function sqrtPriceX96FromAnswer(answer: bigint, pair: PairShape): bigint {
  if (answer <= 0n) throw new Error(`non-positive answer ${answer}`);
  // Raw price = token1 units per token0 unit. With base = token0: answer·10^qd / (10^8·10^bd).
  const num = answer * 10n ** BigInt(pair.quoteDecimals);
  const den = 10n ** BigInt(ANSWER_DECIMALS + pair.baseDecimals);
  return pair.baseIsToken0 ? isqrt((num << 192n) / den) : isqrt((den << 192n) / num);
}

/** The answer (USD per base, 8 decimals, rounded down) that a pool at `sqrtPriceX96` quotes. */
export function answerFromSqrtPriceX96(sqrtPriceX96: bigint, pair: PairShape): bigint {
  const priceX192 = sqrtPriceX96 * sqrtPriceX96; // raw token1/token0 · 2^192
  const scale = 10n ** BigInt(ANSWER_DECIMALS + pair.baseDecimals);
  const quote = 10n ** BigInt(pair.quoteDecimals);
  return pair.baseIsToken0 ? (priceX192 * scale) / (quote << 192n) : (scale << 192n) / priceX192 / quote;
}

/** The raw pool price (token1 units per token0 unit) as a double. */
export function rawPrice(sqrtPriceX96: bigint): number {
  const s = Number(sqrtPriceX96) / 2 ** 96;
  return s * s;
}

/** The tick whose price range contains `sqrtPriceX96` (floor of log base 1.0001 of the raw price). */
export function tickFromSqrtPriceX96(sqrtPriceX96: bigint): number {
  return Math.floor((2 * Math.log(Number(sqrtPriceX96) / 2 ** 96)) / Math.log(1.0001));
}

/** The tick of the pool price that equals `answer`. */
export function tickFromAnswer(answer: bigint, pair: PairShape): number {
  return tickFromSqrtPriceX96(sqrtPriceX96FromAnswer(answer, pair));
}

/** sqrt(1.0001^tick) as a double (the unscaled square-root price at a tick). */
export function sqrtAtTick(tick: number): number {
  return Math.pow(1.0001, tick / 2);
}

/** The usable tick range of a position `rangePct` each way around `sqrtPriceX96` (full range when undefined). */
export function positionTicks(
  sqrtPriceX96: bigint,
  tickSpacing: number,
  rangePct?: number,
): { tickLower: number; tickUpper: number } {
  if (rangePct === undefined) {
    return {
      tickLower: Math.ceil(MIN_TICK / tickSpacing) * tickSpacing,
      tickUpper: Math.floor(MAX_TICK / tickSpacing) * tickSpacing,
    };
  }
  const centre = tickFromSqrtPriceX96(sqrtPriceX96);
  const half = Math.log(1 + rangePct / 100) / Math.log(1.0001);
  return {
    tickLower: Math.floor((centre - half) / tickSpacing) * tickSpacing,
    tickUpper: Math.ceil((centre + half) / tickSpacing) * tickSpacing,
  };
}

/**
 * The token amounts (raw units, rounded up, with `slack` headroom) that a position over [tickLower, tickUpper] worth
 * `valueQuoteRaw` (quote-token units) needs at the pool price `sqrtPriceX96`. Passed as amount{0,1}Desired to the
 * position manager, which takes only what the range needs.
 */
export function positionAmounts(
  sqrtPriceX96: bigint,
  tickLower: number,
  tickUpper: number,
  valueQuoteRaw: bigint,
  pair: PairShape,
  slack = 1.001,
): { amount0: bigint; amount1: bigint } {
  const s = Number(sqrtPriceX96) / 2 ** 96;
  const p = s * s;
  const sa = Math.max(sqrtAtTick(tickLower), 0);
  const sb = sqrtAtTick(tickUpper);
  if (!(sa < s && s < sb)) throw new Error(`price outside the position's range [${tickLower}, ${tickUpper}]`);
  // Value in token1 units per unit of liquidity: x·p + y with x = L(1/s − 1/sb), y = L(s − sa).
  const valuePerL = 2 * s - sa - p / sb;
  const value1 = pair.baseIsToken0 ? Number(valueQuoteRaw) : Number(valueQuoteRaw) * p;
  const liquidity = value1 / valuePerL;
  const up = (x: number): bigint => BigInt(Math.ceil(x * slack));
  return { amount0: up(liquidity * (1 / s - 1 / sb)), amount1: up(liquidity * (s - sa)) };
}
