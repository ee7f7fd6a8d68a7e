// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILeveragedToken} from "./ILeveragedToken.sol";
import {IVenue} from "./IVenue.sol";
import {IRebalancer} from "./IRebalancer.sol";

/// @title ILeveragedTokenFactory
/// @notice Deploys leveraged-token products and registers them with the Rebalancer in one transaction.
interface ILeveragedTokenFactory {
    /// @notice Everything a new product needs.
    struct ProductConfig {
        string name; // e.g. "Ballast BTC 3x Long"
        string symbol; // e.g. "BTC3L"
        IVenue venue;
        bool isLong;
        ILeveragedToken.FeeParams fees;
        uint256 equityCap; // USD, WAD: the most equity a mint may leave the product with
        IRebalancer.Methodology methodology;
        IRebalancer.BountyParams bounty;
    }

    /// @notice A required address (Rebalancer, treasury) is zero.
    error ZeroAddress();
    /// @notice `symbol` belongs to a product that is still active.
    error SymbolTaken(string symbol);
    /// @notice No product was ever created under `symbol`.
    error UnknownSymbol(string symbol);

    /// @notice A product was deployed at `token` on `venue` and registered with the Rebalancer.
    event ProductCreated(address indexed token, string symbol, address indexed venue, bool isLong);
    /// @notice The fee recipient given to new products changed.
    event TreasurySet(address treasury);

    /// @notice Deploys and registers a product; the factory owner becomes its owner.
    function createProduct(ProductConfig calldata config) external returns (address token);

    /// @notice The live product for `symbol` (a liquidated product is replaced by a fresh one under the same symbol).
    function productBySymbol(string calldata symbol) external view returns (address);

    /// @notice Every product ever created, in order.
    function products() external view returns (address[] memory);

    /// @notice Sets the fee recipient of products created from now on. Owner only.
    function setTreasury(address newTreasury) external;

    /// @notice The fee recipient given to new products.
    function treasury() external view returns (address);

    /// @notice The Rebalancer every product is registered with.
    function REBALANCER() external view returns (IRebalancer);
}
