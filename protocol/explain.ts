/**
 * The error explainer: one plain sentence for every custom error of the product token, the Rebalancer, the oracle
 * adapter, the venue (the IVenue boundary and each venue implementation's own errors: the mock perp venue's, the
 * Aave venue's) and the collateral, shared by the page, the tasks and the keeper. Sentences are found by the error's
 * name, so an error two venues share by name (InsufficientMargin, WithdrawalExceedsFree) is said for any venue. test/unit/protocol.test.ts checks that every error in those ABIs has its sentence here.
 */
import { formatAmount } from "./format";
import { decodeRevert, isUserRejection, shortMessage, type DecodedRevert, type ErrorSource } from "./revert";
import { ACTION_NAMES } from "./actions";

/** What the failed call was about, so that amounts in the error are shown in the right unit. */
export interface ExplainContext {
  /** Unit of SlippageExceeded's amounts: the product's tokens (18 decimals) for a mint, USDC (6) for a redeem. */
  outSymbol?: string;
  outDecimals?: number;
}

type Sentence = (a: readonly unknown[], ctx: ExplainContext) => string;

/** Amounts in USDC (6 decimals): a redeem's output, the faucet. */
export const USDC_UNITS: ExplainContext = { outSymbol: "USDC", outDecimals: 6 };
const USDC = USDC_UNITS;

/** An amount in the context's unit (18 decimals and no symbol by default); a non-bigint as it came. */
function amount(value: unknown, ctx: ExplainContext): string {
  if (typeof value !== "bigint") return String(value);
  const decimals = ctx.outDecimals ?? 18;
  return `${formatAmount(value, decimals, decimals === 6 ? 2 : 6)}${ctx.outSymbol ? " " + ctx.outSymbol : ""}`;
}

const usd = (wad: unknown): string => (typeof wad === "bigint" ? `$${formatAmount(wad, 18, 2)}` : String(wad));
const lev = (wad: unknown): string => (typeof wad === "bigint" ? `${formatAmount(wad, 18, 2)}×` : String(wad));
const pct = (wad: unknown): string => (typeof wad === "bigint" ? `${formatAmount(wad * 100n, 18, 2)}%` : String(wad));
const action = (v: unknown): string => ACTION_NAMES[Number(v)] ?? String(v);
/** Seconds as whole hours (e.g. "72 hours"). */
const duration = (seconds: unknown): string =>
  typeof seconds === "bigint" ? `${(seconds / 3600n).toString()} hours` : String(seconds);
/** A unix time (seconds) as an ISO date and time, UTC. */
const date = (seconds: unknown): string =>
  typeof seconds === "bigint"
    ? `${new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`
    : String(seconds);

const PERMIT_REFUSED = "The permit signature was not accepted. Try again, or use an approve transaction.";
const CLOSED =
  "This product is closed (liquidated or wound down): it can no longer be minted, but you can still redeem.";
const BAD_PRICE =
  "The price feed returned an unusable price, so the contracts refuse to price the trade. Nothing was spent.";
const SEQUENCER = "The network's sequencer is down or just restarted; prices are not trusted yet. Try again later.";
const NOT_ALLOWED = "Your account is not allowed to do this: it is reserved for the contract's owner or operator.";
const INTERNAL = "A number in the transaction is out of the range the contract supports. Nothing was changed.";

/** The product token (LeveragedToken). */
const TOKEN: Record<string, Sentence> = {
  SlippageExceeded: (a, ctx) =>
    ctx.outSymbol
      ? `The price moved beyond your slippage setting: you asked for at least ${amount(a[0], ctx)} but would get ${amount(a[1], ctx)}. Nothing was spent.`
      : "The price moved beyond your slippage setting. Nothing was spent.",
  MintPaused: () => "Minting is paused for this product. Redeeming still works.",
  ProductInactive: () => CLOSED,
  WoundDown: () => CLOSED,
  EquityCapExceeded: () => "This product has reached its equity cap (the most it may hold); try a smaller amount.",
  InsufficientShares: () => "You are trying to redeem more tokens than you hold.",
  DepositTooSmall: () => "That amount is too small to mint any tokens.",
  ZeroAmount: () => "Enter an amount above zero.",
  ZeroAddress: () => "A zero address was given.",
  OnlyRebalancer: () => "Only the Rebalancer may trade a product's position.",
  OnlyGuardianOrOwner: () => "Only the product's guardian or owner may do this.",
  InvalidFee: (a) => `That fee rate (${pct(a[0])}) is above the limit the product accepts.`,
  OutageTooShort: (a) =>
    `Anyone may wind this product down only once its price feed has been silent for ${duration(a[1])}; its last ` +
    `valid price is from ${date(a[0])}.`,
  CollateralTransferMismatch: (a) =>
    `The collateral token delivered ${amount(a[1], USDC)} instead of ${amount(a[0], USDC)}: fee-on-transfer or rebasing collateral is not supported.`,
};

