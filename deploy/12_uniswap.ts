import { ZeroAddress } from "ethers";
import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { BASE_TOKEN } from "../config/aave";
import { MARKETS, MARKET_SYMBOLS } from "../config/parameters";
import { UNISWAP_POOLS, poolDeploymentName } from "../config/uniswap";
import { realVenuesWanted } from "../scripts/market/realVenues";

/**
 * Uniswap v3 from the published @uniswap/v3-core 1.0.1 and @uniswap/v3-periphery 1.4.4 artifacts (compiled by Uniswap
 * with solc 0.7.6; deployed here, never compiled): UniswapV3Factory, SwapRouter and NonfungiblePositionManager (its
 * token descriptor is only read by tokenURI, so none is deployed), then one pool per market (WETH/USDC, WBTC/USDC)
 * initialised at the feed's price, with the concentrated liquidity config/uniswap.ts describes, minted by
 * `liquidityProvider`.
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  // Loaded here, not at the top: the default fixture loads this script only to skip it.
  const { uniswapArtifact } = await import("../scripts/market/artifacts");
  const { addPoolLiquidity, pairShape } = await import("../scripts/market/mover");
  const { sqrtPriceX96FromAnswer } = await import("../scripts/market/uniswapMath");
  const { deployments, getNamedAccounts } = hre;
  const { deployer } = await getNamedAccounts();
  const opts = { from: deployer, log: true, autoMine: true };
  const tx = { from: deployer, autoMine: true };
  const weth = (await deployments.get("WETH")).address;
  const factory = await deployments.deploy("UniswapV3Factory", {
    ...opts,
    contract: uniswapArtifact("UniswapV3Factory"),
  });
  if (!factory.newlyDeployed) return; // set up already (a node restarted on its saved deployments)
  await deployments.deploy("SwapRouter", {
    ...opts,
    contract: uniswapArtifact("SwapRouter"),
    args: [factory.address, weth],
  });
  await deployments.deploy("NonfungiblePositionManager", {
    ...opts,
    contract: uniswapArtifact("NonfungiblePositionManager"),
    args: [factory.address, weth, ZeroAddress],
  });

  const usdc = (await deployments.get("USDC")).address;
  for (const market of MARKET_SYMBOLS) {
    const base = BASE_TOKEN[market];
    const config = UNISWAP_POOLS[market];
    const baseAddress = (await deployments.get(base)).address;
    await deployments.execute("UniswapV3Factory", tx, "createPool", baseAddress, usdc, config.fee);
    const pool = (await deployments.read("UniswapV3Factory", "getPool", baseAddress, usdc, config.fee)) as string;
    const name = poolDeploymentName(base);
    await deployments.save(name, { abi: uniswapArtifact("UniswapV3Pool").abi, address: pool });
    // At the feed's current answer (the initial price on a fresh chain).
    const feed = await hre.ethers.getContractAt(
      "MockV3Aggregator",
      (await deployments.get(`${market}USDFeed`)).address,
    );
    const answer = await feed.latestAnswer();
    if (answer !== MARKETS[market].initialPrice) deployments.log(`${market} pool opens at the feed's ${answer}`);
    await deployments.execute(name, tx, "initialize", sqrtPriceX96FromAnswer(answer, await pairShape(hre, market)));
    await addPoolLiquidity(hre, market, config.positions);
  }
};

func.tags = ["UniswapV3", "UniswapV3Factory", "SwapRouter", "RealVenues"];
func.dependencies = ["Mocks", "VenueTokens"];
func.skip = async (hre) => hre.network.live || !realVenuesWanted(hre);
export default func;
