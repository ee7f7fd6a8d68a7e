// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILeveragedToken} from "./ILeveragedToken.sol";
import {IVenue} from "./IVenue.sol";
import {IRebalancer} from "./IRebalancer.sol";

/// @title ILeveragedTokenFactory
/// @notice Deploys leveraged-token products and registers them with the Rebalancer in one transaction.
/// @dev The owner is a timelock (deploy/05_governance.ts): allow-listing a venue and reusing a symbol wait for its
///      delay. The operator creates products only under symbols never used, on allow-listed venues.
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

    /// @notice A required address (Rebalancer, treasury, venue) is zero.
    error ZeroAddress();
    /// @notice `symbol` belongs to a product that is still active.
    error SymbolTaken(string symbol);
    /// @notice No product was ever created under `symbol`.
    error UnknownSymbol(string symbol);
    /// @notice `createProduct` called by neither the owner nor the operator.
    error NotOwnerOrOperator(address caller);
    /// @notice `createProduct` on a venue the owner has not allow-listed.
    error VenueNotAllowed(address venue);
    /// @notice `symbol` was used by a product that is no longer active: only the owner (the timelock) may reuse it.
    error SymbolReuseNeedsOwner(string symbol);

    /// @notice A product was deployed at `token` on `venue` and registered with the Rebalancer.
    event ProductCreated(address indexed token, string symbol, address indexed venue, bool isLong);
    /// @notice The fee recipient given to new products changed.
    event TreasurySet(address treasury);
    /// @notice The operator (creates products under unused symbols, winds products down) changed.
    event OperatorSet(address operator);
    /// @notice `venue` was allowed (or no longer allowed) to carry new products.
    event VenueAllowedSet(address indexed venue, bool allowed);

    /// @notice Deploys and registers a product on an allow-listed venue; the factory owner becomes its owner. Owner or
    ///         operator; a symbol used before (by a product now inactive) only by the owner, `SymbolTaken` while its
    ///         product is active.
    function createProduct(ProductConfig calldata config) external returns (address token);

    /// @notice The latest product created under `symbol`, which may be wound down or liquidated (check `isActive`);
    ///         only the owner, after the timelock's delay, can point a used symbol at a new product.
    function productBySymbol(string calldata symbol) external view returns (address);

    /// @notice Every product ever created, in order.
    function products() external view returns (address[] memory);

    /// @notice Sets the fee recipient of products created from now on. Owner only.
    function setTreasury(address newTreasury) external;

    /// @notice The fee recipient given to new products.
    function treasury() external view returns (address);

    /// @notice Sets the operator: may create products under unused symbols on allow-listed venues and wind products
    ///         down, in one step (zero for none). Owner only.
    function setOperator(address newOperator) external;

    /// @notice The operator (see `setOperator`); products also read it to let it call `windDown`.
    function operator() external view returns (address);

    /// @notice Allows or disallows `venue` for new products (existing products keep theirs). Owner only.
    function setVenueAllowed(address venue, bool allowed) external;

    /// @notice Whether new products may be created on `venue`.
    function isVenueAllowed(address venue) external view returns (bool);

    /// @notice The Rebalancer every product is registered with.
    function REBALANCER() external view returns (IRebalancer);
}