/** OpenZeppelin errors of the token and the collateral (ERC-20, EIP-2612 permits, ownership, guards). */
const OPENZEPPELIN: Record<string, Sentence> = {
  ERC20InsufficientAllowance: (a) =>
    `The product is not allowed to take that much of your USDC yet (allowed ${amount(a[1], USDC)}, needed ${amount(a[2], USDC)}).`,
  // In a redeem (amounts in USDC) a short balance is of the product's tokens; in a mint, of USDC.
  ERC20InsufficientBalance: (a, ctx) =>
    `Your balance is too low (you have ${amount(a[1], ctx.outDecimals === 6 ? {} : USDC)}, ${amount(a[2], ctx.outDecimals === 6 ? {} : USDC)} is needed).`,
  ERC20InvalidApprover: () => "The approval came from the zero address.",
  ERC20InvalidReceiver: () => "Tokens cannot be sent to the zero address.",
  ERC20InvalidSender: () => "Tokens cannot be sent from the zero address.",
  ERC20InvalidSpender: () => "The zero address cannot be approved to spend tokens.",
  ERC2612ExpiredSignature: () => "The permit signature expired before it was used. Try again.",
  ERC2612InvalidSigner: () => PERMIT_REFUSED,
  InvalidAccountNonce: () => PERMIT_REFUSED,
  ECDSAInvalidSignature: () => PERMIT_REFUSED,
  ECDSAInvalidSignatureLength: () => PERMIT_REFUSED,
  ECDSAInvalidSignatureS: () => PERMIT_REFUSED,
  InvalidShortString: () => "A token name or symbol is too long.",
  StringTooLong: () => "A token name or symbol is too long.",
  OwnableUnauthorizedAccount: () => NOT_ALLOWED,
  OwnableInvalidOwner: () => "The zero address cannot own the contract.",
  ReentrancyGuardReentrantCall: () => "The contract refused a re-entrant call.",
  SafeERC20FailedOperation: () => "The collateral token refused a transfer.",
  SafeCastOverflowedUintDowncast: () => INTERNAL,
  SafeCastOverflowedIntDowncast: () => INTERNAL,
  SafeCastOverflowedUintToInt: () => INTERNAL,
  SafeCastOverflowedIntToUint: () => INTERNAL,
  // OpenZeppelin's Errors, through Clones (the Aave venue's per-product account).
  FailedDeployment: () => "The venue could not create the product's account contract. Nothing was changed.",
  InsufficientBalance: () => "The contract does not hold enough ether for that call. Nothing was changed.",
};

/** The Rebalancer. */
const REBALANCER: Record<string, Sentence> = {
  RebalanceNotNeeded: (a) =>
    `No rebalance is due for this product (it is ${action(a[1])} at ${lev(a[2])} leverage): another keeper may have acted first.`,
  RipcordNotNeeded: (a) =>
    `No ripcord is due for this product (leverage ${lev(a[1])} is below its ripcord level): another keeper may have acted first.`,
  NotRegistered: () => "That token is not a product registered with the Rebalancer.",
  AlreadyRegistered: () => "That token is already registered with the Rebalancer.",
  InvalidMethodology: () =>
    "The leverage band, ripcord, interval, slippage or inner-band settings are inconsistent (the inner band is at most 75% of each half band).",
  TargetLeverageFixed: (a) =>
    `A product's target leverage is fixed when it is registered (here ${lev(a[1])}): a methodology change cannot move it.`,
  InvalidBounty: () =>
    "The keeper bounty settings are inconsistent (base above the cap, more than 1% of equity a call, or a budget of 2^120 units or more).",
  OnlyRegistrar: () => "Only an approved registrar may register products.",
  OnlySelf: () => "That function is internal to the Rebalancer's upkeep.",
  InvalidBatch: () => "The upkeep batch is empty or larger than the Rebalancer allows.",
  UnsupportedSettlement: () =>
    "The product's venue does not settle trades synchronously, so the Rebalancer cannot carry the product.",
  ZeroAutomationPayee: () => "An Automation forwarder's bounty payee cannot be the zero address.",
  NotRetirable: () => "Only a wound-down or liquidated product can be retired from the keeper scan.",
  UpkeepSimulated: (a) =>
    `The upkeep simulation of this product found ${action(a[1])} would succeed (a simulation always reverts).`,
};

/** The oracle adapter (ChainlinkOracleAdapter). */
const ORACLE: Record<string, Sentence> = {
  StalePrice: () =>
    "The price feed is out of date (stale), so the contracts refuse to price the trade. Nothing was spent.",
  InvalidPrice: () => BAD_PRICE,
  PriceAtCircuitBreaker: () =>
    "The price feed is pinned at its circuit-breaker limit, so its answer is not the market price and the contracts " +
    "refuse to use it. Nothing was spent.",
  FuturePrice: () => BAD_PRICE,
  FeedUnavailable: () => BAD_PRICE,
  SequencerDown: () => SEQUENCER,
  SequencerGracePeriodNotOver: () => SEQUENCER,
  InvalidOracleConfig: () => "The oracle's heartbeat, staleness buffer or feed settings are invalid.",
};

/** The venue: the IVenue boundary's errors, then the venue implementations' own (mock perp venue, Aave venue). */
const VENUE: Record<string, Sentence> = {
  PriceLimitExceeded: (a) =>
    `The perp venue would fill the trade at ${usd(a[0])}, beyond the accepted limit of ${usd(a[1])}. Nothing was spent.`,
  OraclePriceAvailable: () =>
    "The price feed is live, so the position closes through an ordinary trade, not at the feed's last price.",
  NoPosition: () => "There is no position to close.",
  VenuePaused: () =>
    "The perp venue behind this product is paused: minting is blocked until it resumes. Redeeming still works.",
  OpenInterestCapExceeded: () =>
    "The perp market is full (its open-interest cap is reached); try a smaller amount later.",
  InsufficientMargin: () =>
    "The venue refused the trade: not enough margin (the position would be above the venue's maximum leverage).",
  InsufficientVenueLiquidity: () => "The perp venue does not have enough liquidity to pay out right now.",
  WithdrawalExceedsFree: () =>
    "The venue refused to pay out more than the position's free margin (it would leave leverage above the venue's maximum).",
  NotLiquidatable: () => "The position is healthy: the perp venue does not allow liquidating it.",
  SizeOutOfRange: () => "The trade size is out of the range the perp venue supports.",
  InvalidMarketParams: () => "The perp market's risk parameters are invalid.",
  // The Aave venue (Aave v3 money market + Uniswap v3 pool); its ZeroAddress and ZeroAmount are the token's sentences.
  InvalidConfig: () =>
    "The Aave venue's configuration is inconsistent (pool tokens, reserves, decimals or slippage limit).",
  UnexpectedCallback: () => "The Aave venue accepts swap callbacks only from its own Uniswap pool.",
  // Its amounts are in the base token's own units (WETH 18 decimals, WBTC 8): not shown.
  IncompleteFill: () =>
    "The Uniswap pool ran out of liquidity and could fill only part of the trade. Nothing was spent; try a smaller amount.",
  OracleDeviation: (a) =>
    `The Uniswap pool would fill the trade at ${usd(a[0])}, beyond the venue's bound of ${usd(a[1])} around the ` +
    "oracle price (the pool is off the feed). Nothing was spent.",
  WrongSide: () => "The Aave venue serves one side only: this trade would have turned the position to the other side.",
};

/** The collateral (the USDC mock) and the product factory. */
const OTHERS: Record<string, Sentence> = {
  FaucetLimitExceeded: () => "The test faucet gives at most 1 billion USDC per call.",
  SymbolTaken: () => "A product with that symbol already exists.",
  UnknownSymbol: () => "There is no product with that symbol.",
  NotOwnerOrOperator: () => "Only the factory's owner (the governance timelock) or its operator may create products.",
  VenueNotAllowed: () =>
    "That venue is not on the factory's allow-list; adding a venue is a governance decision that waits for the timelock.",
  SymbolReuseNeedsOwner: () =>
    "That symbol belonged to a product that is no longer active: only governance, through its timelock, may reuse it.",
  // Built-in reverts: a require message and a panic.
  Error: (a) => `The contract refused the transaction: ${String(a[0])}.`,
  Panic: (a) => `The contract stopped with an internal error (panic ${String(a[0])}). Nothing was changed.`,
};

const SENTENCES: Record<string, Sentence> = {
  ...OPENZEPPELIN,
  ...OTHERS,
  ...ORACLE,
  ...VENUE,
  ...REBALANCER,
  ...TOKEN,
};

/** Names of the errors that have their own sentence. */
export const EXPLAINED_ERRORS: ReadonlySet<string> = new Set(Object.keys(SENTENCES));

/** The sentence for a decoded custom error; an error without one is named with its arguments. */
export function explainRevert(decoded: DecodedRevert, ctx: ExplainContext = {}): string {
  const sentence = SENTENCES[decoded.name];
  return sentence ? sentence(decoded.args, ctx) : `The contract refused the transaction: ${decoded.signature}.`;
}

/** One sentence for the user, from any error a wallet, ethers, a node or a contract throws. */
export function explainError(err: unknown, errors: ErrorSource, ctx: ExplainContext = {}): string {
  if (isUserRejection(err)) return "You declined the request in your wallet. Nothing was sent.";
  const decoded = decodeRevert(err, errors);
  if (decoded) return explainRevert(decoded, ctx);
  const msg = shortMessage(err);
  if (/insufficient funds/i.test(msg)) return "Your account does not have enough ETH to pay for gas.";
  if (/nonce/i.test(msg))
    return `The wallet's transaction count is out of step with the node (${msg}). Reset the account in your wallet.`;
  return `The transaction failed: ${msg}`;
}
